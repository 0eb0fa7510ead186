//! Annotations and the set that holds them: the document an analyst saves.

use std::fmt;

use super::anchor::{Anchor, AnchorCheck, TextPosition};
use super::annotations::Annotations;
use super::article::{Article, ContentHash};
use super::attributes::Attributes;
use super::labels::{LabelId, LabelSet};
use super::relations::Relation;

/// The file format version this build writes. Older versions are migrated by `store`.
///
/// * 1: the first format.
/// * 2: annotations may carry `review` (re-anchoring left them for the analyst to decide).
/// * 3: typed relations (relation types in the label set, relation ids of their own), attribute
///   definitions per label and attribute values and tags per annotation, a name for the label
///   set.
pub const FORMAT_VERSION: u32 = 3;

/// Stable unique id of an annotation: a random UUID, kept for the annotation's whole life
/// (saving, reopening, merging sets of several analysts).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct AnnotationId(pub uuid::Uuid);

impl AnnotationId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4())
    }

    /// Id from a number, for tests and examples: `from_u128(1)` is
    /// `00000000-0000-0000-0000-000000000001`.
    pub const fn from_u128(n: u128) -> Self {
        Self(uuid::Uuid::from_u128(n))
    }
}

impl fmt::Display for AnnotationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A point in time, UTC, written as RFC 3339 (`2026-11-23T22:06:01Z`).
pub type Timestamp = jiff::Timestamp;

/// One highlight: which text, what it is, and the analyst's note on it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Annotation {
    pub id: AnnotationId,
    pub label: LabelId,
    pub anchor: Anchor,
    /// Free text, may span several lines; empty when there is no note.
    pub note: String,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// Set when re-anchoring against a changed article could not place this annotation
    /// confidently; cleared when the analyst decides. While set, `anchor` is the anchor in the
    /// older text the annotation was made on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// Values of the label's attributes, by attribute id (format 3); see
    /// [`check_attributes`](super::check_attributes).
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    /// Free tags, as [`normalize_tags`](super::normalize_tags) leaves them (format 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Annotation {
    /// A new annotation with a fresh id, no note, attributes or tags, made at `now`.
    pub fn new(label: LabelId, anchor: Anchor, now: Timestamp) -> Self {
        Self {
            id: AnnotationId::random(),
            label,
            anchor,
            note: String::new(),
            created: now,
            modified: now,
            review: None,
            attributes: Attributes::new(),
            tags: Vec::new(),
        }
    }

    /// Has this tag (without regard to case)?
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags
            .iter()
            .any(|t| super::attributes::same_tag(t, tag))
    }
}

/// Why an annotation waits for the analyst after re-anchoring.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Review {
    pub status: ReviewStatus,
    /// The proposed place in the current article (for `Moved`).
    pub proposal: Option<TextPosition>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ReviewStatus {
    /// Found, but not confidently: the proposal needs a look.
    Moved,
    /// Not found in the current article.
    Orphaned,
}

/// Which article a set annotates.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArticleRef {
    /// Path of the article relative to the folder of the set file, with `/` separators
    /// (e.g. `"story.txt"` or `"../articles/story.txt"`); `claimlens:sample` for the bundled
    /// sample article; empty if unknown.
    pub path: String,
    pub title: String,
    /// Hash of the article text the anchors were made against.
    pub content_hash: ContentHash,
}

/// Everything one analyst marked in one article: what a `.claimlens.ron` file holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AnnotationSet {
    pub format_version: u32,
    pub article: ArticleRef,
    /// Who made the annotations (set-level: one set, one analyst).
    pub analyst: String,
    pub labels: LabelSet,
    /// Sorted by start offset, end offset, then id, so files diff well; found by id.
    pub annotations: Annotations,
    /// Typed links between annotations (see [`relations`](super::relations)), kept sorted by
    /// id so that undo puts a relation back where it was and files diff well.
    pub relations: Vec<Relation>,
}

impl AnnotationSet {
    /// An empty set for `article`, with the default labels.
    pub fn new(article: &Article, article_path: String) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            article: ArticleRef {
                path: article_path,
                title: article.title.clone(),
                content_hash: article.hash.clone(),
            },
            analyst: String::new(),
            labels: LabelSet::default(),
            annotations: Annotations::default(),
            relations: Vec::new(),
        }
    }

    /// The annotation with `id` (at once, however large the set).
    pub fn get(&self, id: AnnotationId) -> Option<&Annotation> {
        self.annotations.get(id)
    }

    /// Restores the canonical order of the relations (by id); the annotations are always in
    /// theirs.
    pub fn sort(&mut self) {
        self.relations.sort_by_key(|r| r.id);
    }

    /// Inserts a relation at its place in the canonical order (by id).
    pub fn insert_relation(&mut self, relation: Relation) {
        let at = self.relations.partition_point(|r| r.id < relation.id);
        self.relations.insert(at, relation);
    }

    /// Inserts an annotation at its place in the canonical order.
    pub fn insert(&mut self, annotation: Annotation) {
        self.annotations.insert(annotation);
    }

    /// Removes and returns the annotation with `id`.
    pub fn remove(&mut self, id: AnnotationId) -> Option<Annotation> {
        self.annotations.remove(id)
    }

    /// Annotations whose stored position no longer holds their quote in `article`.
    pub fn mismatched<'a>(&'a self, article: &'a Article) -> impl Iterator<Item = &'a Annotation> {
        self.annotations
            .iter()
            .filter(move |a| a.anchor.check(article) == AnchorCheck::Mismatch)
    }

    /// Annotations waiting for the analyst's decision after re-anchoring.
    pub fn pending_review(&self) -> impl Iterator<Item = &Annotation> {
        // None waiting (the usual case): not a step over the set.
        let upto = if self.has_pending_review() {
            self.annotations.len()
        } else {
            0
        };
        self.annotations
            .iter()
            .take(upto)
            .filter(|a| a.review.is_some())
    }

    /// Is any annotation waiting for review (at once, however large the set)?
    pub fn has_pending_review(&self) -> bool {
        self.annotations.in_review() > 0
    }

    /// Ids that occur more than once (a hand-edited file may contain them).
    pub fn duplicate_ids(&self) -> Vec<AnnotationId> {
        let mut ids: Vec<_> = self.annotations.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        let mut dups: Vec<_> = ids
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        dups.dedup();
        dups
    }

    /// Every tag used in the set, once each, sorted without regard to case: what a tag filter
    /// offers (see [`Annotations::tags`]; without going over the set).
    pub fn all_tags(&self) -> Vec<String> {
        self.annotations.tags()
    }

    /// Counts per label, in label order, including labels with no annotations; then labels
    /// the set does not define (a hand-edited file), in the order they first occur. Without
    /// going over the annotations unless there are such labels.
    pub fn counts(&self) -> Vec<(LabelId, usize)> {
        let mut counts: Vec<(LabelId, usize)> = self
            .labels
            .labels
            .iter()
            .map(|l| (l.id.clone(), self.annotations.count_of(&l.id)))
            .collect();
        let defined: usize = counts.iter().map(|(_, n)| n).sum();
        if defined < self.annotations.len() {
            for a in &self.annotations {
                if !counts.iter().any(|(id, _)| id == &a.label) {
                    counts.push((a.label.clone(), self.annotations.count_of(&a.label)));
                }
            }
        }
        counts
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::anchor::Anchor;

    /// An annotation with id `id` on `range` of `article`, made at the epoch.
    pub(crate) fn annotation(
        article: &Article,
        id: u128,
        range: std::ops::Range<usize>,
        label: &str,
    ) -> Annotation {
        let t = Timestamp::UNIX_EPOCH;
        Annotation {
            id: AnnotationId::from_u128(id),
            label: LabelId::new(label),
            anchor: Anchor::new(article, range).unwrap(),
            note: String::new(),
            created: t,
            modified: t,
            review: None,
            attributes: Attributes::new(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn insert_keeps_canonical_order_and_remove_finds_by_id() {
        let article = Article::from_plain_text("one two three four", "t");
        let mut set = AnnotationSet::new(&article, "t.txt".into());
        set.insert(annotation(&article, 3, 8..13, "claim"));
        set.insert(annotation(&article, 2, 0..3, "source"));
        set.insert(annotation(&article, 1, 0..3, "claim"));
        set.insert(annotation(&article, 4, 0..7, "denial"));
        let order: Vec<u128> = set.annotations.iter().map(|a| a.id.0.as_u128()).collect();
        assert_eq!(order, [1, 2, 4, 3]);
        let removed = set.remove(AnnotationId::from_u128(2)).unwrap();
        assert_eq!(removed.anchor.quote.exact, "one");
        assert!(set.remove(AnnotationId::from_u128(2)).is_none());
        assert_eq!(
            set.counts(),
            [
                (LabelId::new("claim"), 2),
                (LabelId::new("source"), 0),
                (LabelId::new("denial"), 1)
            ]
        );
    }

    #[test]
    fn duplicate_ids_are_reported_once() {
        let article = Article::from_plain_text("one two", "t");
        let mut set = AnnotationSet::new(&article, String::new());
        let mut all = vec![annotation(&article, 8, 4..7, "claim")];
        for _ in 0..3 {
            all.push(annotation(&article, 7, 0..3, "claim"));
        }
        set.annotations = all.into();
        assert_eq!(set.duplicate_ids(), [AnnotationId::from_u128(7)]);
    }

    #[test]
    fn mismatched_lists_anchors_that_no_longer_fit() {
        let old = Article::from_plain_text("one two", "t");
        let mut set = AnnotationSet::new(&old, String::new());
        set.insert(annotation(&old, 1, 0..3, "claim"));
        set.insert(annotation(&old, 2, 4..7, "claim"));
        let new = Article::from_plain_text("one too", "t");
        let ids: Vec<_> = set.mismatched(&new).map(|a| a.id).collect();
        assert_eq!(ids, [AnnotationId::from_u128(2)]);
    }
}
