//! The owner's webhook endpoints and their delivery log, on `/admin/settings`; publishing
//! and delivery are in `backend::outbound`.

pub mod api;
pub mod section;

pub use domain::outbound::*;
