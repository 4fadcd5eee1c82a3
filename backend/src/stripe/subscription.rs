//! A Stripe subscription read from its JSON: only the fields Codex uses, the billing period
//! taken from the subscription (API versions before 2025-03-31) or from its first item
//! (later versions), so both read.

use domain::memberships::{BilledPrice, SubscriptionState, SubscriptionStatus};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Reference;

/// What Stripe says of a subscription now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionFacts {
    pub subscription_id: String,
    pub customer_id: String,
    /// The membership it was made for (`subscription_data[metadata][membership_id]`).
    pub membership_id: Option<Uuid>,
    pub state: SubscriptionState,
    /// What its first item bills (a plan switched in the portal, a promotion code), to be
    /// compared with what Codex sold.
    pub billed: BilledPrice,
}

#[derive(Debug, Deserialize)]
struct Period {
    current_period_start: Option<i64>,
    current_period_end: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(flatten)]
    period: Period,
    price: Option<ItemPrice>,
}

#[derive(Debug, Deserialize)]
struct ItemPrice {
    unit_amount: Option<i64>,
    currency: Option<String>,
    recurring: Option<Recurring>,
}

#[derive(Debug, Deserialize)]
struct Recurring {
    interval: Option<String>,
    interval_count: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Items {
    #[serde(default)]
    data: Vec<Item>,
}

#[derive(Debug, Deserialize)]
struct SubscriptionObject {
    id: String,
    customer: Reference,
    status: String,
    #[serde(default)]
    cancel_at_period_end: bool,
    #[serde(flatten)]
    period: Period,
    items: Option<Items>,
    #[serde(default)]
    metadata: Option<std::collections::HashMap<String, String>>,
}

fn timestamp(unix: Option<i64>) -> Option<OffsetDateTime> {
    unix.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
}

impl SubscriptionFacts {
    pub fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        let object: SubscriptionObject = serde_json::from_value(value)?;
        let item = object.items.and_then(|items| items.data.into_iter().next());
        let start = object
            .period
            .current_period_start
            .or(item.as_ref().and_then(|i| i.period.current_period_start));
        let end = object
            .period
            .current_period_end
            .or(item.as_ref().and_then(|i| i.period.current_period_end));
        let price = item.and_then(|i| i.price);
        let recurring = price.as_ref().and_then(|p| p.recurring.as_ref());
        let billed = BilledPrice {
            unit_amount: price.as_ref().and_then(|p| p.unit_amount),
            currency: price.as_ref().and_then(|p| p.currency.clone()),
            interval: recurring.and_then(|r| r.interval.clone()),
            interval_count: recurring.and_then(|r| r.interval_count),
        };
        Ok(Self {
            subscription_id: object.id,
            customer_id: object.customer.id(),
            membership_id: object
                .metadata
                .as_ref()
                .and_then(|metadata| metadata.get("membership_id"))
                .and_then(|id| id.parse().ok()),
            state: SubscriptionState {
                status: SubscriptionStatus::parse(&object.status),
                current_period_start: timestamp(start),
                current_period_end: timestamp(end),
                cancel_at_period_end: object.cancel_at_period_end,
            },
            billed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_period_reads_from_the_subscription_or_its_item() {
        let item_period = json!({
            "id": "sub_1", "customer": "cus_1", "status": "past_due", "cancel_at_period_end": false,
            "items": { "data": [{ "current_period_start": 1_800_000_000, "current_period_end": 1_802_592_000,
                                  "price": { "unit_amount": 500, "currency": "usd",
                                             "recurring": { "interval": "month", "interval_count": 1 } } }] },
            "metadata": { "membership_id": "6f1c2f0e-3c3a-4d6e-9a43-0c5e1e0b6a11" },
            "something_new": true
        });
        let facts = SubscriptionFacts::from_json(item_period).unwrap();
        assert_eq!(facts.state.status, SubscriptionStatus::PastDue);
        assert_eq!(
            facts.state.current_period_start.map(|t| t.unix_timestamp()),
            Some(1_800_000_000)
        );
        assert!(facts.membership_id.is_some());
        assert_eq!(facts.billed.unit_amount, Some(500));
        assert_eq!(facts.billed.interval.as_deref(), Some("month"));
        let old_shape = json!({
            "id": "sub_2", "customer": { "id": "cus_2", "object": "customer" }, "status": "active",
            "cancel_at_period_end": true, "current_period_start": 1, "current_period_end": 2
        });
        let facts = SubscriptionFacts::from_json(old_shape).unwrap();
        assert_eq!(facts.customer_id, "cus_2");
        assert_eq!(facts.membership_id, None);
        assert!(facts.state.cancel_at_period_end);
        assert_eq!(
            facts.state.current_period_end.map(|t| t.unix_timestamp()),
            Some(2)
        );
        assert!(SubscriptionFacts::from_json(json!({ "id": "sub_3" })).is_err());
        let null_metadata = json!({
            "id": "sub_4", "customer": "cus_4", "status": "active", "metadata": null,
            "items": { "object": "list", "data": [{ "current_period_start": 1, "current_period_end": 2 }] }
        });
        assert_eq!(
            SubscriptionFacts::from_json(null_metadata)
                .unwrap()
                .membership_id,
            None
        );
    }
}
