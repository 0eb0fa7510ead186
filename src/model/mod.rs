//! The pure data model: article, anchors, labels, annotations, the set, edits and undo history.
//!
//! Nothing here knows about the screen or the file system (a test in `tests/` holds that line),
//! so every rule can be tested without a window or a disk.

mod anchor;
mod annotation;
mod article;
mod history;
mod labels;
mod reanchor;
mod review;
pub mod structure;

pub use anchor::{Anchor, AnchorCheck, AnchorError, CONTEXT_CHARS, TextPosition, TextQuote};
pub use annotation::{
    Annotation, AnnotationId, AnnotationSet, ArticleRef, FORMAT_VERSION, Relation, Review,
    ReviewStatus, Timestamp,
};
pub use article::{
    Article, BlockKind, ContentHash, Paragraph, StyledSpan, is_word_char, normalize_text,
};
pub use history::{Edit, EditError, History, Transaction};
pub use labels::{Label, LabelId, LabelSet, Rgb};
pub use reanchor::{Method, Placement, Status, Thresholds, best_approximate_match, reanchor};
pub use review::{ReanchorSummary, ReviewDecision, reanchor_edits, reanchor_set, review_edit};
