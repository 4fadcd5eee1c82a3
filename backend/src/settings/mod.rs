//! The owner's settings: load and save (owner only), and the logo upload and its route.

pub mod logo;
pub mod service;
