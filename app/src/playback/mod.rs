//! The watch page and its player.

pub mod api;
pub mod watch_page;

pub use domain::playback::*;
