//! Content pages: the owner's list and editor (the catalog pages are in `catalog`).

pub mod admin_pages;
pub mod api;
pub mod captions;
pub mod categories;
pub mod chapters;
pub mod downloads;

pub use domain::content as types;
