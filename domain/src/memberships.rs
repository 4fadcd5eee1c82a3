//! Memberships: tiers sold as Stripe subscriptions, the rule that says until when a member's
//! items play, and the views of the owner's tiers, the pricing page and a member's own
//! subscription.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::content::Price;
use crate::Invalid;

/// How long a member keeps their items after a renewal is due and not yet paid: Stripe
/// retries the card meanwhile, and a late `invoice.paid` never interrupts anyone.
pub const GRACE_DAYS: i64 = 7;
const MAX_NAME_CHARS: usize = 80;
const MAX_DESCRIPTION_CHARS: usize = 2000;

/// How often a subscription is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Month,
    Year,
}

impl Interval {
    /// Stripe's word, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Year => "year",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "month" => Some(Self::Month),
            "year" => Some(Self::Year),
            _ => None,
        }
    }

    /// `Monthly` / `Yearly`.
    pub fn adjective(self) -> &'static str {
        match self {
            Self::Month => "Monthly",
            Self::Year => "Yearly",
        }
    }

    /// What `amount_cents` billed at this interval brings in a month (MRR), in cents.
    pub fn monthly_cents(self, amount_cents: i64) -> i64 {
        match self {
            Self::Month => amount_cents,
            Self::Year => (amount_cents + 6) / 12,
        }
    }
}

/// `$5.00/month`.
pub fn price_per(cents: i32, interval: Interval) -> String {
    format!(
        "{}/{}",
        crate::content::price_label(cents),
        interval.as_str()
    )
}

/// Stripe's status of a subscription (and `checkout` before Stripe has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Checkout,
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Unpaid,
    Canceled,
    Paused,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checkout => "checkout",
            Self::Incomplete => "incomplete",
            Self::IncompleteExpired => "incomplete_expired",
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Unpaid => "unpaid",
            Self::Canceled => "canceled",
            Self::Paused => "paused",
        }
    }

    /// Stripe's word; an unknown one (a status added later) reads as not paying.
    pub fn parse(value: &str) -> Self {
        match value {
            "checkout" => Self::Checkout,
            "incomplete" => Self::Incomplete,
            "incomplete_expired" => Self::IncompleteExpired,
            "trialing" => Self::Trialing,
            "active" => Self::Active,
            "past_due" => Self::PastDue,
            "canceled" => Self::Canceled,
            "paused" => Self::Paused,
            _ => Self::Unpaid,
        }
    }

    /// Counted as a member (and in MRR): paying, or being retried.
    pub fn is_current(self) -> bool {
        matches!(self, Self::Trialing | Self::Active | Self::PastDue)
    }
}

/// What Stripe says of a subscription now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionState {
    pub status: SubscriptionStatus,
    pub current_period_start: Option<OffsetDateTime>,
    pub current_period_end: Option<OffsetDateTime>,
    pub cancel_at_period_end: bool,
}

impl SubscriptionState {
    /// Until when the member's items play, or `None` when they do not:
    /// - paid (active, trialing): to the end of the period, and `GRACE_DAYS` more when it
    ///   renews (so a renewal paid late never interrupts); exactly to the end when the
    ///   member cancelled at period end;
    /// - past due (a renewal failed, Stripe retrying): `GRACE_DAYS` from the start of the
    ///   unpaid period;
    /// - anything else (cancelled, unpaid, incomplete, paused): not at all.
    pub fn access_until(self) -> Option<OffsetDateTime> {
        let grace = Duration::days(GRACE_DAYS);
        match self.status {
            SubscriptionStatus::Active | SubscriptionStatus::Trialing => {
                let end = self.current_period_end?;
                Some(if self.cancel_at_period_end {
                    end
                } else {
                    end + grace
                })
            }
            SubscriptionStatus::PastDue => Some(self.current_period_start? + grace),
            _ => None,
        }
    }
}

/// A live membership Stripe bills otherwise than Codex sold it, for the owner to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedMembership {
    pub customer_email: String,
    pub tier_name: String,
    /// What differs, e.g. `billed $2.00 instead of $5.00`.
    pub mismatch: String,
    /// `2 Jan 2027`, or `None` when it gives no access.
    pub access_until_on: Option<String>,
}

/// Where a membership's payment stands, from what Stripe said of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipPaymentStatus {
    Paid,
    PartlyRefunded,
    Refunded,
    Disputed,
    DisputeWon,
    DisputeLost,
}

impl MembershipPaymentStatus {
    /// A dispute speaks over a refund; a closed dispute stays closed.
    pub fn of(
        refunded_cents: i64,
        fully_refunded: bool,
        dispute: Option<crate::purchases::DisputeState>,
    ) -> Self {
        use crate::purchases::DisputeState;
        match (dispute, fully_refunded, refunded_cents > 0) {
            (Some(DisputeState::Open), ..) => Self::Disputed,
            (Some(DisputeState::Lost), ..) => Self::DisputeLost,
            (_, true, _) => Self::Refunded,
            (_, _, true) => Self::PartlyRefunded,
            (Some(DisputeState::Won), ..) => Self::DisputeWon,
            (None, false, false) => Self::Paid,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Paid => "Paid",
            Self::PartlyRefunded => "Partly refunded",
            Self::Refunded => "Refunded",
            Self::Disputed => "Disputed",
            Self::DisputeWon => "Dispute won",
            Self::DisputeLost => "Dispute lost",
        }
    }
}

/// One paid invoice of a membership, as the owner's purchases page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipPaymentView {
    pub customer_email: String,
    pub tier_name: String,
    /// What the invoice took, tax included.
    pub amount_cents: i64,
    pub refunded_cents: i64,
    /// `2026-12-06 14:05`, in the platform's timezone.
    pub paid_at: String,
    pub payment_id: Option<String>,
    pub status: MembershipPaymentStatus,
}

/// What Stripe bills a subscription: its (first) item's price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledPrice {
    pub unit_amount: Option<i64>,
    pub currency: Option<String>,
    /// `month`, `year`, ... with its count (`interval_count`).
    pub interval: Option<String>,
    pub interval_count: Option<i64>,
}

impl BilledPrice {
    /// What differs from what Codex sold (`amount_cents` a `sold` period, in US dollars), in
    /// words for the owner; `None` when it is what was sold.
    pub fn differs_from(&self, amount_cents: i32, sold: Interval) -> Option<String> {
        let mut differences = Vec::new();
        if self.unit_amount != Some(i64::from(amount_cents)) {
            differences.push(match self.unit_amount {
                Some(cents) => format!(
                    "billed {} instead of {}",
                    crate::money::signed_label(cents),
                    crate::money::signed_label(amount_cents.into())
                ),
                None => "billed an amount Codex cannot read".to_string(),
            });
        }
        if !self
            .currency
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("usd"))
        {
            differences.push(format!(
                "in {} instead of USD",
                self.currency
                    .as_deref()
                    .unwrap_or("an unknown currency")
                    .to_uppercase()
            ));
        }
        if self.interval.as_deref() != Some(sold.as_str()) || self.interval_count.unwrap_or(1) != 1
        {
            differences.push(format!(
                "every {} {} instead of every {}",
                self.interval_count.unwrap_or(1),
                self.interval.as_deref().unwrap_or("?"),
                sold.as_str()
            ));
        }
        (!differences.is_empty()).then(|| differences.join(", "))
    }
}

/// A tier as the owner types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTier {
    pub name: String,
    pub description: String,
    pub monthly: Option<Price>,
    pub yearly: Option<Price>,
}

impl NewTier {
    /// An empty price field means "not sold at that interval"; at least one is needed.
    pub fn parse(
        name: &str,
        description: &str,
        monthly: &str,
        yearly: &str,
    ) -> Result<Self, Invalid> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(Invalid::new("Name: 1 to 80 characters."));
        }
        let description = description.trim();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(Invalid::new("Description: at most 2000 characters."));
        }
        let price = |label: &str, input: &str| -> Result<Option<Price>, Invalid> {
            if input.trim().is_empty() {
                return Ok(None);
            }
            match Price::parse(input) {
                Ok(price) if !price.is_free() => Ok(Some(price)),
                _ => Err(Invalid::new(format!(
                    "{label}: a price between $1.00 and $999.99, or empty."
                ))),
            }
        };
        let monthly = price("Monthly price", monthly)?;
        let yearly = price("Yearly price", yearly)?;
        if monthly.is_none() && yearly.is_none() {
            return Err(Invalid::new(
                "Give a monthly price, a yearly price, or both.",
            ));
        }
        Ok(Self {
            name: name.to_string(),
            description: description.to_string(),
            monthly,
            yearly,
        })
    }
}

/// One tier in the owner's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub monthly_cents: Option<i32>,
    pub yearly_cents: Option<i32>,
    pub all_items: bool,
    /// Titles of the items it unlocks (empty with `all_items`).
    pub items: Vec<String>,
    pub active_members: i64,
    /// The tier's own "Streams at once" for its members (`OFF`: the site's applies).
    pub max_streams: crate::streams::StreamLimit,
}

impl TierView {
    /// `$5.00/month · $50.00/year`.
    pub fn prices(&self) -> String {
        [
            self.monthly_cents.map(|c| price_per(c, Interval::Month)),
            self.yearly_cents.map(|c| price_per(c, Interval::Year)),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
    }

    /// `Every item`, or the titles.
    pub fn unlocks(&self) -> String {
        if self.all_items {
            "Every item".to_string()
        } else if self.items.is_empty() {
            "No items yet".to_string()
        } else {
            self.items.join(", ")
        }
    }
}

/// A customer's own subscription, as the pricing page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub tier_id: Uuid,
    pub tier_name: String,
    pub interval: Interval,
    pub amount_cents: i32,
    pub status: SubscriptionStatus,
    pub cancel_at_period_end: bool,
    /// `2 Jan 2027`.
    pub period_ends_on: Option<String>,
    /// `9 Jan 2027`: the end of the grace of a failed renewal.
    pub access_until_on: Option<String>,
}

impl MembershipView {
    /// One sentence on where the membership stands.
    pub fn state_text(&self) -> String {
        let on = |date: &Option<String>| date.clone().unwrap_or_else(|| "soon".into());
        match self.status {
            SubscriptionStatus::PastDue => format!(
                "Your last payment failed. Update your card by {} to keep your membership.",
                on(&self.access_until_on)
            ),
            _ if self.cancel_at_period_end => format!(
                "Cancelled: your membership ends on {}.",
                on(&self.period_ends_on)
            ),
            _ => format!(
                "Active: renews on {} at {}.",
                on(&self.period_ends_on),
                price_per(self.amount_cents, self.interval)
            ),
        }
    }
}

/// The pricing page: the tiers on sale and the visitor's own memberships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub tiers: Vec<TierView>,
    pub mine: Vec<MembershipView>,
    pub signed_in: bool,
}

/// Why a subscription checkout went back to the pricing page (`?checkout=`).
pub fn checkout_message(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "member" => "You are already a member of this tier.",
        "owner" => "The owner's account cannot subscribe.",
        "verify" => "Verify your email address first: we sent you a link.",
        "unavailable" => "The payment service is not answering. Please try again in a moment.",
        "unknown" => "This tier is no longer on sale.",
        "cancelled" => "Checkout cancelled: nothing was charged.",
        "busy" => "Too many tries: please wait a few minutes and try again.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_membership_payments_status_lets_a_dispute_speak_over_a_refund() {
        use crate::purchases::DisputeState::{Lost, Open, Won};
        use MembershipPaymentStatus as S;
        assert_eq!(S::of(0, false, None), S::Paid);
        assert_eq!(S::of(300, false, None), S::PartlyRefunded);
        assert_eq!(S::of(1000, true, None), S::Refunded);
        assert_eq!(S::of(0, false, Some(Open)), S::Disputed);
        assert_eq!(S::of(1000, true, Some(Lost)), S::DisputeLost);
        assert_eq!(S::of(0, false, Some(Won)), S::DisputeWon);
        assert_eq!(S::of(1000, true, Some(Won)), S::Refunded);
    }

    #[test]
    fn a_billed_price_other_than_the_one_sold_is_named() {
        let billed = |cents, currency: &str, interval: &str| BilledPrice {
            unit_amount: Some(cents),
            currency: Some(currency.into()),
            interval: Some(interval.into()),
            interval_count: Some(1),
        };
        assert_eq!(
            billed(500, "usd", "month").differs_from(500, Interval::Month),
            None
        );
        assert_eq!(
            billed(200, "usd", "month")
                .differs_from(500, Interval::Month)
                .unwrap(),
            "billed $2.00 instead of $5.00"
        );
        assert_eq!(
            billed(500, "eur", "year")
                .differs_from(500, Interval::Month)
                .unwrap(),
            "in EUR instead of USD, every 1 year instead of every month"
        );
        let unreadable = BilledPrice {
            unit_amount: None,
            currency: None,
            interval: None,
            interval_count: None,
        };
        assert!(unreadable.differs_from(500, Interval::Month).is_some());
    }

    fn state(status: SubscriptionStatus, cancel: bool) -> SubscriptionState {
        SubscriptionState {
            status,
            current_period_start: Some(datetime!(2026-12-01 0:00 UTC)),
            current_period_end: Some(datetime!(2027-01-01 0:00 UTC)),
            cancel_at_period_end: cancel,
        }
    }

    #[test]
    fn a_paid_period_plays_to_its_end_and_the_grace_unless_cancelled() {
        assert_eq!(
            state(SubscriptionStatus::Active, false).access_until(),
            Some(datetime!(2027-01-08 0:00 UTC))
        );
        assert_eq!(
            state(SubscriptionStatus::Active, true).access_until(),
            Some(datetime!(2027-01-01 0:00 UTC))
        );
        assert_eq!(
            state(SubscriptionStatus::PastDue, false).access_until(),
            Some(datetime!(2026-12-08 0:00 UTC))
        );
        for ended in [
            SubscriptionStatus::Canceled,
            SubscriptionStatus::Unpaid,
            SubscriptionStatus::Incomplete,
            SubscriptionStatus::IncompleteExpired,
            SubscriptionStatus::Paused,
            SubscriptionStatus::Checkout,
        ] {
            assert_eq!(state(ended, false).access_until(), None, "{ended:?}");
        }
    }

    #[test]
    fn tiers_need_a_name_and_a_price() {
        let tier = NewTier::parse(" Gold ", "", "5", "").unwrap();
        assert_eq!(tier.name, "Gold");
        assert_eq!(tier.monthly.map(Price::cents), Some(500));
        assert_eq!(tier.yearly, None);
        assert!(NewTier::parse("", "", "5", "").is_err());
        assert!(NewTier::parse("Gold", "", "", " ").is_err());
        assert!(NewTier::parse("Gold", "", "0", "").is_err());
        assert!(NewTier::parse("Gold", "", "abc", "").is_err());
        assert!(NewTier::parse(&"x".repeat(81), "", "5", "").is_err());
    }

    #[test]
    fn yearly_prices_count_a_twelfth_a_month() {
        assert_eq!(Interval::Year.monthly_cents(5000), 417);
        assert_eq!(Interval::Month.monthly_cents(500), 500);
        assert_eq!(price_per(500, Interval::Month), "$5.00/month");
        assert_eq!(
            SubscriptionStatus::parse("something_new"),
            SubscriptionStatus::Unpaid
        );
        assert_eq!(
            SubscriptionStatus::parse("past_due"),
            SubscriptionStatus::PastDue
        );
    }
}
