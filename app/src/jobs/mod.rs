//! `/admin/jobs`: the owner's view of background work (waiting, running, failed with the
//! error) and Retry; the runner is `backend::jobs`.

pub mod api;
pub mod page;
