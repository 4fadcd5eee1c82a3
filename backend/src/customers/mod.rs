//! The owner's customers: search, pages, detail, CSV export.

pub mod export;
pub mod service;
