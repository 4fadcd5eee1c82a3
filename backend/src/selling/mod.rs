//! Selling tools: how an item is offered besides its one price.
//!
//! - `bundles`: items that hold several items;
//! - `discounts`: the owner's codes and the check every use goes through;
//! - `pricing`: the price of an offer (buy, rent, pay what you want, less a code);
//! - `options`: the item editor's selling options;
//! - `receipt_link`: the durable link in every receipt email.

pub mod bundles;
pub mod discounts;
pub mod options;
pub mod pricing;
pub mod receipt_link;
