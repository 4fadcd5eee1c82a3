//! `/admin/settings` with a live preview; loading and saving are in `backend::settings`.

pub mod api;
pub mod page;

pub use domain::settings as types;
pub use domain::settings::{EmailPreview, HexColour, Settings};
