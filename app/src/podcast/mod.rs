//! The private podcast feed as the customer sees it on `/library` (its link, "Open in Apple
//! Podcasts", "Reset feed link") and the owner's networks per day. The feed and its
//! episodes are served by `backend::podcast`.

pub mod api;
pub mod feed_section;
pub mod networks_form;
