//! `/admin`: how the business is doing. Every figure is an SQL aggregate.
//!
//! Revenue is counted when money moves: a sale on the day it completed, a refund (as a
//! negative) on the day it was refunded, both in the platform's timezone. All-time revenue
//! is therefore what was sold and not refunded. Grants and free items are $0.00.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub timezone: String,
    pub revenue_all_time_cents: i64,
    pub revenue_this_month_cents: i64,
    pub customers: i64,
    /// Completed paid and free purchases (grants are not purchases).
    pub completed_purchases: i64,
    /// Customers with a current membership, and their monthly recurring revenue.
    pub active_members: i64,
    pub mrr_cents: i64,
    /// Marketing email: customers who may get it, and checkouts its emails recovered.
    pub audience: crate::marketing::Audience,
    pub top_content: Vec<TopItem>,
    pub recent: Vec<RecentPurchase>,
    /// The last 30 days, oldest first.
    pub daily: Vec<DayRevenue>,
    pub sales: Sales,
    /// The latest reconciliation with Stripe, if one ran.
    pub reconciliation: Option<ReconciliationRun>,
}

/// All-time sales through Stripe: what was paid, what went back, and what is left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sales {
    pub gross_cents: i64,
    /// Full and partial refunds.
    pub refunds: i64,
    pub refunds_cents: i64,
    /// Every dispute opened, and the ones still open.
    pub disputes: i64,
    pub disputes_open: i64,
    /// Money lost to disputes the bank decided for the buyer.
    pub disputes_lost_cents: i64,
    pub net_cents: i64,
}

/// What the latest reconciliation with Stripe checked and repaired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationRun {
    /// In the platform's timezone.
    pub started_at: String,
    pub finished: bool,
    pub failed: bool,
    pub events_checked: i32,
    pub sessions_checked: i32,
    pub paid_without_access: i32,
    pub access_without_payment: i32,
    pub refunds_applied: i32,
    pub disputes_applied: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopItem {
    pub title: String,
    pub purchases: i64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentPurchase {
    pub customer_email: String,
    pub title: String,
    pub amount_cents: i32,
    pub status: crate::purchases::PurchaseStatus,
    /// `2026-11-27 14:05` in the platform's timezone.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRevenue {
    /// `2026-11-27`.
    pub day: String,
    pub cents: i64,
}
