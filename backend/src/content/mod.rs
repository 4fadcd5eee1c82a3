//! Content: what the owner sells, the catalog queries, free access, the owner's cover
//! images, categories, captions, chapters, files for buyers and the sample content.

pub mod captions;
pub mod categories;
pub mod chapters;
pub mod cover_image;
pub mod description;
pub mod downloads;
pub mod owned;
pub mod samples;
pub mod service;
