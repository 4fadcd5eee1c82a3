//! Who may watch, the signed playlist URL, and where each viewer stopped.

pub mod service;
