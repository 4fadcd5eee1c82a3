//! The owner's security log page; the log is written by the server's audit middleware and
//! kept in `backend::security_log`.

pub mod api;
pub mod page;
