//! Payments: Stripe Checkout for paid items, purchases and receipts for customers,
//! refunds and complimentary grants for the owner.
//!
//! - `start`: `POST /checkout/start`, from "Buy now" to Stripe's checkout page.
//! - `webhook`: `POST /webhooks/stripe`.
//! - `fulfilment`: what payments, expiries and refunds do, exactly once.
//! - `gateway`: every call to Stripe.
//! - `service` / `api`: the server functions; the `*_page` modules: the pages.

pub mod account_pages;
pub mod admin_page;
pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod fulfilment;
#[cfg(feature = "ssr")]
pub mod gateway;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod start;
pub mod success_page;
#[cfg(feature = "ssr")]
pub mod webhook;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A purchase as its buyer sees it (the list and the receipt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseView {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    pub amount_cents: i32,
    /// pending, completed, failed, refunded or revoked.
    pub status: String,
    /// checkout, free or grant.
    pub kind: String,
    pub created_on: String,
    pub payment_id: Option<String>,
    pub refund_reason: Option<String>,
}

impl PurchaseView {
    /// Whether the buyer can play the item through this purchase.
    pub fn gives_access(&self) -> bool {
        self.status == "completed"
    }
}

/// A purchase in the owner's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPurchase {
    pub id: Uuid,
    pub customer_email: String,
    pub customer_name: String,
    pub title: String,
    pub amount_cents: i32,
    pub status: String,
    pub kind: String,
    pub created_at: String,
    pub payment_id: Option<String>,
    pub refund_reason: Option<String>,
}

impl AdminPurchase {
    pub fn refundable(&self) -> bool {
        self.status == "completed" && self.kind == "checkout" && self.amount_cents > 0
    }

    pub fn revocable(&self) -> bool {
        self.status == "completed" && self.kind == "grant"
    }
}

/// The state of a checkout, for the success page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutState {
    pub purchase_id: Uuid,
    pub status: String,
    pub title: String,
    pub slug: String,
}

/// The label of a purchase status, as customers and the owner read it.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "completed" => "Completed",
        "pending" => "Pending",
        "failed" => "Failed",
        "refunded" => "Refunded",
        "revoked" => "Revoked",
        _ => "Unknown",
    }
}
