//! The signed-in user's own account page: name, email, password and avatar.

pub mod api;
pub mod page;
