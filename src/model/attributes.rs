//! Attributes and tags: what an analyst records about an annotation beyond its label and note.
//!
//! * Each label defines its attributes ([`AttributeDef`]): a choice among fixed words, a number
//!   on a scale, or free text. An annotation holds values for some of them, keyed by the
//!   attribute's id ([`Attributes`]). [`check_attributes`] says whether the values fit the
//!   definitions; the edit constructors use it, so the app cannot store a value that does not.
//! * Tags are free words across labels (`"economy"`, `"needs follow-up"`), trimmed,
//!   deduplicated without regard to case, and kept in the spelling first given
//!   ([`normalize_tags`]).
//! * The claim's `verification` maps onto schema.org `ClaimReview` ratings
//!   ([`claim_review_rating`]), so an export can publish fact checks.

use std::collections::BTreeMap;

use super::annotation::{AnnotationId, AnnotationSet, Timestamp};
use super::history::{Edit, EditError};
use super::labels::{LabelId, LabelSet};

/// The values an annotation holds, by attribute id (a map, so files list them in a stable order).
pub type Attributes = BTreeMap<String, AttributeValue>;

/// One attribute a label offers, e.g. the claim's `"verification"`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttributeDef {
    /// Stable within its label, e.g. `"verification"`; the key in [`Attributes`].
    pub id: String,
    /// Shown to the analyst, e.g. `"Verification"`.
    pub name: String,
    pub kind: AttributeKind,
}

/// What values an attribute takes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AttributeKind {
    /// One of these words, in the order offered (at least one, no repeats).
    Choice(Vec<String>),
    /// A whole number from `min` to `max`, both included (`min <= max`).
    Scale { min: i32, max: i32 },
    /// Free text.
    Text,
}

/// A value of an attribute. Its variant must be the one of the definition's kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AttributeValue {
    Choice(String),
    Scale(i32),
    Text(String),
}

impl std::fmt::Display for AttributeValue {
    /// The value as the analyst reads it: the word, the number, the text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Choice(s) | Self::Text(s) => f.write_str(s),
            Self::Scale(n) => write!(f, "{n}"),
        }
    }
}

/// Why attribute values or definitions are not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("label {label:?} has no attribute {attribute:?}")]
    Undefined { label: LabelId, attribute: String },
    #[error("{value:?} is not allowed for attribute {attribute:?} of label {label:?}")]
    NotAllowed {
        label: LabelId,
        attribute: String,
        value: AttributeValue,
    },
    #[error("attribute {attribute:?} of label {label:?} is defined wrongly: {reason}")]
    BadDefinition {
        label: LabelId,
        attribute: String,
        reason: String,
    },
}

impl AttributeDef {
    pub fn choice(id: &str, name: &str, options: &[&str]) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            kind: AttributeKind::Choice(options.iter().map(|&o| o.to_owned()).collect()),
        }
    }

    pub fn scale(id: &str, name: &str, min: i32, max: i32) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            kind: AttributeKind::Scale { min, max },
        }
    }

    pub fn text(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            kind: AttributeKind::Text,
        }
    }

    /// Does `value` fit this definition (right variant, an offered word, within the scale)?
    pub fn allows(&self, value: &AttributeValue) -> bool {
        match (&self.kind, value) {
            (AttributeKind::Choice(options), AttributeValue::Choice(v)) => options.contains(v),
            (AttributeKind::Scale { min, max }, AttributeValue::Scale(n)) => {
                (min..=max).contains(&n)
            }
            (AttributeKind::Text, AttributeValue::Text(_)) => true,
            _ => false,
        }
    }

    /// Is the definition itself usable: an id, a choice with options and no repeats, a scale
    /// whose `min` is not above its `max`? Returns the reason if not.
    pub fn problem(&self) -> Option<String> {
        if self.id.trim().is_empty() {
            return Some("its id is empty".to_owned());
        }
        match &self.kind {
            AttributeKind::Choice(options) => {
                if options.is_empty() {
                    return Some("a choice needs at least one option".to_owned());
                }
                let mut sorted: Vec<&String> = options.iter().collect();
                sorted.sort();
                if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                    return Some(format!("option {:?} is offered twice", w[0]));
                }
            }
            AttributeKind::Scale { min, max } if min > max => {
                return Some(format!("the scale runs from {min} down to {max}"));
            }
            AttributeKind::Scale { .. } | AttributeKind::Text => {}
        }
        None
    }
}

/// Checks `values` against the definitions of `label` in `labels`: every key must be an
/// attribute of that label and every value allowed by it.
///
/// A label the set does not define (a hand-edited file) defines no attributes, so only an
/// empty map passes for it.
pub fn check_attributes(
    labels: &LabelSet,
    label: &LabelId,
    values: &Attributes,
) -> Result<(), AttributeError> {
    let defs = labels.get(label).map_or(&[][..], |l| &l.attributes[..]);
    for (key, value) in values {
        let Some(def) = defs.iter().find(|d| &d.id == key) else {
            return Err(AttributeError::Undefined {
                label: label.clone(),
                attribute: key.clone(),
            });
        };
        if !def.allows(value) {
            return Err(AttributeError::NotAllowed {
                label: label.clone(),
                attribute: key.clone(),
                value: value.clone(),
            });
        }
    }
    Ok(())
}

/// The values of `values` that fit the definitions of `label` (used when an annotation changes
/// label or its label's definitions change: what no longer fits is dropped).
pub fn retain_allowed(labels: &LabelSet, label: &LabelId, values: &Attributes) -> Attributes {
    let defs = labels.get(label).map_or(&[][..], |l| &l.attributes[..]);
    values
        .iter()
        .filter(|(key, value)| defs.iter().any(|d| &d.id == *key && d.allows(value)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The edit that sets attribute `attribute` of annotation `id` to `value` (`None` clears it),
/// stamping `modified` with `now`. Refused with [`EditError::Attribute`] if the annotation's
/// label does not define the attribute or does not allow the value. `Ok(None)` if nothing
/// changes.
pub fn set_attribute_edit(
    set: &AnnotationSet,
    id: AnnotationId,
    attribute: &str,
    value: Option<AttributeValue>,
    now: Timestamp,
) -> Result<Option<Edit>, EditError> {
    let before = set.get(id).ok_or(EditError::Missing(id))?;
    let mut after = before.clone();
    match value {
        Some(value) => {
            after.attributes.insert(attribute.to_owned(), value);
            check_attributes(&set.labels, &after.label, &after.attributes)?;
        }
        None => {
            after.attributes.remove(attribute);
        }
    }
    Ok(update(before, after, now))
}

/// The edit that gives annotation `id` the tags `tags`, normalised ([`normalize_tags`]).
/// `None` if the annotation is missing or its tags stay the same.
pub fn set_tags_edit<S: AsRef<str>>(
    set: &AnnotationSet,
    id: AnnotationId,
    tags: impl IntoIterator<Item = S>,
    now: Timestamp,
) -> Option<Edit> {
    let before = set.get(id)?;
    let mut after = before.clone();
    after.tags = normalize_tags(tags);
    update(before, after, now)
}

/// The edit that gives annotation `id` label `label`, dropping the attribute values the new
/// label does not allow. `None` if the annotation is missing or already has that label.
pub fn relabel_edit(
    set: &AnnotationSet,
    id: AnnotationId,
    label: &LabelId,
    now: Timestamp,
) -> Option<Edit> {
    let before = set.get(id)?;
    let mut after = before.clone();
    after.label = label.clone();
    after.attributes = retain_allowed(&set.labels, label, &before.attributes);
    update(before, after, now)
}

fn update(
    before: &super::annotation::Annotation,
    mut after: super::annotation::Annotation,
    now: Timestamp,
) -> Option<Edit> {
    if after == *before {
        return None;
    }
    after.modified = now;
    Some(Edit::Update {
        before: Box::new(before.clone()),
        after: Box::new(after),
    })
}

/// Tags as stored: each trimmed, empty ones dropped, and a tag equal to an earlier one without
/// regard to case dropped, so the first spelling wins. Order is kept.
///
/// ```
/// # use claimlens::model::normalize_tags;
/// assert_eq!(normalize_tags([" Economy ", "economy", "", "ÉTÉ", "été"]), ["Economy", "ÉTÉ"]);
/// ```
pub fn normalize_tags<S: AsRef<str>>(tags: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.as_ref().trim();
        if tag.is_empty() {
            continue;
        }
        let folded = tag.to_lowercase();
        if !seen.contains(&folded) {
            seen.push(folded);
            out.push(tag.to_owned());
        }
    }
    out
}

/// Are `a` and `b` the same tag (equal without regard to case)?
pub fn same_tag(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Attribute ids of the default labels.
pub mod ids {
    /// Source: named / anonymous / institutional.
    pub const SOURCE_KIND: &str = "kind";
    /// Source: direct quote / paraphrase.
    pub const SOURCE_QUOTE: &str = "quote";
    /// Claim: how the article itself presents the claim.
    pub const CLAIM_STANCE: &str = "stance";
    /// Claim: the analyst's confidence in their reading, 1–5.
    pub const CLAIM_CONFIDENCE: &str = "confidence";
    /// Claim: unverified / supported / disputed / false (see [`super::claim_review_rating`]).
    pub const CLAIM_VERIFICATION: &str = "verification";
}

/// The attributes of the default Source label.
///
/// * `kind`: `named` (a person named in the text), `anonymous` ("a senior official"),
///   `institutional` (a ministry, a company, a report).
/// * `quote`: `direct quote` (the source's own words in quotation marks) or `paraphrase`.
pub fn default_source_attributes() -> Vec<AttributeDef> {
    vec![
        AttributeDef::choice(
            ids::SOURCE_KIND,
            "Kind",
            &["named", "anonymous", "institutional"],
        ),
        AttributeDef::choice(ids::SOURCE_QUOTE, "Quote", &["direct quote", "paraphrase"]),
    ]
}

/// The attributes of the default Claim label.
///
/// * `stance`: how the article presents the claim: `asserted` (the article states it as
///   fact), `reported` (neutrally, on someone's word), `questioned` (the article casts doubt on
///   it). This is the article's stance, not the analyst's, which `verification` records.
/// * `confidence`: the analyst's confidence in their own reading, 1 (a guess) to 5 (certain).
/// * `verification`: `unverified`, `supported`, `disputed`, `false`; see
///   [`claim_review_rating`].
pub fn default_claim_attributes() -> Vec<AttributeDef> {
    vec![
        AttributeDef::choice(
            ids::CLAIM_STANCE,
            "Stance",
            &["asserted", "reported", "questioned"],
        ),
        AttributeDef::scale(ids::CLAIM_CONFIDENCE, "Confidence", 1, 5),
        AttributeDef::choice(
            ids::CLAIM_VERIFICATION,
            "Verification",
            &["unverified", "supported", "disputed", "false"],
        ),
    ]
}

/// A schema.org `Rating` for the `reviewRating` of a `ClaimReview`, on a 1 (worst) to 5 (best)
/// scale: `{"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
/// "alternateName": "False"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewRating {
    pub rating_value: u8,
    pub best_rating: u8,
    pub worst_rating: u8,
    /// The verdict in words, as fact-checkers publish it.
    pub alternate_name: &'static str,
}

/// The `ClaimReview` rating of a claim's `verification` value:
///
/// | verification | ratingValue | alternateName |
/// |---|---|---|
/// | `supported` | 5 | `True` |
/// | `disputed` | 3 | `Disputed` |
/// | `false` | 1 | `False` |
/// | `unverified` | none: a claim nobody checked gets no review |
///
/// The scale is schema.org's 1 (worst, false) to 5 (best, true); 2 and 4 ("mostly false",
/// "mostly true") are grades Claimlens does not record. Unknown values give `None`.
pub fn claim_review_rating(verification: &str) -> Option<ReviewRating> {
    let (rating_value, alternate_name) = match verification {
        "supported" => (5, "True"),
        "disputed" => (3, "Disputed"),
        "false" => (1, "False"),
        _ => return None,
    };
    Some(ReviewRating {
        rating_value,
        best_rating: 5,
        worst_rating: 1,
        alternate_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_must_fit_their_definition() {
        let labels = LabelSet::default();
        let claim = LabelId::new("claim");
        let ok: Attributes = [
            ("confidence".to_owned(), AttributeValue::Scale(5)),
            (
                "verification".to_owned(),
                AttributeValue::Choice("false".into()),
            ),
        ]
        .into();
        assert_eq!(check_attributes(&labels, &claim, &ok), Ok(()));
        let bad = [
            ("confidence", AttributeValue::Scale(6)),
            ("confidence", AttributeValue::Scale(0)),
            ("confidence", AttributeValue::Choice("5".into())),
            ("verification", AttributeValue::Choice("False".into())),
            ("verification", AttributeValue::Text("false".into())),
        ];
        for (key, value) in bad {
            let values: Attributes = [(key.to_owned(), value.clone())].into();
            assert!(
                matches!(
                    check_attributes(&labels, &claim, &values),
                    Err(AttributeError::NotAllowed { .. })
                ),
                "{key} = {value:?}"
            );
        }
        let other_label: Attributes =
            [("kind".to_owned(), AttributeValue::Choice("named".into()))].into();
        assert!(matches!(
            check_attributes(&labels, &claim, &other_label),
            Err(AttributeError::Undefined { .. })
        ));
        assert!(check_attributes(&labels, &LabelId::new("source"), &other_label).is_ok());
        assert!(check_attributes(&labels, &LabelId::new("nope"), &Attributes::new()).is_ok());
        assert!(check_attributes(&labels, &LabelId::new("nope"), &ok).is_err());
        // What fits is kept when moving to another label.
        let mixed: Attributes = ok.clone().into_iter().chain(other_label.clone()).collect();
        assert_eq!(retain_allowed(&labels, &claim, &mixed), ok);
    }

    #[test]
    fn bad_definitions_are_named() {
        assert!(AttributeDef::choice("a", "A", &[]).problem().is_some());
        assert!(
            AttributeDef::choice("a", "A", &["x", "y", "x"])
                .problem()
                .is_some()
        );
        assert!(AttributeDef::scale("a", "A", 5, 1).problem().is_some());
        assert!(AttributeDef::text(" ", "A").problem().is_some());
        assert!(AttributeDef::scale("a", "A", 3, 3).problem().is_none());
        for def in default_claim_attributes()
            .iter()
            .chain(&default_source_attributes())
        {
            assert_eq!(def.problem(), None, "{def:?}");
        }
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_keep_their_first_spelling() {
        assert_eq!(
            normalize_tags([
                "  Needs follow-up ",
                "needs FOLLOW-UP",
                "economy",
                "Economy",
                " "
            ]),
            ["Needs follow-up", "economy"]
        );
        assert_eq!(
            normalize_tags(["İstanbul", "東京", "東京 "]),
            ["İstanbul", "東京"]
        );
        assert!(same_tag(" ÉCONOMIE", "économie "));
        assert!(!same_tag("economie", "économie"));
        assert!(normalize_tags(Vec::<String>::new()).is_empty());
    }

    #[test]
    fn verification_maps_to_claim_review_ratings() {
        let rating = |v: &str| claim_review_rating(v).map(|r| (r.rating_value, r.alternate_name));
        assert_eq!(rating("supported"), Some((5, "True")));
        assert_eq!(rating("disputed"), Some((3, "Disputed")));
        assert_eq!(rating("false"), Some((1, "False")));
        assert_eq!(rating("unverified"), None);
        assert_eq!(rating("nonsense"), None);
        // Every option of the default definition is covered by the table.
        let AttributeKind::Choice(options) = &default_claim_attributes()[2].kind else {
            panic!("verification is a choice");
        };
        for o in options {
            let r = claim_review_rating(o);
            assert!(r.is_some() || o == "unverified", "{o}");
            assert!(r.is_none_or(|r| (r.worst_rating..=r.best_rating).contains(&r.rating_value)));
        }
    }

    #[test]
    fn attributes_and_tags_change_through_undoable_updates() {
        use crate::model::{Anchor, Annotation, Article, History};
        let article = Article::from_plain_text("The port was sold.", "t");
        let mut set = AnnotationSet::new(&article, String::new());
        let t0 = Timestamp::UNIX_EPOCH;
        let t1 = Timestamp::from_second(60).unwrap();
        let a = Annotation::new(
            LabelId::new("claim"),
            Anchor::new(&article, 4..8).unwrap(),
            t0,
        );
        let id = a.id;
        let mut h = History::default();
        h.apply(&mut set, vec![Edit::Add(a)]).unwrap();
        let start = set.clone();

        let verdict = AttributeValue::Choice("false".into());
        let edit = set_attribute_edit(&set, id, "verification", Some(verdict.clone()), t1)
            .unwrap()
            .unwrap();
        assert!(matches!(edit, Edit::Update { .. }));
        h.apply(&mut set, vec![edit]).unwrap();
        assert_eq!(set.get(id).unwrap().attributes["verification"], verdict);
        assert_eq!(set.get(id).unwrap().modified, t1);
        // Setting the same value again changes nothing; bad values and keys are refused.
        assert_eq!(
            set_attribute_edit(&set, id, "verification", Some(verdict), t1),
            Ok(None)
        );
        for (key, value) in [
            ("verification", AttributeValue::Choice("wrong".into())),
            ("confidence", AttributeValue::Scale(0)),
            ("kind", AttributeValue::Choice("named".into())),
        ] {
            assert!(matches!(
                set_attribute_edit(&set, id, key, Some(value), t1),
                Err(EditError::Attribute(_))
            ));
        }
        let missing = AnnotationId::from_u128(404);
        assert_eq!(
            set_attribute_edit(&set, missing, "confidence", None, t1),
            Err(EditError::Missing(missing))
        );

        let edit = set_tags_edit(&set, id, [" Money ", "money", "港口"], t1).unwrap();
        h.apply(&mut set, vec![edit]).unwrap();
        assert_eq!(set.get(id).unwrap().tags, ["Money", "港口"]);
        assert!(set.get(id).unwrap().has_tag("MONEY"));
        assert_eq!(set.all_tags(), ["Money", "港口"]);
        assert!(set_tags_edit(&set, id, ["Money", " 港口"], t1).is_none());

        // Relabelling drops what the new label does not define.
        let edit = relabel_edit(&set, id, &LabelId::new("source"), t1).unwrap();
        h.apply(&mut set, vec![edit]).unwrap();
        assert!(set.get(id).unwrap().attributes.is_empty());
        assert_eq!(set.get(id).unwrap().tags.len(), 2, "tags stay");
        assert!(relabel_edit(&set, id, &LabelId::new("source"), t1).is_none());

        // Three undo steps (relabel, tags, verification) lead back to the plain annotation.
        for _ in 0..3 {
            h.undo(&mut set).unwrap();
        }
        assert_eq!(set, start);
    }
}
