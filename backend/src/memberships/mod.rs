//! Memberships: tiers sold as Stripe subscriptions, unlocking the items the owner chose
//! while the subscription lasts.
//!
//! - `tiers`: the owner's tiers and the pricing page;
//! - `subscribe`: "Subscribe" (subscription Checkout), its return, "Manage membership"
//!   (Stripe's customer portal);
//! - `facts`: a Stripe subscription read from its JSON;
//! - `sync`: a membership made to match its subscription, and its items' access
//!   (`access::sync_member`);
//! - `stats`: members and monthly recurring revenue for the dashboard.

pub mod facts;
pub mod stats;
pub mod subscribe;
pub mod sync;
pub mod tiers;
