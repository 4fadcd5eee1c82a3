//! Accounts as pages: registration, first-run setup, login and logout, email verification
//! and password reset. `guard` turns the request's session into the caller the backend
//! takes.

pub mod api;
pub mod context;
pub mod email_verification_page;
pub mod login_page;
pub mod password_reset_pages;
pub mod register_page;

#[cfg(feature = "ssr")]
pub mod guard;

pub use domain::auth as types;
