//! Outbound events for the owner's own tools, as Gumroad's pings and Ghost's webhooks.
//!
//! - `endpoints`: the owner registers, lists, rolls the secret of and removes endpoints;
//!   each signing secret is derived from the server's key and shown once, never stored.
//! - `events`: `publish` writes one delivery per endpoint in the transaction of the change
//!   (sale, refund, dispute, access granted or revoked), so an event exists exactly when
//!   its change committed.
//! - `delivery`: the worker POSTs due deliveries, signed as Stripe signs
//!   (`Codex-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`), retried with backoff; the
//!   owner's log and Resend.
//! - Endpoints reach public addresses only (`crate::web_targets`, checked at save and at
//!   each delivery).

pub mod delivery;
pub mod endpoints;
pub mod events;
