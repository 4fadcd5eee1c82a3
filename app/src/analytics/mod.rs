//! `/admin/analytics`: who watches, how much, how well it plays, and where buyers come from
//! (the figures come from `backend::analytics`).

pub mod api;
pub mod pages;
pub mod retention_chart;

pub use domain::analytics::*;
