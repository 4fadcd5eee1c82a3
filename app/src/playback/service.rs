use time::Duration;
use uuid::Uuid;

use super::{resume_position, WatchInfo, COMPLETED_AT};
use crate::auth::guard::require_user;
use crate::error::AppError;
use crate::media::playback_token;

struct Playable {
    content_id: Uuid,
    slug: String,
    title: String,
    media_id: Option<Uuid>,
    kind: Option<String>,
    media_status: Option<String>,
    duration_seconds: Option<f64>,
    allowed: bool,
}

/// The item by slug, if the caller may play it: the owner, or someone with access (buyers
/// keep access to deleted items).
async fn playable(
    pool: &sqlx::PgPool,
    user: Uuid,
    slug: Option<&str>,
    id: Option<Uuid>,
) -> Result<Playable, AppError> {
    let item = sqlx::query_as!(
        Playable,
        r#"SELECT c.id AS content_id, c.slug, c.title, c.media_id, m.kind AS "kind?", m.status AS "media_status?",
                  m.duration_seconds AS "duration_seconds?",
                  (c.owner_id = $1 OR EXISTS (SELECT 1 FROM access a
                       WHERE a.user_id = $1 AND a.content_id = c.id AND a.revoked_at IS NULL)) AS "allowed!"
           FROM content c LEFT JOIN media m ON m.id = c.media_id
           WHERE ($2::text IS NOT NULL AND c.slug = $2) OR ($3::uuid IS NOT NULL AND c.id = $3)"#,
        user,
        slug,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    if !item.allowed {
        return Err(AppError::Forbidden);
    }
    Ok(item)
}

pub async fn watch_info(slug: String) -> Result<WatchInfo, AppError> {
    let (state, _, user) = require_user().await?;
    let item = playable(&state.pool, user.id, Some(&slug), None).await?;
    let media = match (item.media_id, item.media_status.as_deref()) {
        (Some(media), Some("ready")) => media,
        _ => {
            return Err(AppError::Conflict(
                "This item is not ready to play yet.".into(),
            ))
        }
    };
    let saved = sqlx::query_scalar!(
        "SELECT position_seconds FROM playback_progress WHERE user_id = $1 AND content_id = $2",
        user.id,
        item.content_id
    )
    .fetch_optional(&state.pool)
    .await?;
    let lifetime =
        playback_token::MARGIN + Duration::seconds_f64(item.duration_seconds.unwrap_or(0.0));
    let token = playback_token::issue(&state.playback_key, media, user.id, lifetime);
    Ok(WatchInfo {
        content_id: item.content_id,
        slug: item.slug,
        title: item.title,
        kind: item.kind.unwrap_or_default(),
        master_url: format!("/media/{media}/hls/master.m3u8?t={token}"),
        duration_seconds: item.duration_seconds,
        resume_at: resume_position(saved, item.duration_seconds),
    })
}

/// Saves where the caller is in an item; 95 % or more marks it completed (for good).
pub async fn save_progress(content_id: Uuid, position_seconds: f64) -> Result<(), AppError> {
    let (state, _, user) = require_user().await?;
    let item = playable(&state.pool, user.id, None, Some(content_id)).await?;
    let duration = item.duration_seconds.unwrap_or(0.0);
    if !position_seconds.is_finite() || position_seconds < 0.0 || position_seconds > duration + 5.0
    {
        return Err(AppError::validation("That position is outside the item."));
    }
    let completed = duration > 0.0 && position_seconds >= duration * COMPLETED_AT;
    sqlx::query!(
        r#"INSERT INTO playback_progress (user_id, content_id, position_seconds, completed)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, content_id) DO UPDATE SET
               position_seconds = EXCLUDED.position_seconds,
               completed = playback_progress.completed OR EXCLUDED.completed,
               updated_at = now()"#,
        user.id,
        item.content_id,
        position_seconds,
        completed
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}

/// Whether `user` may open the watch page of `slug` (the page guard asks before rendering).
pub async fn may_watch(pool: &sqlx::PgPool, user: Uuid, slug: &str) -> Result<bool, AppError> {
    match playable(pool, user, Some(slug), None).await {
        Ok(_) => Ok(true),
        Err(AppError::Forbidden) | Err(AppError::NotFound) => Ok(false),
        Err(error) => Err(error),
    }
}
