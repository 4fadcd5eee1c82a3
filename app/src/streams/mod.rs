//! Streams at once: the owner's limit ("Streams at once" in the settings, and per tier),
//! the list of a customer's open players with "Stop watching there" (on the watch page when
//! the limit is reached, and on `/account`). Leases and the limit are in `backend::streams`.

pub mod api;
pub mod limit_form;
pub mod stream_list;

pub use domain::streams::*;
