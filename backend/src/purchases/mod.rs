//! Payments: Stripe Checkout for paid items, purchases and receipts for customers,
//! refunds and complimentary grants for the owner.
//!
//! - `start`: `POST /checkout/start`, from "Buy now" to Stripe's checkout page;
//!   `checkout`: the one checkout gate it shares with "Subscribe".
//! - `webhook`: `POST /webhooks/stripe`; `signature`: its `Stripe-Signature` check;
//!   `events`: Stripe's events read into what they mean to Codex.
//! - `fulfilment`: what payments, expiries, refunds and disputes do, in any order.
//! - `reconcile`: `server reconcile` and the daily job, repairing what webhooks missed.
//! - `gateway`: every call to Stripe.
//! - `store`: every write to `purchases`; `payment_facts`: to `stripe_payments`.
//! - `service`: what the purchase server functions do; `export`: the CSV.

pub mod checkout;
pub mod events;
pub mod export;
pub mod fulfilment;
pub mod gateway;
pub mod payment_facts;
pub mod reconcile;
pub mod service;
pub mod signature;
pub mod start;
pub mod store;
pub mod webhook;
