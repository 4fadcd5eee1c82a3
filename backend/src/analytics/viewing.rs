//! `POST /analytics/viewing`: the player's viewing reports (`navigator.sendBeacon`, JSON, at
//! most [`BEACON_BODY_LIMIT`] bytes). A report is checked against the item (the viewer must
//! may play it; ranges within its length; figures bounded) and stored as it came; the
//! rollup folds them. The owner's plays are answered and not stored.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use domain::analytics::Beacon;
use domain::outbound::EventType;
use serde_json::json;
use tower_sessions::Session;

use crate::access::{self, Target};
use crate::auth::{Caller, SignedIn};
use crate::error::{Answer, Error};
use crate::outbound::events;
use crate::state::AppState;

/// Far more than 200 ranges and the counters take.
pub const BEACON_BODY_LIMIT: usize = 16 * 1024;
/// A session takes reports this long after it started; a page left open longer starts a
/// new one when it plays again.
const SESSION_HOURS: i32 = 12;

pub async fn receive(
    State(state): State<AppState>,
    session: Session,
    body: Bytes,
) -> Result<StatusCode, Error> {
    let viewer = Caller::of_session(&state.pool, &session)
        .await?
        .signed_in()?;
    let beacon: Beacon = serde_json::from_slice(&body)
        .map_err(|_| Error::validation("That viewing report could not be read."))?;
    record(&state, &viewer, &beacon).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores one report of `viewer`'s session; refuses one they may not send.
pub async fn record(state: &AppState, viewer: &SignedIn, beacon: &Beacon) -> Result<(), Error> {
    if !state.audience.reports.allow(viewer.id) {
        return Err(Error::Answer(Answer::RateLimited));
    }
    if !access::may_play(&state.pool, viewer.id, Target::Content(beacon.content_id)).await? {
        return Err(Error::validation("That item is not one you may play."));
    }
    if viewer.view().is_owner() {
        return Ok(());
    }
    let duration = sqlx::query_scalar!(
        r#"SELECT m.duration_seconds AS "duration?" FROM content c JOIN media m ON m.id = c.media_id
           WHERE c.id = $1"#,
        beacon.content_id
    )
    .fetch_optional(&state.pool)
    .await?
    .flatten()
    .unwrap_or(0.0);
    let checked = beacon
        .check(duration)
        .map_err(|invalid| Error::validation(invalid.0))?;
    // One statement: the session is made by its first report, and a report is kept only
    // for a session of this viewer and item that is still open.
    let watched: Vec<i32> = checked.watched.iter().flat_map(|&(s, e)| [s, e]).collect();
    // Two reports of a new session at once: the second's statement may not see the first's
    // session yet, and looks again.
    let mut kept = None;
    for _ in 0..2 {
        kept = sqlx::query_scalar!(
            "WITH made AS (
                 INSERT INTO viewing_sessions (id, user_id, content_id, day)
                 SELECT $1, $2, $3, (now() AT TIME ZONE timezone)::date FROM site_settings
                 ON CONFLICT (id) DO NOTHING
                 RETURNING id),
             open AS (
                 SELECT id FROM made
                 UNION ALL
                 SELECT id FROM viewing_sessions
                 WHERE id = $1 AND user_id = $2 AND content_id = $3
                   AND started_at > now() - make_interval(hours => $4))
             INSERT INTO viewing_beacons (session_id, watched, startup_ms, stall_ms, stalls, switches, failed, exited_before_start)
             SELECT id, $5, $6, $7, $8, $9, $10, $11 FROM open LIMIT 1
             RETURNING id",
            beacon.session,
            viewer.id,
            beacon.content_id,
            SESSION_HOURS,
            &watched,
            checked.startup_ms,
            checked.stall_ms,
            checked.stalls,
            checked.switches,
            checked.failed,
            checked.exited_before_start
        )
        .fetch_optional(&state.pool)
        .await?;
        if kept.is_some() {
            break;
        }
    }
    if kept.is_none() {
        return Err(Error::validation(
            "That viewing session is someone else's, or has ended.",
        ));
    }
    if checked.completed(duration) {
        let mut tx = state.pool.begin().await?;
        let first = sqlx::query_scalar!(
            "UPDATE viewing_sessions SET completed_at = now() WHERE id = $1 AND completed_at IS NULL RETURNING id",
            beacon.session
        )
        .fetch_optional(&mut *tx)
        .await?;
        if first.is_some() {
            let data = json!({
                "session_id": beacon.session,
                "customer_id": viewer.id,
                "customer_email": viewer.email,
                "content_id": beacon.content_id,
            });
            events::publish(&mut tx, EventType::ViewingCompleted, data).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
