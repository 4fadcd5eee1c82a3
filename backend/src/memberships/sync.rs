//! Makes a membership match its Stripe subscription. Every event about a subscription
//! (`customer.subscription.*`, `invoice.paid`, `invoice.payment_failed`, a subscription
//! Checkout completed) only says "look again": the subscription is read from Stripe and
//! copied here, so events in any order, repeated or days late, end in Stripe's current state.

use sqlx::PgConnection;

use super::facts::SubscriptionFacts;
use crate::access;
use crate::error::Error;
use crate::purchases::fulfilment::Outcome;
use domain::memberships::Interval;

/// Copies `facts` onto the membership they belong to (found by the subscription's id, or by
/// the membership id Codex put in its metadata) and makes the member's access match. A
/// subscription billed otherwise than sold (price, currency or interval) is flagged for the
/// owner, and its access keeps only what was paid for: it is never extended while it differs.
pub async fn apply(conn: &mut PgConnection, facts: &SubscriptionFacts) -> Result<Outcome, Error> {
    let state = facts.state;
    let found = sqlx::query!(
        "SELECT id, user_id, amount_cents, billing_interval, access_until FROM subscriptions
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
        return Ok(Outcome::Unknown);
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
    Ok(Outcome::Membership(state.status))
}
