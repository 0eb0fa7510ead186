//! Claimlens: take articles apart — mark what is claimed, on whose word, and who denies it.
//!
//! * [`model`]: pure data and rules (article, anchors, labels, annotations, undo history).
//! * [`store`]: RON load/save of annotation sets (versioned, atomic).
//! * [`app`]: the application state, its actions and the one place that applies them.
//! * [`ui`]: `*_ui` functions that draw state and push actions; the reader widget; the theme.
//! * [`cli`]: the command line; `claimlens reanchor` re-anchors a set without a window.

pub mod app;
pub mod cli;
pub mod export;
pub mod import;
pub mod interchange;
pub mod model;
pub mod store;
pub mod ui;
