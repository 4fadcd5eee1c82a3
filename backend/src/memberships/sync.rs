//! Makes a membership match its Stripe subscription. Every event about a subscription
//! (`customer.subscription.*`, `invoice.paid`, `invoice.payment_failed`, a subscription
//! Checkout completed) only says "look again": the subscription is read from Stripe and
//! copied here, so events in any order, repeated or days late, end in Stripe's current state.

use sqlx::PgConnection;

use super::facts::SubscriptionFacts;
use crate::access;
use crate::error::Error;
use crate::purchases::fulfilment::Outcome;

/// Copies `facts` onto the membership they belong to (found by the subscription's id, or by
/// the membership id Codex put in its metadata) and makes the member's access match.
pub async fn apply(conn: &mut PgConnection, facts: &SubscriptionFacts) -> Result<Outcome, Error> {
    let state = facts.state;
    let row = sqlx::query!(
        "UPDATE subscriptions
         SET stripe_subscription_id = $1, stripe_customer_id = $2, status = $3,
             current_period_start = $4, current_period_end = $5, cancel_at_period_end = $6,
             access_until = $7, updated_at = now()
         WHERE id = (SELECT id FROM subscriptions
                     WHERE stripe_subscription_id = $1 OR id = $8
                     ORDER BY stripe_subscription_id = $1 DESC NULLS LAST LIMIT 1)
         RETURNING user_id",
        facts.subscription_id,
        facts.customer_id,
        state.status.as_str(),
        state.current_period_start,
        state.current_period_end,
        state.cancel_at_period_end,
        state.access_until(),
        facts.membership_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        tracing::warn!(subscription = %facts.subscription_id, "a subscription Codex did not start; ignored");
        return Ok(Outcome::Unknown);
    };
    access::sync_member(conn, row.user_id).await?;
    Ok(Outcome::Membership(state.status))
}
