//! Folding raw events into the days the reports read. A pass recomputes whole days (in the
//! platform's timezone) from the raw events: every day since the day before the last pass,
//! so a day is final once a pass ran after it ended, and running a pass twice changes
//! nothing. One pass at a time (an advisory lock); raw events older than
//! `ANALYTICS_RAW_DAYS` and salts of past days are deleted by it.

use std::collections::{HashMap, HashSet};

use domain::analytics::{ItemDay, SessionFold};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::Error;
use crate::jobs::Job;
use crate::state::AppState;

/// The periodic pass (`server::workers`).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RollUpAnalytics;

impl Job for RollUpAnalytics {
    const KIND: &'static str = "roll_up_analytics";

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        pass(state).await.map(|_| ())
    }
}

/// Key of the advisory lock that keeps passes one at a time.
const PASS_LOCK: i64 = 0x616e_616c_7974;

/// Writes this server's waiting page views, then folds every day not final yet; the days
/// folded.
pub async fn pass(state: &AppState) -> Result<Vec<Date>, Error> {
    super::traffic::flush(state).await?;
    let mut lock = state.pool.acquire().await?;
    sqlx::query!("SELECT pg_advisory_lock($1)", PASS_LOCK)
        .execute(&mut *lock)
        .await?;
    let result = fold_open_days(state).await;
    sqlx::query_scalar!("SELECT pg_advisory_unlock($1)", PASS_LOCK)
        .fetch_one(&mut *lock)
        .await?;
    result
}

async fn fold_open_days(state: &AppState) -> Result<Vec<Date>, Error> {
    let pool = &state.pool;
    let span = sqlx::query!(
        r#"SELECT (now() AT TIME ZONE s.timezone)::date AS "today!",
                  (SELECT (finished_at AT TIME ZONE s.timezone)::date FROM analytics_passes) AS last
           FROM site_settings s"#
    )
    .fetch_one(pool)
    .await?;
    // The oldest day whose raw events are all still kept (pruning goes by the hour).
    let oldest = span.today - time::Duration::days(i64::from(state.audience.raw_days) - 1);
    let from = span
        .last
        .map_or(span.today, |last| last - time::Duration::days(1))
        .max(oldest)
        .min(span.today - time::Duration::days(1));
    let mut days = Vec::new();
    let mut day = from;
    while day <= span.today {
        let mut tx = pool.begin().await?;
        fold_day(&mut tx, day).await?;
        tx.commit().await?;
        days.push(day);
        day = day.next_day().expect("a day after today");
    }
    sqlx::query!(
        "DELETE FROM viewing_sessions WHERE started_at < now() - make_interval(days => $1)",
        state.audience.raw_days
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "DELETE FROM page_views WHERE viewed_at < now() - make_interval(days => $1)",
        state.audience.raw_days
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "DELETE FROM visitor_salts WHERE day < $1",
        span.today - time::Duration::days(1)
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "INSERT INTO analytics_passes (id, finished_at) VALUES (TRUE, now())
         ON CONFLICT (id) DO UPDATE SET finished_at = now()"
    )
    .execute(pool)
    .await?;
    Ok(days)
}

/// What one viewer watched of one item that day.
struct ViewerDay {
    watch_seconds: i64,
    last_at: OffsetDateTime,
}

/// Recomputes every rollup of `day` from its raw events.
async fn fold_day(tx: &mut PgConnection, day: Date) -> Result<(), Error> {
    let durations: HashMap<Uuid, f64> = sqlx::query!(
        r#"SELECT c.id, m.duration_seconds AS "duration?" FROM content c JOIN media m ON m.id = c.media_id"#
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| (row.id, row.duration.unwrap_or(0.0)))
    .collect();

    let mut items: HashMap<Uuid, (ItemDay, HashSet<Uuid>)> = HashMap::new();
    let mut viewers: HashMap<(Uuid, Uuid), ViewerDay> = HashMap::new();
    let mut current: Option<(Uuid, Uuid, Uuid, SessionFold, OffsetDateTime)> = None;
    let mut finish = |session: Option<(Uuid, Uuid, Uuid, SessionFold, OffsetDateTime)>| {
        let Some((_, user, content, fold, last_at)) = session else {
            return;
        };
        let duration = durations.get(&content).copied().unwrap_or(0.0);
        let (item, users) = items.entry(content).or_default();
        item.add(&fold, duration);
        if fold.started() {
            users.insert(user);
            let seen = viewers.entry((user, content)).or_insert(ViewerDay {
                watch_seconds: 0,
                last_at,
            });
            seen.watch_seconds += domain::analytics::covered(&fold.watched);
            seen.last_at = seen.last_at.max(last_at);
        }
    };
    {
        let mut rows = sqlx::query!(
            r#"SELECT s.id, s.user_id, s.content_id, b.received_at, b.watched, b.startup_ms, b.stall_ms,
                      b.stalls, b.switches, b.failed, b.exited_before_start
               FROM viewing_sessions s JOIN viewing_beacons b ON b.session_id = s.id
               WHERE s.day = $1
               ORDER BY s.id"#,
            day
        )
        .fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            if current.as_ref().map(|c| c.0) != Some(row.id) {
                finish(current.take());
                current = Some((
                    row.id,
                    row.user_id,
                    row.content_id,
                    SessionFold::default(),
                    row.received_at,
                ));
            }
            let session = current.as_mut().expect("set above");
            session.3.add(&SessionFold {
                watched: row
                    .watched
                    .chunks_exact(2)
                    .map(|pair| (pair[0], pair[1]))
                    .collect(),
                startup_ms: row.startup_ms,
                stall_ms: row.stall_ms,
                stalls: row.stalls,
                switches: row.switches,
                failed: row.failed,
                exited_before_start: row.exited_before_start,
            });
            session.4 = session.4.max(row.received_at);
        }
    }
    finish(current.take());

    let pages: HashMap<Uuid, (i64, i64)> = sqlx::query!(
        r#"SELECT content_id AS "content_id!", count(*) AS "views!", count(DISTINCT visitor) AS "visitors!"
           FROM page_views WHERE day = $1 AND content_id IS NOT NULL GROUP BY content_id"#,
        day
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| (row.content_id, (row.views, row.visitors)))
    .collect();

    sqlx::query!("DELETE FROM analytics_item_days WHERE day = $1", day)
        .execute(&mut *tx)
        .await?;
    let ids: HashSet<Uuid> = items.keys().chain(pages.keys()).copied().collect();
    for id in ids {
        let (item, users) = items.remove(&id).unwrap_or_default();
        let (page_views, visitors) = pages.get(&id).copied().unwrap_or((0, 0));
        sqlx::query!(
            "INSERT INTO analytics_item_days (content_id, day, sessions, views, viewers, watch_seconds,
                 watched_permille, completions, stall_ms, stalls, switches, failures, exits_before_start,
                 startup_histogram, retention, page_views, visitors)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            id,
            day,
            item.sessions,
            item.views,
            users.len() as i32,
            item.watch_seconds,
            item.watched_permille,
            item.completions,
            item.stall_ms,
            item.stalls,
            item.switches,
            item.failures,
            item.exits_before_start,
            &item.startup_histogram,
            &item.retention,
            page_views as i32,
            visitors as i32
        )
        .execute(&mut *tx)
        .await?;
    }

    sqlx::query!("DELETE FROM analytics_viewer_days WHERE day = $1", day)
        .execute(&mut *tx)
        .await?;
    for ((user, content), seen) in viewers {
        sqlx::query!(
            "INSERT INTO analytics_viewer_days (user_id, content_id, day, watch_seconds, last_watched_at)
             VALUES ($1, $2, $3, $4, $5)",
            user,
            content,
            day,
            seen.watch_seconds,
            seen.last_at
        )
        .execute(&mut *tx)
        .await?;
    }

    sqlx::query!("DELETE FROM analytics_site_days WHERE day = $1", day)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO analytics_site_days (day, catalog_views, visitors)
         SELECT $1, count(*) FILTER (WHERE content_id IS NULL), count(DISTINCT visitor)
         FROM page_views WHERE day = $1
         HAVING count(*) > 0",
        day
    )
    .execute(&mut *tx)
    .await?;

    sqlx::query!("DELETE FROM analytics_source_days WHERE day = $1", day)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO analytics_source_days (day, content_id, source, visits)
         SELECT $1, content_id, source, count(*) FROM page_views
         WHERE day = $1 AND source IS NOT NULL GROUP BY content_id, source",
        day
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
