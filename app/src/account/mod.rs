//! The signed-in user's own account: name, email and password.

pub mod api;
pub mod page;

#[cfg(feature = "ssr")]
pub mod service;
