//! The one integration-test binary (see ../shared/STYLE.md): modules by area.

mod gui;
mod purity;
#[cfg(feature = "snapshots")]
mod snapshots;
mod store;
