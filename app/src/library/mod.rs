//! The customer's library page.

pub mod api;
pub mod page;

pub use domain::library::*;
