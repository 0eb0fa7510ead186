//! The pure data model: article, anchors, labels with their attributes and relation types,
//! annotations and relations, the set, edits and undo history, filters, and the comparison of
//! two analysts' sets.
//!
//! Nothing here knows about the screen or the file system (a test in `tests/` holds that line),
//! so every rule can be tested without a window or a disk.

pub mod agreement;
mod anchor;
mod annotation;
mod annotations;
pub(crate) mod article;
mod attributes;
mod filter;
mod find;
mod history;
mod labels;
pub(crate) use labels::{slug, unique_id};
mod reanchor;
pub mod relations;
mod review;
pub mod structure;

pub use agreement::{
    Agreement, Disagreement, DisagreementKind, Kappa, LabelAgreement, Scores, compare, merge_edits,
};
pub use anchor::{Anchor, AnchorCheck, AnchorError, CONTEXT_CHARS, TextPosition, TextQuote};
pub use annotation::{
    Annotation, AnnotationId, AnnotationSet, ArticleRef, FORMAT_VERSION, Review, ReviewStatus,
    Timestamp,
};
pub use annotations::{Annotations, SortKey};
pub use article::{
    Article, BlockKind, ContentHash, LONGEST_PARAGRAPH, Paragraph, StyledSpan, is_word_char,
    normalize_text,
};
pub use attributes::{
    AttributeDef, AttributeError, AttributeKind, AttributeValue, Attributes, ReviewRating,
    check_attributes, claim_review_rating, normalize_tags, relabel_edit, retain_allowed, same_tag,
    set_attribute_edit, set_tags_edit,
};
pub use filter::Filter;
pub use find::FoldedText;
pub use history::{Edit, EditError, History, Touched, Transaction};
pub use labels::{
    DARK_BACKGROUND, DEFAULT_NAME, LIGHT_BACKGROUND, Label, LabelError, LabelId, LabelSet, PALETTE,
    Rgb, default_attributes, labels_edits, remove_label_edits,
};
pub use reanchor::{Method, Placement, Status, Thresholds, best_approximate_match, reanchor};
pub use relations::{
    ClaimNode, ClaimTree, ClaimTreeIndex, DenialNode, LinkOption, Relation, RelationId,
    RelationType, RelationTypeId, add_relation_edit, check_new_relation, claim_tree,
    default_relation_types, delete_edits, link_candidates, link_options,
};
pub use review::{ReanchorSummary, ReviewDecision, reanchor_edits, reanchor_set, review_edit};

/// A small deterministic generator for randomised tests: `next(n)` is in `0..n`, the same
/// sequence for the same seed (xorshift64; the seed must not be 0).
#[cfg(test)]
pub(crate) fn test_rng(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}
