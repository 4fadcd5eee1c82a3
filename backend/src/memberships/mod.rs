//! Memberships: tiers sold as Stripe subscriptions, unlocking the items the owner chose
//! while the subscription lasts.
//!
//! - `tiers`: the owner's tiers and the pricing page;
//! - `subscribe`: "Subscribe" (subscription Checkout), its return, "Manage membership"
//!   (Stripe's customer portal);
//! - `facts`: a Stripe subscription read from its JSON;
//! - `sync`: a membership made to match its subscription, and its items' access
//!   (`access::sync_member`);
//! - `payments`: each paid invoice of a membership and what became of its payment
//!   (refunds, disputes), told to the owner and counted in the figures;
//! - `stats`: members and monthly recurring revenue for the dashboard.

pub mod facts;
pub mod payments;
pub mod stats;
pub mod subscribe;
pub mod sync;
pub mod tiers;
