//! Accounts: registration, first-run setup, login and logout, email verification and
//! password reset.

pub mod api;
pub mod context;
pub mod email_verification_page;
pub mod login_page;
pub mod password_reset_pages;
pub mod register_page;
pub mod types;

#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod users;
