//! The types the pages and the backend share. Nothing here does I/O, and everything builds
//! for the browser (wasm) as well as for the server.
//!
//! - input parsed at the edge into types: `Email`, `NewPassword`, `Price` (and `Money` for
//!   any amount), `Slug`, `Tags`,
//!   `HexColour`; a bad value is an [`Invalid`] whose message names the field;
//! - statuses as enums (`ContentStatus`, `MediaStatus`, `PurchaseStatus`, ...);
//! - the views server functions return to pages;
//! - [`paths`]: every internal URL.

pub mod access;
pub mod analytics;
pub mod auth;
pub mod captions;
pub mod chapters;
pub mod content;
pub mod customers;
pub mod dashboard;
pub mod devices;
pub mod downloads;
pub mod email;
pub mod error;
pub mod jobs;
pub mod library;
pub mod marketing;
pub mod media;
pub mod memberships;
pub mod money;
pub mod outbound;
pub mod paths;
pub mod playback;
pub mod purchases;
pub mod security;
pub mod selling;
pub mod settings;
pub mod streams;

/// A value a person typed that does not pass validation; the message names the field and
/// is shown as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
