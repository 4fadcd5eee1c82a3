use domain::media::MediaStatus;
use domain::paths;
use uuid::Uuid;

use crate::access::{self, Target};
use crate::auth::SignedIn;
use crate::error::{Answer, Error};
use crate::media::playback_token;
use crate::state::AppState;
use crate::streams::leases::{self, Device, Start};
use domain::auth::Role;
use domain::playback::{resume_position, CaptionSource, PlaybackGrant, WatchInfo, COMPLETED_AT};
use domain::streams::WatchStart;

struct Playable {
    content_id: Uuid,
    slug: String,
    title: String,
    media_id: Option<Uuid>,
    kind: Option<String>,
    media_status: Option<MediaStatus>,
    duration_seconds: Option<f64>,
    custom_thumbnail: bool,
    media_thumbnail: Option<bool>,
}

/// The item by slug, if the caller may play it: the owner, or someone with access (buyers
/// keep access to deleted items).
async fn playable(
    pool: &sqlx::PgPool,
    user: Uuid,
    slug: Option<&str>,
    id: Option<Uuid>,
) -> Result<Playable, Error> {
    let item = sqlx::query_as!(
        Playable,
        r#"SELECT c.id AS content_id, c.slug, c.title, c.media_id, m.kind AS "kind?", m.status AS "media_status?: MediaStatus",
                  m.duration_seconds AS "duration_seconds?",
                  c.thumbnail_type IS NOT NULL AS "custom_thumbnail!", m.has_thumbnail AS "media_thumbnail?"
           FROM content c LEFT JOIN media m ON m.id = c.media_id
           WHERE ($1::text IS NOT NULL AND c.slug = $1) OR ($2::uuid IS NOT NULL AND c.id = $2)"#,
        slug,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    if !access::may_play(pool, user, Target::Content(item.content_id)).await? {
        return Err(Error::Answer(Answer::Forbidden));
    }
    Ok(item)
}

impl Playable {
    fn ready_media(&self) -> Result<Uuid, Error> {
        match (self.media_id, self.media_status) {
            (Some(media), Some(MediaStatus::Ready)) => Ok(media),
            _ => Err(Error::conflict("This item is not ready to play yet.")),
        }
    }
}

/// A token for `media` that lives the configured lifetime, or until the caller's access ends
/// if that is sooner. Any token starts a rental's viewing period.
async fn grant(
    state: &AppState,
    user: &SignedIn,
    item: &Playable,
    media: Uuid,
) -> Result<PlaybackGrant, Error> {
    let lifetime = access::token_lifetime(
        &state.pool,
        user.id,
        item.content_id,
        state.playback_token_lifetime,
    )
    .await?
    .ok_or(Error::Answer(Answer::Forbidden))?;
    Ok(PlaybackGrant {
        token: playback_token::issue(&state.playback_key, media, user.id, lifetime),
        lifetime_seconds: lifetime.whole_seconds().unsigned_abs(),
    })
}

/// The player for `slug` on `device`, or the account's open streams when it may not open
/// one more (the owner's plays take no lease).
pub async fn watch_info(
    state: &AppState,
    user: &SignedIn,
    slug: String,
    device: &Device,
) -> Result<WatchStart, Error> {
    let item = playable(&state.pool, user.id, Some(&slug), None).await?;
    let media = item.ready_media()?;
    // Before any token: a refused player must not start a rental's hours.
    let lease = if user.role() == Role::Owner {
        None
    } else {
        let mut conn = state.pool.acquire().await?;
        match leases::start(
            &mut conn,
            user.id,
            item.content_id,
            device,
            state.playback_token_lifetime,
        )
        .await?
        {
            Start::Lease(lease) => Some(lease),
            Start::TooMany { limit, streams } => {
                return Ok(WatchStart::TooManyStreams { limit, streams })
            }
        }
    };
    let saved = sqlx::query_scalar!(
        "SELECT position_seconds FROM playback_progress WHERE user_id = $1 AND content_id = $2",
        user.id,
        item.content_id
    )
    .fetch_optional(&state.pool)
    .await?;
    let grant = grant(state, user, &item, media).await?;
    Ok(WatchStart::Play(Box::new(WatchInfo {
        content_id: item.content_id,
        lease,
        slug: item.slug,
        title: item.title,
        kind: item.kind.unwrap_or_default(),
        master_url: paths::hls_master(media, &grant.token),
        token_lifetime_seconds: grant.lifetime_seconds,
        cover_url: domain::content::thumbnail_url(
            item.content_id,
            item.custom_thumbnail,
            item.media_id,
            item.media_thumbnail.unwrap_or(false),
        ),
        duration_seconds: item.duration_seconds,
        resume_at: resume_position(saved, item.duration_seconds),
        chapters: crate::content::chapters::of(&state.pool, item.content_id).await?,
        captions: crate::content::captions::of(&state.pool, item.content_id)
            .await?
            .into_iter()
            .map(|track| CaptionSource {
                url: paths::captions(item.content_id, &track.language, &grant.token),
                language: track.language,
                label: track.label,
            })
            .collect(),
    })))
}

/// A new token for an open player, while the caller still may play the item (a refund, a
/// revoked gift or an ended rental stops the renewals) and its stream lease holds. A
/// customer's player has a lease; without one (a page opened before leases existed) the
/// renewal goes through only while no stream limit applies to the account.
pub async fn renew_playback(
    state: &AppState,
    user: &SignedIn,
    content_id: Uuid,
    lease: Option<Uuid>,
) -> Result<PlaybackGrant, Error> {
    let item = playable(&state.pool, user.id, None, Some(content_id)).await?;
    let media = item.ready_media()?;
    if user.role() != Role::Owner {
        let mut conn = state.pool.acquire().await?;
        match lease {
            Some(lease) => {
                leases::renew(&mut conn, user.id, lease, state.playback_token_lifetime).await?
            }
            None if crate::streams::limit::of_user(&mut *conn, user.id)
                .await?
                .get()
                .is_some() =>
            {
                return Err(Error::conflict(
                    "Playback stopped: reload the page to go on watching.",
                ))
            }
            None => {}
        }
    }
    grant(state, user, &item, media).await
}

/// Saves where the caller is in an item; 95 % or more marks it completed (for good).
pub async fn save_progress(
    state: &AppState,
    user: &SignedIn,
    content_id: Uuid,
    position_seconds: f64,
) -> Result<(), Error> {
    let item = playable(&state.pool, user.id, None, Some(content_id)).await?;
    let duration = item.duration_seconds.unwrap_or(0.0);
    if !position_seconds.is_finite() || position_seconds < 0.0 || position_seconds > duration + 5.0
    {
        return Err(Error::validation("That position is outside the item."));
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
pub async fn may_watch(pool: &sqlx::PgPool, user: Uuid, slug: &str) -> Result<bool, Error> {
    match playable(pool, user, Some(slug), None).await {
        Ok(_) => Ok(true),
        Err(Error::Answer(Answer::Forbidden)) | Err(Error::Answer(Answer::NotFound)) => Ok(false),
        Err(error) => Err(error),
    }
}
