//! Accounts: passwords, sessions, tokens, users, and who is calling.

pub mod caller;
pub mod password;
pub mod session;
pub mod sign_ins;
pub mod tokens;
pub mod users;

pub use caller::{Caller, Owner, SignedIn};
