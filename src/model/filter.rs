//! Filtering annotations: which of them the side panel and the reader show.
//!
//! A [`Filter`] is a conjunction of its parts; each part left empty lets everything through:
//!
//! * `labels`: the annotation has one of these labels;
//! * `tags`: the annotation has all of these tags (without regard to case);
//! * `attribute`: the annotation's attribute with this id has this value;
//! * `text`: the quote or the note contains the text, without regard to case (Unicode lower
//!   case of both; `"ÉTÉ"` finds `"été"`, `"Straße"` finds `"STRASSE"` only as `"strasse"`).

use super::annotation::Annotation;
use super::attributes::{AttributeValue, same_tag};
use super::labels::LabelId;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Any of these labels; empty: any label.
    pub labels: Vec<LabelId>,
    /// All of these tags; empty: no condition.
    pub tags: Vec<String>,
    /// `(attribute id, value)`; `None`: no condition.
    pub attribute: Option<(String, AttributeValue)>,
    /// Searched in quote and note; blank: no condition. Leading and trailing space is ignored.
    pub text: String,
}

impl Filter {
    /// Lets everything through?
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
            && self.tags.iter().all(|t| t.trim().is_empty())
            && self.attribute.is_none()
            && self.text.trim().is_empty()
    }

    pub fn matches(&self, annotation: &Annotation) -> bool {
        if !self.labels.is_empty() && !self.labels.contains(&annotation.label) {
            return false;
        }
        let has_tag = |tag: &String| {
            tag.trim().is_empty() || annotation.tags.iter().any(|t| same_tag(t, tag))
        };
        if !self.tags.iter().all(has_tag) {
            return false;
        }
        if let Some((id, value)) = &self.attribute
            && annotation.attributes.get(id) != Some(value)
        {
            return false;
        }
        let needle = self.text.trim();
        if !needle.is_empty() {
            let needle = needle.to_lowercase();
            let found = |haystack: &str| haystack.to_lowercase().contains(&needle);
            if !found(&annotation.anchor.quote.exact) && !found(&annotation.note) {
                return false;
            }
        }
        true
    }

    /// The annotations of `annotations` that match, in their order.
    pub fn apply<'a>(
        &'a self,
        annotations: &'a [Annotation],
    ) -> impl Iterator<Item = &'a Annotation> + 'a {
        annotations.iter().filter(|a| self.matches(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, AnnotationId, Article, Timestamp};

    fn ann(article: &Article, label: &str, range: std::ops::Range<usize>) -> Annotation {
        let mut a = Annotation::new(
            LabelId::new(label),
            Anchor::new(article, range).unwrap(),
            Timestamp::UNIX_EPOCH,
        );
        a.id = AnnotationId::from_u128(1);
        a
    }

    #[test]
    fn each_part_narrows_and_empty_parts_let_everything_through() {
        let article = Article::from_plain_text("Die Straße in ÉTÉ-Stadt, said the MINISTRY.", "t");
        let mut a = ann(&article, "claim", 4..10);
        a.note = "Zoë checked the Ministry's reply".into();
        a.tags = vec!["Economy".into(), "follow-up".into()];
        a.attributes
            .insert("confidence".into(), AttributeValue::Scale(4));
        let f = |f: Filter| f.matches(&a);

        assert!(Filter::default().is_empty());
        assert!(f(Filter::default()));
        assert!(f(Filter {
            labels: vec![LabelId::new("source"), LabelId::new("claim")],
            ..Filter::default()
        }));
        assert!(!f(Filter {
            labels: vec![LabelId::new("source")],
            ..Filter::default()
        }));
        // Tags: all must be there, any case; blank ones are ignored.
        let tags = |t: &[&str]| Filter {
            tags: t.iter().map(|&s| s.to_owned()).collect(),
            ..Filter::default()
        };
        assert!(f(tags(&["economy", " FOLLOW-UP ", " "])));
        assert!(!f(tags(&["economy", "politics"])));
        assert!(tags(&[" "]).is_empty());
        // Attribute: exact value.
        let attr = |v| Filter {
            attribute: Some(("confidence".into(), v)),
            ..Filter::default()
        };
        assert!(f(attr(AttributeValue::Scale(4))));
        assert!(!f(attr(AttributeValue::Scale(3))));
        assert!(!f(attr(AttributeValue::Choice("4".into()))));
    }

    #[test]
    fn text_matches_quote_or_note_ignoring_case_in_any_script() {
        let article = Article::from_plain_text("Die STRASSE in ÉTÉ-Stadt, said ΟΔΥΣΣΕΥΣ.", "t");
        let mut a = ann(&article, "claim", 4..23);
        a.note = "Zoë checked the reply".into();
        let text = |t: &str| {
            Filter {
                text: t.into(),
                ..Filter::default()
            }
            .matches(&a)
        };
        assert_eq!(a.anchor.quote.exact, "STRASSE in ÉTÉ-Stad");
        assert!(text("strasse"));
        assert!(text("été"), "accented upper case in the quote");
        assert!(text("  ZOË  "), "note, trimmed, upper-case needle");
        assert!(text("checked THE"));
        assert!(!text("ministry"), "outside the quote");
        assert!(text("   "), "blank text is no condition");
        assert!(!text("straße"), "no full case folding: ß is not ss");
        let greek = ann(&article, "claim", 31..39);
        assert!(
            Filter {
                text: "οδυσσ".into(),
                ..Filter::default()
            }
            .matches(&greek)
        );
    }
}
