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
    pub top_content: Vec<TopItem>,
    pub recent: Vec<RecentPurchase>,
    /// The last 30 days, oldest first.
    pub daily: Vec<DayRevenue>,
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
