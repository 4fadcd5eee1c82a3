//! Streams at once (`/admin/settings`, a tier's own limit on `/admin/memberships`): each
//! player a customer opens holds a lease (`leases`), renewed with its playback token; the
//! limit (`limit`) is counted against the live ones.

pub mod leases;
pub mod limit;

pub use leases::{Device, PruneStreamLeases};
