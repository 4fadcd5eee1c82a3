//! The dashboard's membership figures.

use sqlx::PgExecutor;

use crate::error::Error;
use domain::memberships::Interval;

/// Members (customers with a current subscription: active, trialing or being retried) and
/// the monthly recurring revenue of their subscriptions (a yearly one counts a twelfth),
/// in cents. A subscription cancelled at period end still counts until it ends.
pub async fn members_and_mrr(executor: impl PgExecutor<'_>) -> Result<(i64, i64), Error> {
    let rows = sqlx::query!(
        r#"SELECT billing_interval, sum(amount_cents)::bigint AS "amount!",
                  array_agg(DISTINCT user_id) AS "users!"
           FROM subscriptions
           WHERE status IN ('active', 'trialing', 'past_due') AND access_until > now()
           GROUP BY billing_interval"#
    )
    .fetch_all(executor)
    .await?;
    let mut members = std::collections::HashSet::new();
    let mut mrr = 0;
    for row in rows {
        let interval = Interval::parse(&row.billing_interval).unwrap_or(Interval::Month);
        mrr += interval.monthly_cents(row.amount);
        members.extend(row.users);
    }
    Ok((members.len() as i64, mrr))
}
