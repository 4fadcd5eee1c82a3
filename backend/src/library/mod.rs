//! The customer's library.

pub mod service;
