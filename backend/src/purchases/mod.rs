//! Payments: Stripe Checkout for paid items, purchases and receipts for customers,
//! refunds and complimentary grants for the owner.
//!
//! - `start`: `POST /checkout/start`, from "Buy now" to Stripe's checkout page.
//! - `webhook`: `POST /webhooks/stripe`.
//! - `fulfilment`: what payments, expiries and refunds do, exactly once.
//! - `gateway`: every call to Stripe.
//! - `store`: every write to `purchases`.
//! - `service`: what the purchase server functions do; `export`: the CSV.

pub mod export;
pub mod fulfilment;
pub mod gateway;
pub mod service;
pub mod start;
pub mod store;
pub mod webhook;
