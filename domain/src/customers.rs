//! `/admin/customers`: search, pages of 25, CSV export of the filtered list, and a detail
//! page per customer (purchases, total spent, owned items, "Grant access").

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::purchases::AdminPurchase;

pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub verified: bool,
    pub joined_on: String,
    pub purchases: i64,
    /// Completed purchases, net of refunds.
    pub total_spent_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerList {
    pub rows: Vec<CustomerRow>,
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub pages: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedItem {
    pub content_id: Uuid,
    pub title: String,
    /// purchased, free or granted.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub customer: CustomerRow,
    pub purchases: Vec<AdminPurchase>,
    pub owned: Vec<OwnedItem>,
}
