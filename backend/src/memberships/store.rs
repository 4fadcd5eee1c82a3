//! Every write to `subscriptions`: a membership's checkout (recorded, given its Stripe
//! page, or abandoned when Stripe could not make one), and `apply`, which makes a
//! membership match its Stripe subscription. Every event about a subscription
//! (`customer.subscription.*`, `invoice.paid`, `invoice.payment_failed`, a subscription
//! Checkout completed) only says "look again": the subscription is read from Stripe and
//! copied here, so events in any order, repeated or days late, end in Stripe's current state.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access;
use crate::error::Error;
use crate::stripe::subscription::SubscriptionFacts;
use domain::memberships::{Interval, SubscriptionStatus};

/// Copies `facts` onto the membership they belong to (found by the subscription's id, or by
/// the membership id Codex put in its metadata) and makes the member's access match. A
/// subscription billed otherwise than sold (price, currency or interval) is flagged for the
/// owner, and its access keeps only what was paid for: it is never extended while it differs.
/// The membership's status now, or `None` for a subscription Codex did not start.
pub async fn apply(
    conn: &mut PgConnection,
    facts: &SubscriptionFacts,
) -> Result<Option<SubscriptionStatus>, Error> {
    let state = facts.state;
    let found = sqlx::query!(
        "SELECT id, user_id, amount_cents, billing_interval, access_until, status FROM subscriptions
         WHERE stripe_subscription_id = $1 OR id = $2
         ORDER BY stripe_subscription_id = $1 DESC NULLS LAST LIMIT 1
         FOR UPDATE",
        facts.subscription_id,
        facts.membership_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = found else {
        tracing::warn!(subscription = %facts.subscription_id, "a subscription Codex did not start; ignored");
        return Ok(None);
    };
    let sold = Interval::parse(&row.billing_interval).unwrap_or(Interval::Month);
    let mismatch = facts.billed.differs_from(row.amount_cents, sold);
    let access_until = match &mismatch {
        None => state.access_until(),
        Some(what) => {
            tracing::warn!(subscription = %facts.subscription_id, mismatch = %what, "a membership billed otherwise than sold; flagged for the owner");
            state.access_until().min(row.access_until)
        }
    };
    sqlx::query!(
        "UPDATE subscriptions
         SET stripe_subscription_id = $2, stripe_customer_id = $3, status = $4,
             current_period_start = $5, current_period_end = $6, cancel_at_period_end = $7,
             access_until = $8, mismatch = $9, updated_at = now()
         WHERE id = $1",
        row.id,
        facts.subscription_id,
        facts.customer_id,
        state.status.as_str(),
        state.current_period_start,
        state.current_period_end,
        state.cancel_at_period_end,
        access_until,
        mismatch
    )
    .execute(&mut *conn)
    .await?;
    access::sync_member(conn, row.user_id).await?;
    if state.status == SubscriptionStatus::Canceled && row.status != state.status.as_str() {
        let win_back = domain::marketing::Automation::WinBack;
        crate::marketing::automations::enrol(conn, win_back, row.user_id, None).await?;
    }
    Ok(Some(state.status))
}

/// What a membership is sold as: a tier, billed each month or year at a price.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub tier: Uuid,
    pub interval: Interval,
    pub amount_cents: i32,
}

/// Records a checkout of `plan` by `customer`, waiting for Stripe's subscription; its id.
pub async fn start_checkout(
    conn: &mut PgConnection,
    customer: Uuid,
    plan: &Plan,
) -> Result<Uuid, Error> {
    Ok(sqlx::query_scalar!(
        "INSERT INTO subscriptions (user_id, tier_id, billing_interval, amount_cents)
         VALUES ($1, $2, $3, $4) RETURNING id",
        customer,
        plan.tier,
        plan.interval.as_str(),
        plan.amount_cents
    )
    .fetch_one(conn)
    .await?)
}

/// Stripe made checkout `id`'s page.
pub async fn attach_session(
    conn: &mut PgConnection,
    id: Uuid,
    session_id: &str,
    url: &str,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE subscriptions SET stripe_checkout_session_id = $2, stripe_checkout_url = $3
         WHERE id = $1",
        id,
        session_id,
        url
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Nothing is kept of a checkout Stripe never made.
pub async fn abandon_checkout(conn: &mut PgConnection, id: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "DELETE FROM subscriptions WHERE id = $1 AND status = 'checkout'",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}
