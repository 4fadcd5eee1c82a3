//! `/admin/settings` with a live preview, the storefront's footer links, and the `/terms`
//! and `/privacy` pages; loading and saving are in `backend::settings`.

pub mod api;
pub mod legal_pages;
pub mod page;
pub mod storefront_form;

pub use domain::settings as types;
pub use domain::settings::{EmailPreview, HexColour, Settings};
