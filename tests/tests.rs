//! The one integration-test binary (see ../shared/STYLE.md): modules by area.

mod cli;
mod export;
mod gui;
mod gui_analysts;
mod gui_heights;
mod gui_labels;
mod gui_recovery;
mod gui_relations;
mod hostile;
mod import;
mod interchange;
mod paragraph_props;
mod purity;
mod reanchor_props;
mod relations_props;
#[cfg(feature = "snapshots")]
mod snapshots;
mod store;
