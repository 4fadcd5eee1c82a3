//! The owner's settings: branding (name, logo, primary colour), business details, the
//! timezone of the figures, and the emails (sender name, reply-to, which ones are sent).
//!
//! - `types`: `HexColour` and the settings as read and shown;
//! - `service` / `api`: load and save (owner only); `logo`: the logo upload and its route;
//! - `page`: `/admin/settings` with a live preview.

pub mod api;
#[cfg(feature = "ssr")]
pub mod logo;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

pub use types::{EmailPreview, HexColour, Settings};
