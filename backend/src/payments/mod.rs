//! Payments, the top floor of selling: what starts a payment and what Stripe's answers do.
//! It stands on `stripe` (the adapter), `purchases` and `memberships`, and the webhook flow
//! only descends.
//!
//! - `checkout`: the one checkout gate ("Buy now", "Rent", "Subscribe"): who may pay, an
//!   open checkout taken up again, one rate limit, Stripe called outside any transaction.
//! - `buy`: `POST /checkout/start`, "Buy now" and "Rent" of an item.
//! - `subscribe`: `POST /memberships/checkout`, "Subscribe" to a tier.
//! - `webhook`: `POST /webhooks/stripe`, each event recorded once and dispatched to
//!   `purchases::fulfilment` or `memberships`.
//! - `reconcile`: `server reconcile` and the daily job, repairing what webhooks missed.

pub mod buy;
pub mod checkout;
pub mod reconcile;
pub mod subscribe;
pub mod webhook;
