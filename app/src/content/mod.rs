//! Content pages: the owner's list and editor (the catalog pages are in `catalog`).

pub mod admin_pages;
pub mod api;
pub mod chapters;

pub use domain::content as types;
