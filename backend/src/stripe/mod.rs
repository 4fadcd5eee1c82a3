//! Stripe, at the bottom of payments: every call Codex makes to it (`gateway`), the
//! `Stripe-Signature` check (`signature`), its events read into what they say (`events`),
//! the facts of Checkout Sessions (`session`) and subscriptions (`subscription`), and
//! `payment_facts`, every write to `stripe_payments` (what Stripe said of a payment: its
//! charge, refunds, dispute). Part of the ground floor: it names no feature; purchases and
//! memberships stand on it, and `payments` dispatches its events to them.

pub mod events;
pub mod gateway;
pub mod payment_facts;
pub mod session;
pub mod signature;
pub mod subscription;

use serde::Deserialize;

/// An id, or the object expanded in its place.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Reference {
    Id(String),
    Object { id: String },
}

impl Reference {
    pub(crate) fn id(self) -> String {
        match self {
            Self::Id(id) | Self::Object { id } => id,
        }
    }
}
