//! The owner's reports: read from the rollups (never the raw events) and, for checkouts and
//! revenue, from the sales themselves (`revenue`), so they agree with the dashboard to the
//! cent after every refund and dispute.

use std::collections::HashMap;

use domain::analytics::{
    startup_percentile, DayFigures, ItemFigures, ItemReport, ItemSort, Overview, Period, Quality,
    SourceFigures, Watched, RETENTION_BUCKETS, STARTUP_BUCKETS,
};
use sqlx::PgPool;
use time::Date;
use uuid::Uuid;

use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::revenue;
use crate::state::AppState;

/// What a report's address asks for (`?range=7|30|90|custom&from=&to=&sort=`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Asked {
    pub range: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Option<String>,
}

/// The period asked for, in the platform's timezone, and the timezone.
pub async fn period_of(pool: &PgPool, asked: &Asked) -> Result<(Period, String), Error> {
    let (today, timezone) = revenue::today(pool).await?;
    let period = Period::parse(
        asked.range.as_deref(),
        asked.from.as_deref(),
        asked.to.as_deref(),
        today,
    )
    .map_err(|invalid| Error::validation(invalid.0))?;
    Ok((period, timezone))
}

pub async fn overview(state: &AppState, _owner: &Owner, asked: &Asked) -> Result<Overview, Error> {
    let pool = &state.pool;
    let (period, timezone) = period_of(pool, asked).await?;
    let days = period.days();
    let watched = sqlx::query!(
        r#"SELECT to_char(g.day, 'YYYY-MM-DD') AS "day!", COALESCE(sum(d.views), 0)::bigint AS "views!",
                  COALESCE(sum(d.watch_seconds), 0)::bigint AS "watch_seconds!"
           FROM generate_series($1::date, $2::date, interval '1 day') AS g(day)
           LEFT JOIN analytics_item_days d ON d.day = g.day::date
           GROUP BY g.day ORDER BY g.day"#,
        days.0,
        days.1
    )
    .fetch_all(pool)
    .await?;
    let revenue = revenue::by_day(pool, &timezone, days, None).await?;
    let days_figures: Vec<DayFigures> = watched
        .into_iter()
        .zip(revenue)
        .map(|(w, r)| DayFigures {
            day: w.day,
            views: w.views,
            watch_seconds: w.watch_seconds,
            revenue_cents: r.cents,
        })
        .collect();
    let site = sqlx::query!(
        r#"SELECT COALESCE(sum(catalog_views), 0)::bigint AS "catalog_views!",
                  COALESCE(sum(visitors), 0)::bigint AS "visitors!"
           FROM analytics_site_days WHERE day BETWEEN $1 AND $2"#,
        days.0,
        days.1
    )
    .fetch_one(pool)
    .await?;
    let mut items = item_figures(pool, &timezone, days, None).await?;
    ItemSort::parse(asked.sort.as_deref().unwrap_or("")).apply(&mut items);
    let updated_at = sqlx::query_scalar!(
        r#"SELECT to_char(finished_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI') AS "at!" FROM analytics_passes"#,
        timezone
    )
    .fetch_optional(pool)
    .await?;
    Ok(Overview {
        revenue_cents: days_figures.iter().map(|d| d.revenue_cents).sum(),
        period,
        timezone,
        updated_at,
        days: days_figures,
        items,
        catalog_views: site.catalog_views,
        visitors: site.visitors,
    })
}

/// Each item's figures over `days` (one item's when `only` is given), by title.
async fn item_figures(
    pool: &PgPool,
    timezone: &str,
    days: (Date, Date),
    only: Option<Uuid>,
) -> Result<Vec<ItemFigures>, Error> {
    let rows = sqlx::query!(
        r#"SELECT c.id, c.title,
                  COALESCE(sum(d.views), 0)::bigint AS "views!",
                  COALESCE(sum(d.viewers), 0)::bigint AS "viewers!",
                  COALESCE(sum(d.watch_seconds), 0)::bigint AS "watch_seconds!",
                  COALESCE(sum(d.watched_permille), 0)::bigint AS "watched_permille!",
                  COALESCE(sum(d.completions), 0)::bigint AS "completions!",
                  COALESCE(sum(d.page_views), 0)::bigint AS "page_views!"
           FROM content c
           LEFT JOIN analytics_item_days d ON d.content_id = c.id AND d.day BETWEEN $1 AND $2
           WHERE ($3::uuid IS NULL AND c.deleted_at IS NULL) OR c.id = $3
           GROUP BY c.id, c.title
           ORDER BY lower(c.title)"#,
        days.0,
        days.1,
        only
    )
    .fetch_all(pool)
    .await?;
    let checkouts: HashMap<Uuid, (i64, i64)> = sqlx::query!(
        r#"SELECT content_id, count(*) AS "started!", count(*) FILTER (WHERE completed_at IS NOT NULL) AS "paid!"
           FROM purchases
           WHERE kind = 'checkout' AND (created_at AT TIME ZONE $1)::date BETWEEN $2 AND $3
             AND ($4::uuid IS NULL OR content_id = $4)
           GROUP BY content_id"#,
        timezone,
        days.0,
        days.1,
        only
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| (row.content_id, (row.started, row.paid)))
    .collect();
    let revenue = revenue::by_item(pool, timezone, days).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (checkouts, paid) = checkouts.get(&row.id).copied().unwrap_or((0, 0));
            ItemFigures {
                content_id: row.id,
                title: row.title,
                views: row.views,
                viewers: row.viewers,
                watch_seconds: row.watch_seconds,
                average_watched_permille: if row.views > 0 {
                    row.watched_permille / row.views
                } else {
                    0
                },
                completions: row.completions,
                page_views: row.page_views,
                checkouts,
                paid,
                revenue_cents: revenue.get(&row.id).copied().unwrap_or(0),
            }
        })
        .collect())
}

/// One item's figures for the last 30 days (its editor's headline).
pub async fn headline(state: &AppState, _owner: &Owner, id: Uuid) -> Result<ItemFigures, Error> {
    let (period, timezone) = period_of(&state.pool, &Asked::default()).await?;
    item_figures(&state.pool, &timezone, period.days(), Some(id))
        .await?
        .pop()
        .ok_or(Error::Answer(Answer::NotFound))
}

pub async fn item_report(
    state: &AppState,
    _owner: &Owner,
    id: Uuid,
    asked: &Asked,
) -> Result<ItemReport, Error> {
    let pool = &state.pool;
    let (period, timezone) = period_of(pool, asked).await?;
    let days = period.days();
    let figures = item_figures(pool, &timezone, days, Some(id))
        .await?
        .pop()
        .ok_or(Error::Answer(Answer::NotFound))?;
    let rows = sqlx::query!(
        "SELECT views, sessions, watch_seconds, stall_ms, failures, exits_before_start,
                startup_histogram, retention
         FROM analytics_item_days WHERE content_id = $1 AND day BETWEEN $2 AND $3",
        id,
        days.0,
        days.1
    )
    .fetch_all(pool)
    .await?;
    let mut retention = vec![0i64; RETENTION_BUCKETS];
    let mut histogram = vec![0i32; STARTUP_BUCKETS];
    let (mut views, mut sessions, mut watch_ms, mut stall_ms, mut failures, mut exits) =
        (0i64, 0i64, 0i64, 0i64, 0i64, 0i64);
    for row in rows {
        views += i64::from(row.views);
        sessions += i64::from(row.sessions);
        watch_ms += row.watch_seconds * 1000;
        stall_ms += row.stall_ms;
        failures += i64::from(row.failures);
        exits += i64::from(row.exits_before_start);
        for (sum, n) in retention.iter_mut().zip(&row.retention) {
            *sum += i64::from(*n);
        }
        for (sum, n) in histogram.iter_mut().zip(&row.startup_histogram) {
            *sum += n;
        }
    }
    let share =
        |part: i64, whole: i64, scale: i64| if whole > 0 { part * scale / whole } else { 0 };
    let duration_seconds = sqlx::query_scalar!(
        r#"SELECT m.duration_seconds AS "duration?" FROM content c JOIN media m ON m.id = c.media_id WHERE c.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .flatten();
    Ok(ItemReport {
        retention_permille: retention.iter().map(|n| share(*n, views, 1000)).collect(),
        quality: Quality {
            startup_p50_ms: startup_percentile(&histogram, 0.50),
            startup_p75_ms: startup_percentile(&histogram, 0.75),
            startup_p95_ms: startup_percentile(&histogram, 0.95),
            rebuffer_basis_points: share(stall_ms, watch_ms + stall_ms, 10_000),
            failure_basis_points: share(failures, sessions, 10_000),
            exits_before_start: exits,
            sessions,
        },
        sources: sources(pool, &timezone, days, id).await?,
        duration_seconds,
        figures,
        period,
    })
}

/// Landings on the item's page per source, and the item's checkouts by their buyer's source.
async fn sources(
    pool: &PgPool,
    timezone: &str,
    days: (Date, Date),
    id: Uuid,
) -> Result<Vec<SourceFigures>, Error> {
    let mut by_source: HashMap<String, SourceFigures> = HashMap::new();
    let row = |source: String| SourceFigures {
        source,
        visits: 0,
        checkouts: 0,
        paid: 0,
    };
    for visit in sqlx::query!(
        r#"SELECT source, sum(visits)::bigint AS "visits!" FROM analytics_source_days
           WHERE content_id = $1 AND day BETWEEN $2 AND $3 GROUP BY source"#,
        id,
        days.0,
        days.1
    )
    .fetch_all(pool)
    .await?
    {
        by_source
            .entry(visit.source.clone())
            .or_insert_with(|| row(visit.source))
            .visits = visit.visits;
    }
    for sale in sqlx::query!(
        r#"SELECT COALESCE(s.source, 'Direct') AS "source!", count(*) AS "started!",
                  count(*) FILTER (WHERE p.completed_at IS NOT NULL) AS "paid!"
           FROM purchases p LEFT JOIN checkout_sources s ON s.purchase_id = p.id
           WHERE p.content_id = $1 AND p.kind = 'checkout'
             AND (p.created_at AT TIME ZONE $2)::date BETWEEN $3 AND $4
           GROUP BY 1"#,
        id,
        timezone,
        days.0,
        days.1
    )
    .fetch_all(pool)
    .await?
    {
        let entry = by_source
            .entry(sale.source.clone())
            .or_insert_with(|| row(sale.source));
        entry.checkouts = sale.started;
        entry.paid = sale.paid;
    }
    let mut sources: Vec<SourceFigures> = by_source.into_values().collect();
    sources.sort_by(|a, b| {
        (b.paid, b.checkouts, b.visits, &a.source).cmp(&(a.paid, a.checkouts, a.visits, &b.source))
    });
    Ok(sources)
}

/// What `customer` watched, most recent first (their page in `/admin/customers`).
pub async fn watched_by(
    pool: &PgPool,
    _owner: &Owner,
    customer: Uuid,
) -> Result<Vec<Watched>, Error> {
    Ok(sqlx::query_as!(
        Watched,
        r#"SELECT c.title, sum(v.watch_seconds)::bigint AS "watch_seconds!",
                  to_char(max(v.last_watched_at) AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI') AS "last_watched!"
           FROM analytics_viewer_days v JOIN content c ON c.id = v.content_id, site_settings s
           WHERE v.user_id = $1
           GROUP BY c.id, c.title, s.timezone
           ORDER BY max(v.last_watched_at) DESC
           LIMIT 100"#,
        customer
    )
    .fetch_all(pool)
    .await?)
}
