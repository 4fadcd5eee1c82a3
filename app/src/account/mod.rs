//! The signed-in user's own account page: name, email, password and avatar, where they are
//! signed in and where they are watching.

pub mod api;
pub mod devices;
pub mod page;
