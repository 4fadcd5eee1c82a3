//! Purchases as their buyer and the owner see them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a purchase stands. Only `Completed` gives access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum PurchaseStatus {
    Pending,
    Completed,
    Failed,
    Refunded,
    Revoked,
    /// The buyer disputed the payment with their bank: access is suspended until it closes.
    Disputed,
    /// The bank sided with the buyer: the money went back and access ended.
    DisputeLost,
}

impl PurchaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Revoked => "revoked",
            Self::Disputed => "disputed",
            Self::DisputeLost => "dispute_lost",
        }
    }
}

/// Where a dispute over a payment stands. Closed disputes never reopen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum DisputeState {
    Open,
    Won,
    Lost,
}

impl DisputeState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Open, Self::Won, Self::Lost]
            .into_iter()
            .find(|state| state.as_str() == value)
    }

    /// Stripe's dispute status: `won` and `lost` close it, `warning_closed` (an inquiry that
    /// never became a chargeback) closes it in the seller's favour, anything else is open.
    pub fn from_stripe(status: &str) -> Self {
        match status {
            "won" | "warning_closed" => Self::Won,
            "lost" => Self::Lost,
            _ => Self::Open,
        }
    }

    /// The state after Stripe reports `next`: a closed dispute stays closed, whatever
    /// arrives after (a late `created` or `updated` event).
    pub fn then(current: Option<Self>, next: Self) -> Self {
        match current {
            Some(closed @ (Self::Won | Self::Lost)) => closed,
            _ => next,
        }
    }
}

/// Everything known about a checkout's payment, whatever order it was learnt in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaymentFacts {
    /// The payment succeeded and matched the purchase.
    pub paid: bool,
    /// The checkout expired or its payment failed.
    pub failed: bool,
    /// The payment was refunded in full.
    pub refunded: bool,
    pub dispute: Option<DisputeState>,
}

impl PaymentFacts {
    /// The one status these facts lead to: the same set of facts gives the same status in
    /// any order they arrived. A refund or a lost dispute wins over a payment, a payment
    /// wins over an expiry.
    pub fn status(self) -> PurchaseStatus {
        if !self.paid {
            return if self.failed {
                PurchaseStatus::Failed
            } else {
                PurchaseStatus::Pending
            };
        }
        match (self.refunded, self.dispute) {
            (true, _) => PurchaseStatus::Refunded,
            (false, Some(DisputeState::Lost)) => PurchaseStatus::DisputeLost,
            (false, Some(DisputeState::Open)) => PurchaseStatus::Disputed,
            (false, Some(DisputeState::Won) | None) => PurchaseStatus::Completed,
        }
    }
}

/// How long a Checkout Session can be paid (Stripe's shortest `expires_at`): an unpaid
/// checkout older than this holds no discount code's use and is not offered again.
pub const CHECKOUT_LIFETIME: time::Duration = time::Duration::minutes(30);

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

/// `Visa •••• 4242`: a card as people name it, from Stripe's brand and last 4 digits.
pub fn card_label(brand: Option<&str>, last4: Option<&str>) -> Option<String> {
    let last4 = last4?;
    let brand = match brand.unwrap_or("card") {
        "amex" => "American Express".to_string(),
        "diners" => "Diners Club".to_string(),
        "unionpay" => "UnionPay".to_string(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    };
    Some(format!("{brand} •••• {last4}"))
}

/// A purchase as its buyer sees it (the list and the receipt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseView {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    pub amount_cents: i32,
    /// Tax Stripe added on top (Stripe Tax), in cents.
    pub tax_cents: i32,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    /// Stripe's own receipt for the card payment, when there is one.
    pub stripe_receipt_url: Option<String>,
    pub status: PurchaseStatus,
    pub kind: PurchaseKind,
    pub created_on: String,
    pub payment_id: Option<String>,
    pub refund_reason: Option<String>,
    pub offer: crate::selling::Offer,
    pub discount_code: Option<String>,
    /// The price before the code.
    pub list_price_cents: Option<i32>,
    pub is_bundle: bool,
}

impl PurchaseView {
    /// `Visa •••• 4242`, once Stripe has said which card paid.
    pub fn payment_method(&self) -> Option<String> {
        card_label(self.card_brand.as_deref(), self.card_last4.as_deref())
    }

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
    pub offer: crate::selling::Offer,
    pub discount_code: Option<String>,
    pub list_price_cents: Option<i32>,
    pub is_bundle: bool,
}

impl AdminPurchase {
    /// `Rental`, `Bundle`, `code LAUNCH20`: how the sale was made, when not a plain one.
    pub fn how_sold(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.offer == crate::selling::Offer::Rent {
            parts.push("Rental".to_string());
        }
        if self.is_bundle {
            parts.push("Bundle".to_string());
        }
        if let Some(code) = &self.discount_code {
            parts.push(format!("code {code}"));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

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
    /// A bundle: its items are in the library (it plays nothing itself).
    pub is_bundle: bool,
}

impl PurchaseStatus {
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::Completed,
        Self::Failed,
        Self::Refunded,
        Self::Revoked,
        Self::Disputed,
        Self::DisputeLost,
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
            Self::Disputed => "Disputed",
            Self::DisputeLost => "Dispute lost",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ContentStatus;

    #[test]
    fn cards_read_as_people_name_them() {
        assert_eq!(
            card_label(Some("visa"), Some("4242")).as_deref(),
            Some("Visa •••• 4242")
        );
        assert_eq!(
            card_label(Some("amex"), Some("0005")).as_deref(),
            Some("American Express •••• 0005")
        );
        assert_eq!(card_label(Some("visa"), None), None);
    }

    #[test]
    fn a_closed_dispute_never_reopens() {
        use DisputeState::*;
        assert_eq!(DisputeState::then(None, Open), Open);
        assert_eq!(DisputeState::then(Some(Open), Won), Won);
        assert_eq!(DisputeState::then(Some(Won), Open), Won);
        assert_eq!(DisputeState::then(Some(Lost), Open), Lost);
        assert_eq!(DisputeState::from_stripe("needs_response"), Open);
        assert_eq!(DisputeState::from_stripe("warning_closed"), Won);
        assert_eq!(DisputeState::from_stripe("lost"), Lost);
    }

    #[test]
    fn facts_give_one_status_and_refunds_win() {
        let paid = PaymentFacts {
            paid: true,
            ..Default::default()
        };
        assert_eq!(PaymentFacts::default().status(), PurchaseStatus::Pending);
        assert_eq!(paid.status(), PurchaseStatus::Completed);
        let expired_then_paid = PaymentFacts {
            failed: true,
            ..paid
        };
        assert_eq!(expired_then_paid.status(), PurchaseStatus::Completed);
        let refunded = PaymentFacts {
            refunded: true,
            dispute: Some(DisputeState::Won),
            ..paid
        };
        assert_eq!(refunded.status(), PurchaseStatus::Refunded);
        let open = PaymentFacts {
            dispute: Some(DisputeState::Open),
            ..paid
        };
        assert_eq!(open.status(), PurchaseStatus::Disputed);
        let lost = PaymentFacts {
            dispute: Some(DisputeState::Lost),
            ..paid
        };
        assert_eq!(lost.status(), PurchaseStatus::DisputeLost);
        // A refund seen before its payment waits: nothing to refund yet.
        let refund_first = PaymentFacts {
            refunded: true,
            ..Default::default()
        };
        assert_eq!(refund_first.status(), PurchaseStatus::Pending);
    }

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
