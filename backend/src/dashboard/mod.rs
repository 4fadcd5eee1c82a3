//! The owner's dashboard figures.

pub mod service;
