//! Memberships: tiers sold as Stripe subscriptions, unlocking the items the owner chose
//! while the subscription lasts.
//!
//! - `tiers`: the owner's tiers and the pricing page;
//! - `portal`: Checkout's return, "Manage membership" (Stripe's customer portal) and its
//!   return ("Subscribe" itself is `payments::subscribe`);
//! - `store`: every write to `subscriptions`: a membership's checkout, and the membership
//!   made to match its subscription, with its items' access (`access::sync_member`);
//! - `payments`: each paid invoice of a membership and what became of its payment
//!   (refunds, disputes), told to the owner and counted in the figures;
//! - `stats`: members and monthly recurring revenue for the dashboard.

pub mod payments;
pub mod portal;
pub mod stats;
pub mod store;
pub mod tiers;
