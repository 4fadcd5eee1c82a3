//! The owner's outbox page; templates, the outbox and delivery are in `backend::email`.

pub mod api;
pub mod outbox_page;

pub use domain::email::*;
