//! A Checkout Session's facts, from the API's typed answer or from an event's JSON.

use std::collections::HashMap;

use serde::Deserialize;
use stripe_shared::{CheckoutSession, CheckoutSessionPaymentStatus};
use uuid::Uuid;

use super::Reference;

/// The facts of a Checkout Session that fulfilment needs, from an event or a retrieval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub session_id: String,
    pub purchase_id: Option<Uuid>,
    pub paid: bool,
    pub amount_total: Option<i64>,
    /// Before tax: what the purchase's price is compared with.
    pub amount_subtotal: Option<i64>,
    pub amount_tax: Option<i64>,
    pub currency: Option<String>,
    pub payment_intent: Option<String>,
}

impl SessionFacts {
    pub fn of(session: &CheckoutSession) -> Self {
        Self {
            session_id: session.id.as_str().to_string(),
            purchase_id: session
                .metadata
                .as_ref()
                .and_then(|m| m.get("purchase_id"))
                .and_then(|id| id.parse().ok()),
            paid: matches!(
                session.payment_status,
                CheckoutSessionPaymentStatus::Paid
                    | CheckoutSessionPaymentStatus::NoPaymentRequired
            ),
            amount_total: session.amount_total,
            amount_subtotal: session.amount_subtotal,
            amount_tax: session.total_details.as_ref().map(|t| t.amount_tax),
            currency: session
                .currency
                .as_ref()
                .map(|c| c.to_string().to_ascii_lowercase()),
            payment_intent: session
                .payment_intent
                .as_ref()
                .map(|p| p.id().as_str().to_string()),
        }
    }
}

#[derive(Debug, Deserialize)]
struct SessionObject {
    id: String,
    payment_status: String,
    amount_total: Option<i64>,
    amount_subtotal: Option<i64>,
    currency: Option<String>,
    payment_intent: Option<Reference>,
    #[serde(default)]
    metadata: Option<HashMap<String, String>>,
    total_details: Option<TotalDetails>,
}

#[derive(Debug, Deserialize)]
struct TotalDetails {
    amount_tax: Option<i64>,
}

impl From<SessionObject> for SessionFacts {
    fn from(session: SessionObject) -> Self {
        Self {
            session_id: session.id,
            purchase_id: session
                .metadata
                .as_ref()
                .and_then(|m| m.get("purchase_id"))
                .and_then(|id| id.parse::<Uuid>().ok()),
            paid: matches!(
                session.payment_status.as_str(),
                "paid" | "no_payment_required"
            ),
            amount_total: session.amount_total,
            amount_subtotal: session.amount_subtotal,
            amount_tax: session.total_details.and_then(|t| t.amount_tax),
            currency: session.currency.map(|c| c.to_ascii_lowercase()),
            payment_intent: session.payment_intent.map(Reference::id),
        }
    }
}

impl SessionFacts {
    /// A Checkout Session as Stripe's API or an event renders it.
    pub fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value::<SessionObject>(value).map(Self::from)
    }
}
