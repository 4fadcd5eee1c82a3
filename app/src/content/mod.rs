//! Content: what the owner sells (a title, a price and a media item), the catalog that
//! shows it, and free access.

pub mod admin_pages;
pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod samples;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod thumbnail;
