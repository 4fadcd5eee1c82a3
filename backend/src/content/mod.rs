//! Content: what the owner sells, the catalog queries, free access, the owner's cover
//! images, chapters and the sample content.

pub mod chapters;
pub mod cover_image;
pub mod samples;
pub mod service;
