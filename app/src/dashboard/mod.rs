//! `/admin`: how the business is doing (the figures come from `backend::dashboard`).

pub mod api;
pub mod chart;
pub mod page;

pub use domain::dashboard::*;
