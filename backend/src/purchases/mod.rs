//! Purchases of items: receipts for customers, refunds and complimentary grants for the
//! owner. Checkout and Stripe's events reach them through `crate::payments`.
//!
//! - `fulfilment`: what payments, expiries, refunds and disputes do, in any order.
//! - `store`: every write to `purchases`.
//! - `service`: what the purchase server functions do; `export`: the CSV.

pub mod export;
pub mod fulfilment;
pub mod service;
pub mod store;
