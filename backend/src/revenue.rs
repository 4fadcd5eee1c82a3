//! Revenue, counted one way everywhere (the dashboard, analytics, their exports): money as
//! it moves (`revenue_moves`, a view of purchases and membership payments): a sale on the
//! day it completed, a refund or a lost dispute as a negative on the day it ended, a
//! membership payment net of its refunds on the day it was paid. Days are the platform's.

use std::collections::HashMap;

use sqlx::PgExecutor;
use time::Date;
use uuid::Uuid;

use crate::error::Error;
use domain::dashboard::DayRevenue;

/// Today in the platform's timezone, and the timezone.
pub async fn today(db: impl PgExecutor<'_>) -> Result<(Date, String), Error> {
    let row = sqlx::query!(
        r#"SELECT (now() AT TIME ZONE timezone)::date AS "today!", timezone FROM site_settings"#
    )
    .fetch_one(db)
    .await?;
    Ok((row.today, row.timezone))
}

/// The revenue of the purchases abandoned checkout emails brought back.
pub async fn recovered_by_email(db: impl PgExecutor<'_>) -> Result<i64, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT COALESCE(sum(cents), 0)::bigint AS "cents!" FROM revenue_moves
           WHERE purchase_id IN (SELECT recovered_purchase_id FROM marketing_emails
                                 WHERE recovered_purchase_id IS NOT NULL)"#
    )
    .fetch_one(db)
    .await?)
}

/// Each day from `from` to `to` with its revenue (of item `content` alone when given, else
/// of everything, memberships included), oldest first.
pub async fn by_day(
    db: impl PgExecutor<'_>,
    timezone: &str,
    (from, to): (Date, Date),
    content: Option<Uuid>,
) -> Result<Vec<DayRevenue>, Error> {
    Ok(sqlx::query_as!(
        DayRevenue,
        r#"WITH days AS (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day),
                moves AS (SELECT (at AT TIME ZONE $1)::date AS day, cents FROM revenue_moves
                          WHERE at >= ($2::date - 1)::timestamp AT TIME ZONE $1
                            AND at < ($3::date + 2)::timestamp AT TIME ZONE $1
                            AND ($4::uuid IS NULL OR content_id = $4))
           SELECT to_char(d.day, 'YYYY-MM-DD') AS "day!", COALESCE(sum(m.cents), 0)::bigint AS "cents!"
           FROM days d LEFT JOIN moves m ON m.day = d.day
           GROUP BY d.day ORDER BY d.day"#,
        timezone,
        from,
        to,
        content
    )
    .fetch_all(db)
    .await?)
}

/// Each item's revenue from `from` to `to` (items with none are left out).
pub async fn by_item(
    db: impl PgExecutor<'_>,
    timezone: &str,
    (from, to): (Date, Date),
) -> Result<HashMap<Uuid, i64>, Error> {
    Ok(sqlx::query!(
        r#"SELECT content_id AS "content_id!", sum(cents)::bigint AS "cents!" FROM revenue_moves
           WHERE content_id IS NOT NULL
             AND (at AT TIME ZONE $1)::date BETWEEN $2 AND $3
           GROUP BY content_id"#,
        timezone,
        from,
        to
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| (row.content_id, row.cents))
    .collect())
}
