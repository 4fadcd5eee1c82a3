//! The signed-in user's own account: name, email and password.

pub mod api;
#[cfg(feature = "ssr")]
pub mod avatar;
pub mod page;

#[cfg(feature = "ssr")]
pub mod service;
