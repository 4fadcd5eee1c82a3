//! The user's own account: signing up and in (`sign_in`), then name, email, password
//! (`profile`) and avatar.

pub mod avatar;
pub mod profile;
pub mod sign_in;
