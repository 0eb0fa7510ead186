//! The one integration-test binary (see ../shared/STYLE.md): modules by area.

mod gui;
mod purity;
mod store;
