//! The signed-in user's own account: name, email, password and avatar.

pub mod avatar;
pub mod profile;
