//! Purchases as their buyer and the owner see them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a purchase stands. Only `Completed` gives access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum PurchaseStatus {
    Pending,
    Completed,
    Failed,
    Refunded,
    Revoked,
}

impl PurchaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Revoked => "revoked",
        }
    }
}

/// How a purchase came about: Stripe Checkout, a free item, or the owner's grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum PurchaseKind {
    Checkout,
    Free,
    Grant,
}

impl PurchaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checkout => "checkout",
            Self::Free => "free",
            Self::Grant => "grant",
        }
    }
}

/// A purchase as its buyer sees it (the list and the receipt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseView {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    pub amount_cents: i32,
    pub status: PurchaseStatus,
    pub kind: PurchaseKind,
    pub created_on: String,
    pub payment_id: Option<String>,
    pub refund_reason: Option<String>,
}

impl PurchaseView {
    /// Whether the buyer can play the item through this purchase.
    pub fn gives_access(&self) -> bool {
        self.status == PurchaseStatus::Completed
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
    pub status: PurchaseStatus,
    pub kind: PurchaseKind,
    pub created_at: String,
    pub payment_id: Option<String>,
    pub refund_reason: Option<String>,
}

impl AdminPurchase {
    pub fn refundable(&self) -> bool {
        self.status == PurchaseStatus::Completed
            && self.kind == PurchaseKind::Checkout
            && self.amount_cents > 0
    }

    pub fn revocable(&self) -> bool {
        self.status == PurchaseStatus::Completed && self.kind == PurchaseKind::Grant
    }
}

/// The state of a checkout, for the success page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutState {
    pub purchase_id: Uuid,
    pub status: PurchaseStatus,
    pub title: String,
    pub slug: String,
}

impl PurchaseStatus {
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Completed,
        Self::Failed,
        Self::Refunded,
        Self::Revoked,
    ];

    /// A status as a filter link or a form sends it; anything else is no status.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }

    /// The status as customers and the owner read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Completed => "Completed",
            Self::Pending => "Pending",
            Self::Failed => "Failed",
            Self::Refunded => "Refunded",
            Self::Revoked => "Revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ContentStatus;

    #[test]
    fn statuses_parse_from_their_filter_values_only() {
        for status in PurchaseStatus::ALL {
            assert_eq!(PurchaseStatus::parse(status.as_str()), Some(status));
        }
        for status in ContentStatus::ALL {
            assert_eq!(ContentStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(PurchaseStatus::parse("Completed"), None);
        assert_eq!(ContentStatus::parse("deleted"), None);
    }
}
