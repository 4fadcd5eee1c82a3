use crate::auth::Owner;
use crate::error::Error;
use crate::payments::reconcile;
use crate::state::AppState;
use domain::dashboard::{Dashboard, RecentPurchase, Sales, TopItem};
use domain::purchases::PurchaseStatus;

pub async fn load(state: &AppState, _owner: &Owner) -> Result<Dashboard, Error> {
    let pool = &state.pool;
    let (today, timezone) = crate::revenue::today(pool).await?;
    let totals = sqlx::query!(
        r#"WITH month AS (
               SELECT date_trunc('month', now() AT TIME ZONE $1) AT TIME ZONE $1 AS start
           )
           SELECT
               ((SELECT COALESCE(sum(net_cents), 0) FROM purchase_revenue)
                + (SELECT COALESCE(sum(net_cents), 0) FROM membership_revenue))::bigint AS "all_time!",
               (COALESCE(sum(p.amount_cents) FILTER (WHERE p.completed_at >= month.start), 0)
                - COALESCE(sum(p.amount_cents) FILTER (WHERE p.status IN ('refunded', 'dispute_lost') AND p.ended_at >= month.start), 0)
                + (SELECT COALESCE(sum(m.net_cents), 0) FROM membership_revenue m, month mm WHERE m.paid_at >= mm.start))::bigint
                   AS "this_month!",
               count(*) FILTER (WHERE p.status = 'completed' AND p.kind <> 'grant') AS "completed!",
               (SELECT count(*) FROM users WHERE role = 'customer') AS "customers!"
           FROM month LEFT JOIN purchases p ON p.status IN ('completed', 'refunded', 'disputed', 'dispute_lost')"#,
        timezone
    )
    .fetch_one(pool)
    .await?;
    let top_content = sqlx::query_as!(
        TopItem,
        r#"SELECT c.title, count(*) FILTER (WHERE r.status = 'completed') AS "purchases!",
                  COALESCE(sum(r.net_cents), 0)::bigint AS "revenue_cents!"
           FROM purchase_revenue r JOIN content c ON c.id = r.content_id
           GROUP BY c.id, c.title
           HAVING count(*) FILTER (WHERE r.status = 'completed') > 0
           ORDER BY 2 DESC, 3 DESC, c.title
           LIMIT 5"#
    )
    .fetch_all(pool)
    .await?;
    let recent = sqlx::query_as!(
        RecentPurchase,
        r#"SELECT u.email AS customer_email, c.title, p.amount_cents, p.status AS "status: PurchaseStatus",
                  to_char(COALESCE(p.completed_at, p.created_at) AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI') AS "at!"
           FROM purchases p JOIN users u ON u.id = p.user_id JOIN content c ON c.id = p.content_id
           WHERE p.status IN ('completed', 'refunded', 'disputed', 'dispute_lost') AND p.kind <> 'grant'
           ORDER BY COALESCE(p.completed_at, p.created_at) DESC
           LIMIT 10"#,
        timezone
    )
    .fetch_all(pool)
    .await?;
    let daily = crate::revenue::by_day(
        pool,
        &timezone,
        (today - time::Duration::days(29), today),
        None,
    )
    .await?;
    let sales = sqlx::query!(
        r#"WITH paid AS (
               SELECT p.amount_cents::bigint AS amount,
                      CASE WHEN p.status = 'refunded' THEN p.amount_cents::bigint
                           ELSE LEAST(COALESCE(sp.amount_refunded_cents, 0), p.amount_cents) END AS refunded,
                      sp.dispute_status, p.status = 'disputed' AS open, p.status = 'dispute_lost' AS lost
               FROM purchases p LEFT JOIN stripe_payments sp ON sp.payment_intent_id = p.stripe_payment_intent_id
               WHERE p.kind = 'checkout' AND p.completed_at IS NOT NULL
               UNION ALL
               SELECT amount_cents, CASE WHEN fully_refunded THEN amount_cents ELSE refunded_cents END,
                      dispute_status, dispute_status = 'open', dispute_status = 'lost'
               FROM membership_revenue
           )
           SELECT COALESCE(sum(amount), 0)::bigint AS "gross!",
                  count(*) FILTER (WHERE refunded > 0) AS "refunds!",
                  COALESCE(sum(refunded), 0)::bigint AS "refunds_cents!",
                  count(*) FILTER (WHERE dispute_status IS NOT NULL) AS "disputes!",
                  count(*) FILTER (WHERE open) AS "disputes_open!",
                  COALESCE(sum(amount) FILTER (WHERE lost), 0)::bigint AS "lost!"
           FROM paid"#
    )
    .fetch_one(pool)
    .await?;
    let sales = Sales {
        gross_cents: sales.gross,
        refunds: sales.refunds,
        refunds_cents: sales.refunds_cents,
        disputes: sales.disputes,
        disputes_open: sales.disputes_open,
        disputes_lost_cents: sales.lost,
        // Net is revenue, counted by `purchase_revenue` as everywhere else.
        net_cents: totals.all_time,
    };
    let reconciliation = reconcile::latest(pool).await?;
    let (active_members, mrr_cents) = crate::memberships::stats::members_and_mrr(pool).await?;
    let audience = domain::marketing::Audience {
        subscribers: crate::marketing::consent::subscribers(pool).await?,
        recovered_checkouts: crate::marketing::abandoned::settings(pool).await?.recovered,
    };
    Ok(Dashboard {
        audience,
        active_members,
        mrr_cents,
        sales,
        reconciliation,
        timezone,
        revenue_all_time_cents: totals.all_time,
        revenue_this_month_cents: totals.this_month,
        customers: totals.customers,
        completed_purchases: totals.completed,
        top_content,
        recent,
        daily,
    })
}
