//! The owner's media page and its upload form.

pub mod api;
pub mod page;
pub mod upload_form;

pub use domain::media as types;
