//! Labels: what kind of thing a highlight marks. The default set is Claim, Source, Denial.
//!
//! A [`LabelSet`] also carries what goes with its labels: each label's attribute definitions
//! and the relation types between labels. It has a name, so it can be saved on its own as a
//! preset (see `store::preset_to_string`). Editing it (rename, recolour, keys, add and remove
//! labels) goes through [`labels_edits`], which yields one undoable transaction that also keeps
//! the annotations consistent with the new definitions.

use super::annotation::{AnnotationSet, Timestamp};
use super::attributes::{
    AttributeDef, default_claim_attributes, default_source_attributes, retain_allowed,
};
use super::history::Edit;
use super::relations::{RelationType, RelationTypeId, default_relation_types};

/// Stable identifier of a label within a set, e.g. `"claim"`. Never shown to the user.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct LabelId(pub String);

impl LabelId {
    pub fn new(id: &str) -> Self {
        Self(id.to_owned())
    }
}

/// An sRGB colour, written in files as `"#rrggbb"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    pub fn to_hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// Parses `#rrggbb` (case-insensitive).
    pub fn from_hex(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self([channel(0)?, channel(2)?, channel(4)?]))
    }
}

impl Rgb {
    /// WCAG 2 relative luminance: 0 for black, 1 for white.
    pub fn relative_luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// WCAG 2 contrast ratio between two colours, from 1 (same) to 21 (black on white).
    pub fn contrast_ratio(self, other: Self) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// The reader's page colour in the light theme.
pub const LIGHT_BACKGROUND: Rgb = Rgb([0xfb, 0xfa, 0xf7]);
/// The reader's page colour in the dark theme.
pub const DARK_BACKGROUND: Rgb = Rgb([0x18, 0x18, 0x18]);

/// Colours offered for labels, with their names. Criterion: each is drawn as a solid
/// underline, a non-text graphic, so WCAG 2.1 SC 1.4.11 asks for a contrast of at least 3:1
/// against the adjacent colour, the page, on **both** [`LIGHT_BACKGROUND`] and
/// [`DARK_BACKGROUND`] (a test holds this). That confines the relative luminance to about
/// 0.13–0.28: mid-tone colours, told apart by hue (spread around the wheel) and, for brown and
/// slate, by saturation.
pub const PALETTE: [(&str, Rgb); 10] = [
    ("red", Rgb([0xd6, 0x3a, 0x5a])),
    ("orange", Rgb([0xc8, 0x64, 0x1e])),
    ("ochre", Rgb([0xa6, 0x7c, 0x00])),
    ("green", Rgb([0x3a, 0x9a, 0x3a])),
    ("teal", Rgb([0x18, 0x94, 0x8c])),
    ("blue", Rgb([0x35, 0x84, 0xe4])),
    ("purple", Rgb([0x9b, 0x59, 0xd0])),
    ("magenta", Rgb([0xc2, 0x40, 0x9a])),
    ("brown", Rgb([0xa0, 0x70, 0x4a])),
    ("slate", Rgb([0x6f, 0x7f, 0x96])),
];

impl serde::Serialize for Rgb {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::from_hex(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a #rrggbb colour: {s:?}")))
    }
}

/// One label: its id, the name shown, its colour and the digit key that applies it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub id: LabelId,
    pub name: String,
    pub colour: Rgb,
    /// `1`–`9`: pressing this digit marks the selection with this label.
    pub key: Option<u8>,
    /// What an annotation with this label may record (format 3; none before).
    #[serde(default)]
    pub attributes: Vec<AttributeDef>,
}

impl Label {
    pub fn attribute(&self, id: &str) -> Option<&AttributeDef> {
        self.attributes.iter().find(|d| d.id == id)
    }
}

/// The labels a set uses, in display order, with their attributes and the relation types
/// between them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LabelSet {
    /// Shown when the set is saved or chosen as a preset; may be empty (format 3; sets migrated
    /// from older formats have none).
    #[serde(default)]
    pub name: String,
    pub labels: Vec<Label>,
    /// In the order they are offered (format 3; sets migrated from older formats get the
    /// defaults).
    #[serde(default)]
    pub relation_types: Vec<RelationType>,
}

impl Default for LabelSet {
    /// Claim (1, amber), Source (2, blue), Denial (3, red): hues far apart that stay
    /// distinguishable for the common colour-vision deficiencies and on light and dark themes.
    /// Claim and Source carry the default attributes
    /// ([`default_claim_attributes`], [`default_source_attributes`]); the relation types are
    /// [`default_relation_types`]. Named "Claims, sources, denials".
    fn default() -> Self {
        let label = |id: &str, name: &str, colour: [u8; 3], key: u8| Label {
            id: LabelId::new(id),
            name: name.to_owned(),
            colour: Rgb(colour),
            key: Some(key),
            attributes: default_attributes(&LabelId::new(id)),
        };
        Self {
            name: DEFAULT_NAME.to_owned(),
            labels: vec![
                label("claim", "Claim", [0xe6, 0x9f, 0x00], 1),
                label("source", "Source", [0x35, 0x84, 0xe4], 2),
                label("denial", "Denial", [0xd6, 0x3a, 0x5a], 3),
            ],
            relation_types: default_relation_types(),
        }
    }
}

/// Name of the default label set.
pub const DEFAULT_NAME: &str = "Claims, sources, denials";

/// The default attribute definitions of a default label id (`claim`, `source`); none for
/// others.
pub fn default_attributes(label: &LabelId) -> Vec<AttributeDef> {
    match label.0.as_str() {
        "claim" => default_claim_attributes(),
        "source" => default_source_attributes(),
        _ => Vec::new(),
    }
}

impl LabelSet {
    pub fn get(&self, id: &LabelId) -> Option<&Label> {
        self.labels.iter().find(|l| &l.id == id)
    }

    pub fn by_key(&self, key: u8) -> Option<&Label> {
        self.labels.iter().find(|l| l.key == Some(key))
    }

    /// Position of the label in display order (unknown labels sort last).
    pub fn order_of(&self, id: &LabelId) -> usize {
        self.labels
            .iter()
            .position(|l| &l.id == id)
            .unwrap_or(self.labels.len())
    }

    /// Display name, or the raw id for a label the set does not define.
    pub fn name_of<'a>(&'a self, id: &'a LabelId) -> &'a str {
        self.get(id).map_or(&id.0, |l| &l.name)
    }
}

/// Why a label-set change cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("there is no label {0:?}")]
    UnknownLabel(LabelId),
    #[error("a label needs a name")]
    EmptyName,
    #[error("a label needs an id")]
    EmptyId,
    #[error("label id {0:?} occurs more than once")]
    DuplicateId(LabelId),
    #[error("keys are 1 to 9, not {0}")]
    BadKey(u8),
    #[error("key {key} already marks label {label:?}")]
    KeyInUse { key: u8, label: LabelId },
    #[error("{count} annotation(s) are labelled {label:?}: choose another label to give them")]
    InUse { label: LabelId, count: usize },
    #[error("annotations of a removed label cannot be given that same label")]
    ReassignToRemoved,
    #[error("relation type id {0:?} is empty or occurs more than once")]
    BadRelationTypeId(RelationTypeId),
    #[error("relation type {kind:?} names label {label:?}, which the set does not define")]
    RelationTypeLabel {
        kind: RelationTypeId,
        label: LabelId,
    },
    #[error("attribute {attribute:?} of label {label:?}: {reason}")]
    BadAttribute {
        label: LabelId,
        attribute: String,
        reason: String,
    },
}

impl LabelSet {
    fn get_mut(&mut self, id: &LabelId) -> Result<&mut Label, LabelError> {
        self.labels
            .iter_mut()
            .find(|l| &l.id == id)
            .ok_or_else(|| LabelError::UnknownLabel(id.clone()))
    }

    /// Everything a label set must satisfy to be edited, saved as a preset or applied: ids
    /// present and unique, names not blank, keys 1–9 and unique, attribute definitions usable
    /// and unique per label, relation type ids unique and naming only labels of the set.
    pub fn check(&self) -> Result<(), LabelError> {
        for (i, label) in self.labels.iter().enumerate() {
            if label.id.0.is_empty() {
                return Err(LabelError::EmptyId);
            }
            if label.name.trim().is_empty() {
                return Err(LabelError::EmptyName);
            }
            if self.labels[..i].iter().any(|l| l.id == label.id) {
                return Err(LabelError::DuplicateId(label.id.clone()));
            }
            if let Some(key) = label.key {
                if !(1..=9).contains(&key) {
                    return Err(LabelError::BadKey(key));
                }
                if let Some(other) = self.labels[..i].iter().find(|l| l.key == Some(key)) {
                    return Err(LabelError::KeyInUse {
                        key,
                        label: other.id.clone(),
                    });
                }
            }
            for (j, def) in label.attributes.iter().enumerate() {
                let reason = def.problem().or_else(|| {
                    label.attributes[..j]
                        .iter()
                        .any(|d| d.id == def.id)
                        .then(|| "it is defined twice".to_owned())
                });
                if let Some(reason) = reason {
                    return Err(LabelError::BadAttribute {
                        label: label.id.clone(),
                        attribute: def.id.clone(),
                        reason,
                    });
                }
            }
        }
        for (i, t) in self.relation_types.iter().enumerate() {
            if t.id.0.is_empty() || self.relation_types[..i].iter().any(|o| o.id == t.id) {
                return Err(LabelError::BadRelationTypeId(t.id.clone()));
            }
            if let Some(label) = t
                .from_labels
                .iter()
                .chain(&t.to_labels)
                .find(|l| self.get(l).is_none())
            {
                return Err(LabelError::RelationTypeLabel {
                    kind: t.id.clone(),
                    label: label.clone(),
                });
            }
        }
        Ok(())
    }

    /// Renames a label (the name is trimmed; its id stays).
    pub fn rename(&mut self, id: &LabelId, name: &str) -> Result<(), LabelError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(LabelError::EmptyName);
        }
        self.get_mut(id)?.name = name.to_owned();
        Ok(())
    }

    /// Gives a label another colour (the app offers [`PALETTE`]; any colour is accepted).
    pub fn recolour(&mut self, id: &LabelId, colour: Rgb) -> Result<(), LabelError> {
        self.get_mut(id)?.colour = colour;
        Ok(())
    }

    /// Sets or clears the digit key of a label. A key another label has is refused
    /// ([`LabelError::KeyInUse`]): clear it there first.
    pub fn set_key(&mut self, id: &LabelId, key: Option<u8>) -> Result<(), LabelError> {
        if let Some(key) = key {
            if !(1..=9).contains(&key) {
                return Err(LabelError::BadKey(key));
            }
            if let Some(other) = self
                .labels
                .iter()
                .find(|l| l.key == Some(key) && &l.id != id)
            {
                return Err(LabelError::KeyInUse {
                    key,
                    label: other.id.clone(),
                });
            }
        }
        self.get_mut(id)?.key = key;
        Ok(())
    }

    /// The lowest digit no label uses, if any.
    pub fn free_key(&self) -> Option<u8> {
        (1..=9).find(|&k| self.by_key(k).is_none())
    }

    /// Adds a label named `name` (trimmed) at the end, with the first [`PALETTE`] colour no
    /// label uses (or the palette again, round-robin), the lowest free key, and no attributes.
    /// Its id is made from the name (lower case, words joined by `-`), made unique with a
    /// number: `"Hedge words"` → `hedge-words`, a second one → `hedge-words-2`.
    pub fn add_label(&mut self, name: &str) -> Result<LabelId, LabelError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(LabelError::EmptyName);
        }
        let id = unique_id(&slug(name, "label"), |c| {
            self.labels.iter().any(|l| l.id.0 == c)
        });
        let colour = PALETTE
            .iter()
            .map(|&(_, c)| c)
            .find(|c| self.labels.iter().all(|l| l.colour != *c))
            .unwrap_or(PALETTE[self.labels.len() % PALETTE.len()].1);
        let id = LabelId(id);
        self.labels.push(Label {
            id: id.clone(),
            name: name.to_owned(),
            colour,
            key: self.free_key(),
            attributes: Vec::new(),
        });
        Ok(id)
    }

    /// Adds a relation type named `name` between the given labels (empty: any), with an id made
    /// from the name like [`LabelSet::add_label`]'s.
    pub fn add_relation_type(
        &mut self,
        name: &str,
        from_labels: Vec<LabelId>,
        to_labels: Vec<LabelId>,
        symmetric: bool,
    ) -> Result<RelationTypeId, LabelError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(LabelError::EmptyName);
        }
        if let Some(label) = from_labels
            .iter()
            .chain(&to_labels)
            .find(|l| self.get(l).is_none())
        {
            return Err(LabelError::UnknownLabel(label.clone()));
        }
        let id = RelationTypeId(unique_id(&slug(name, "relation"), |c| {
            self.relation_types.iter().any(|t| t.id.0 == c)
        }));
        self.relation_types.push(RelationType {
            id: id.clone(),
            name: name.to_owned(),
            from_labels,
            to_labels,
            symmetric,
        });
        Ok(id)
    }

    /// Removes a label from the set alone. Relation types that name it name `reassign`
    /// instead, or, without one, just lose it from their lists; a type whose list would become
    /// empty (which would mean "any label") is removed. The annotations are not touched: use
    /// [`remove_label_edits`] on a set.
    pub fn remove_label(
        &mut self,
        id: &LabelId,
        reassign: Option<&LabelId>,
    ) -> Result<(), LabelError> {
        let at = self
            .labels
            .iter()
            .position(|l| &l.id == id)
            .ok_or_else(|| LabelError::UnknownLabel(id.clone()))?;
        if let Some(to) = reassign {
            if to == id {
                return Err(LabelError::ReassignToRemoved);
            }
            if self.get(to).is_none() {
                return Err(LabelError::UnknownLabel(to.clone()));
            }
        }
        self.labels.remove(at);
        self.relation_types.retain_mut(|t| {
            let mut emptied = false;
            for list in [&mut t.from_labels, &mut t.to_labels] {
                if !list.contains(id) {
                    continue;
                }
                list.retain(|l| l != id);
                match reassign {
                    Some(to) if !list.contains(to) => list.push(to.clone()),
                    Some(_) => {}
                    None => emptied |= list.is_empty(),
                }
            }
            !emptied
        });
        Ok(())
    }
}

/// `name` in lower case with runs of other characters than letters and digits turned into one
/// `-`; `fallback` if nothing is left.
pub(crate) fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out.to_owned()
    }
}

/// `base`, or `base-2`, `base-3`, … : the first that `taken` says is free.
pub(crate) fn unique_id(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken(c))
        .unwrap_or_else(|| base.to_owned())
}

/// The edits that replace the set's labels by `new` as one transaction, keeping the
/// annotations consistent with it:
///
/// 1. relations whose type `new` no longer defines are removed;
/// 2. attribute values the new definitions no longer allow are dropped from their annotations
///    (`modified` becomes `now`);
/// 3. the label set is replaced ([`Edit::SetLabels`]).
///
/// Refused if `new` fails [`LabelSet::check`], or if it drops a label annotations still carry
/// (use [`remove_label_edits`] to give them another). Empty if nothing changes.
pub fn labels_edits(
    set: &AnnotationSet,
    new: LabelSet,
    now: Timestamp,
) -> Result<Vec<Edit>, LabelError> {
    if new == set.labels {
        return Ok(Vec::new());
    }
    new.check()?;
    for old in &set.labels.labels {
        let count = set.annotations.iter().filter(|a| a.label == old.id).count();
        if count > 0 && new.get(&old.id).is_none() {
            return Err(LabelError::InUse {
                label: old.id.clone(),
                count,
            });
        }
    }
    let mut edits: Vec<Edit> = set
        .relations
        .iter()
        .filter(|r| {
            set.labels.relation_type(&r.kind).is_some() && new.relation_type(&r.kind).is_none()
        })
        .cloned()
        .map(Edit::RemoveRelation)
        .collect();
    for a in &set.annotations {
        // Annotations of labels neither set defines keep what they have.
        if new.get(&a.label).is_none() {
            continue;
        }
        let kept = retain_allowed(&new, &a.label, &a.attributes);
        if kept != a.attributes {
            let mut after = a.clone();
            after.attributes = kept;
            after.modified = now;
            edits.push(Edit::Update {
                before: Box::new(a.clone()),
                after: Box::new(after),
            });
        }
    }
    edits.push(Edit::SetLabels {
        before: Box::new(set.labels.clone()),
        after: Box::new(new),
    });
    Ok(edits)
}

/// The edits that remove label `id` from the set as one transaction. Annotations carrying it
/// get label `reassign` (keeping the attribute values the new label allows); without
/// `reassign`, a label in use is refused with [`LabelError::InUse`] (so nothing is lost
/// silently). Relation types follow [`LabelSet::remove_label`]; relations of a type that goes
/// are removed.
pub fn remove_label_edits(
    set: &AnnotationSet,
    id: &LabelId,
    reassign: Option<&LabelId>,
    now: Timestamp,
) -> Result<Vec<Edit>, LabelError> {
    let mut new = set.labels.clone();
    new.remove_label(id, reassign)?;
    let mut scratch = set.clone();
    let mut edits = Vec::new();
    if let Some(to) = reassign {
        for a in set.annotations.iter().filter(|a| &a.label == id) {
            let mut after = a.clone();
            after.label = to.clone();
            after.attributes = retain_allowed(&new, to, &a.attributes);
            after.modified = now;
            let edit = Edit::Update {
                before: Box::new(a.clone()),
                after: Box::new(after),
            };
            // Cannot fail: `a` is in the scratch copy as it is in the set.
            let _ = edit.apply(&mut scratch);
            edits.push(edit);
        }
    }
    let rest = labels_edits(&scratch, new, now)?;
    // Removing relations first keeps the order `labels_edits` promises.
    let (removals, others): (Vec<Edit>, Vec<Edit>) = rest
        .into_iter()
        .partition(|e| matches!(e, Edit::RemoveRelation(_)));
    Ok(removals.into_iter().chain(edits).chain(others).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let c = Rgb([0xe6, 0x9f, 0x00]);
        assert_eq!(c.to_hex(), "#e69f00");
        assert_eq!(Rgb::from_hex("#E69F00"), Some(c));
        for bad in ["e69f00", "#e69f0", "#e69f0g", "#ééé", ""] {
            assert_eq!(Rgb::from_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn defaults_are_claim_source_denial_on_keys_1_2_3() {
        let set = LabelSet::default();
        let names: Vec<_> = set.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Claim", "Source", "Denial"]);
        assert_eq!(set.by_key(2).map(|l| l.id.0.as_str()), Some("source"));
        assert!(set.by_key(4).is_none());
        assert_eq!(set.order_of(&LabelId::new("denial")), 2);
        assert_eq!(set.order_of(&LabelId::new("nope")), 3);
        assert_eq!(set.name_of(&LabelId::new("nope")), "nope");
    }

    #[test]
    fn palette_colours_contrast_at_least_3_to_1_on_both_backgrounds() {
        // WCAG contrast of sRGB colours: (L1 + 0.05) / (L2 + 0.05). Check the arithmetic on
        // black and white first: (1 + 0.05) / (0 + 0.05) = 21.
        assert!((Rgb([0, 0, 0]).contrast_ratio(Rgb([255, 255, 255])) - 21.0).abs() < 1e-9);
        // #3584e4: L = 0.2126·0.0356 + 0.7152·0.2307 + 0.0722·0.7758 ≈ 0.229;
        // on #fbfaf7 (L ≈ 0.955): 1.005 / 0.279 ≈ 3.61.
        let blue = Rgb([0x35, 0x84, 0xe4]);
        assert!((blue.relative_luminance() - 0.229).abs() < 0.001);
        assert!((blue.contrast_ratio(LIGHT_BACKGROUND) - 3.61).abs() < 0.01);
        for (name, colour) in PALETTE {
            for background in [LIGHT_BACKGROUND, DARK_BACKGROUND] {
                let ratio = colour.contrast_ratio(background);
                assert!(
                    ratio >= 3.0,
                    "{name} {} on {}: {ratio:.2}",
                    colour.to_hex(),
                    background.to_hex()
                );
            }
        }
        let mut hexes: Vec<String> = PALETTE.iter().map(|(_, c)| c.to_hex()).collect();
        hexes.sort();
        hexes.dedup();
        assert_eq!(hexes.len(), PALETTE.len());
    }

    #[test]
    fn the_default_set_passes_its_own_check() {
        let set = LabelSet::default();
        assert_eq!(set.check(), Ok(()));
        assert_eq!(set.name, DEFAULT_NAME);
        assert_eq!(set.get(&LabelId::new("claim")).unwrap().attributes.len(), 3);
        assert_eq!(
            set.get(&LabelId::new("source")).unwrap().attributes.len(),
            2
        );
        assert!(
            set.get(&LabelId::new("denial"))
                .unwrap()
                .attributes
                .is_empty()
        );
        assert_eq!(set.relation_types.len(), 5);
    }

    #[test]
    fn rename_recolour_and_keys() {
        let mut set = LabelSet::default();
        let claim = LabelId::new("claim");
        set.rename(&claim, "  Assertion ").unwrap();
        assert_eq!(set.name_of(&claim), "Assertion");
        assert_eq!(set.rename(&claim, " "), Err(LabelError::EmptyName));
        assert_eq!(
            set.rename(&LabelId::new("x"), "X"),
            Err(LabelError::UnknownLabel(LabelId::new("x")))
        );
        set.recolour(&claim, PALETTE[3].1).unwrap();
        assert_eq!(set.get(&claim).unwrap().colour, PALETTE[3].1);
        assert_eq!(
            set.set_key(&claim, Some(2)),
            Err(LabelError::KeyInUse {
                key: 2,
                label: LabelId::new("source")
            })
        );
        assert_eq!(set.set_key(&claim, Some(0)), Err(LabelError::BadKey(0)));
        assert_eq!(set.set_key(&claim, Some(10)), Err(LabelError::BadKey(10)));
        set.set_key(&claim, Some(1)).unwrap();
        set.set_key(&claim, Some(9)).unwrap();
        assert_eq!(set.by_key(9).unwrap().id, claim);
        assert_eq!(set.free_key(), Some(1));
        assert_eq!(set.check(), Ok(()));
    }

    #[test]
    fn added_labels_get_unique_ids_free_colours_and_keys() {
        let mut set = LabelSet::default();
        let a = set.add_label(" Hedge words ").unwrap();
        let b = set.add_label("hedge WORDS!").unwrap();
        let c = set.add_label("🙂").unwrap();
        let d = set.add_label("Überprüfung").unwrap();
        assert_eq!(
            [&a.0, &b.0, &c.0, &d.0],
            ["hedge-words", "hedge-words-2", "label", "überprüfung"]
        );
        let la = set.get(&a).unwrap();
        assert_eq!((la.name.as_str(), la.key), ("Hedge words", Some(4)));
        // Blue and red are taken by the defaults: the first free palette colour is orange.
        assert_eq!(la.colour, PALETTE[1].1);
        assert_eq!(set.get(&b).unwrap().colour, PALETTE[2].1);
        assert_eq!(set.add_label("  "), Err(LabelError::EmptyName));
        for n in 0..10 {
            set.add_label(&format!("extra {n}")).unwrap();
        }
        assert_eq!(set.labels.len(), 17);
        assert_eq!(set.free_key(), None, "keys 1–9 are all used");
        assert_eq!(set.labels.last().unwrap().key, None);
        assert_eq!(set.check(), Ok(()));
    }

    #[test]
    fn check_names_each_broken_rule() {
        let broken = |change: &dyn Fn(&mut LabelSet)| {
            let mut set = LabelSet::default();
            change(&mut set);
            set.check().unwrap_err()
        };
        assert!(matches!(
            broken(&|s| s.labels[1].id = LabelId::new("claim")),
            LabelError::DuplicateId(_)
        ));
        assert!(matches!(
            broken(&|s| s.labels[1].key = Some(1)),
            LabelError::KeyInUse { .. }
        ));
        assert!(matches!(
            broken(&|s| s.labels[1].name.clear()),
            LabelError::EmptyName
        ));
        assert!(matches!(
            broken(&|s| s.relation_types[1].id = s.relation_types[0].id.clone()),
            LabelError::BadRelationTypeId(_)
        ));
        assert!(matches!(
            broken(&|s| s.relation_types[0].to_labels = vec![LabelId::new("ghost")]),
            LabelError::RelationTypeLabel { .. }
        ));
        assert!(matches!(
            broken(&|s| {
                let dup = s.labels[0].attributes[0].clone();
                s.labels[0].attributes.push(dup);
            }),
            LabelError::BadAttribute { .. }
        ));
    }

    #[test]
    fn removing_a_label_fixes_the_relation_types() {
        let source = LabelId::new("source");
        let denial = LabelId::new("denial");
        // Without reassignment, types that needed `source` at an end go (attributed to,
        // issued by); the others stay.
        let mut set = LabelSet::default();
        set.remove_label(&source, None).unwrap();
        let ids: Vec<&str> = set.relation_types.iter().map(|t| t.id.0.as_str()).collect();
        assert_eq!(ids, ["denies", "supports", "contradicts"]);
        assert_eq!(set.check(), Ok(()));
        // With reassignment, they name the new label instead.
        let mut set = LabelSet::default();
        set.remove_label(&source, Some(&denial)).unwrap();
        let issued_by = set
            .relation_type(&RelationTypeId::new("issued-by"))
            .unwrap();
        assert_eq!(issued_by.to_labels, std::slice::from_ref(&denial));
        assert_eq!(set.check(), Ok(()));
        assert_eq!(
            set.remove_label(&denial, Some(&denial)),
            Err(LabelError::ReassignToRemoved)
        );
        assert_eq!(
            set.remove_label(&denial, Some(&source)),
            Err(LabelError::UnknownLabel(source))
        );
    }
}
