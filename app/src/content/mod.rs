//! Content: what the owner sells (a title, a price and a media item), parsed and checked.

pub mod types;
