//! A media item's processing as a job of the one runner (`crate::jobs`), and what its
//! progress writes to the item: `uploaded` while it waits, `processing` while it runs,
//! `ready` once it plays (on its lowest rung first), `failed` with the reason. An item
//! already playing keeps playing whatever a later step does.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::Error;
use domain::media::Rendition;

/// The `unique_key` of an item's processing job: one at a time per item. SQL that asks
/// whether an item is being processed builds the same text (`'process_media:' || id`).
pub fn key(media: Uuid) -> String {
    crate::jobs::unique_key::<super::processing::ProcessMedia>(media)
}

/// What a successful job found and produced.
#[derive(Debug, Clone)]
pub struct Processed {
    pub duration_seconds: f64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub renditions: Vec<Rendition>,
    pub has_thumbnail: bool,
    /// Everything the item keeps in storage once stored (parts, HLS, thumbnail).
    pub stored_bytes: Option<i64>,
    /// The size of an audio item's progressive rendition (its podcast enclosure).
    pub podcast_bytes: Option<i64>,
}

/// Queues processing of an uploaded media item (once: while its job waits or runs, a
/// second one is not queued).
pub async fn enqueue(conn: &mut PgConnection, media: Uuid) -> Result<(), Error> {
    let job = super::processing::ProcessMedia { media };
    crate::jobs::enqueue(
        &mut *conn,
        &job,
        Some(&key(media)),
        std::time::Duration::ZERO,
    )
    .await?;
    sqlx::query!(
        "UPDATE media SET status = 'uploaded', error = NULL, updated_at = now() WHERE id = $1",
        media
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The job started (or started again): the item is processing, unless it already plays.
pub async fn mark_processing(pool: &PgPool, media: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE media SET status = 'processing', updated_at = now() WHERE id = $1 AND status <> 'ready'",
        media
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The media plays with what `done` lists (the lowest rung while the others encode, then
/// the whole ladder).
pub async fn mark_ready(pool: &PgPool, media: Uuid, done: &Processed) -> Result<(), Error> {
    sqlx::query!(
        r#"UPDATE media SET status = 'ready', error = NULL, duration_seconds = $2, width = $3, height = $4,
               renditions = $5, has_thumbnail = $6, stored_bytes = $7,
               podcast_bytes = COALESCE($8, podcast_bytes), updated_at = now()
           WHERE id = $1"#,
        media,
        done.duration_seconds,
        done.width,
        done.height,
        serde_json::to_value(&done.renditions).unwrap_or_default(),
        done.has_thumbnail,
        done.stored_bytes,
        done.podcast_bytes
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A run failed: waiting for its retry the item is `uploaded` again; failed for good it is
/// `failed` with the reason. An item already playing on its lowest rung stays ready, with
/// the reason shown once no retry is left.
pub async fn mark_failed(
    pool: &PgPool,
    media: Uuid,
    reason: &str,
    retrying: bool,
) -> Result<(), Error> {
    if retrying {
        sqlx::query!(
            "UPDATE media SET status = 'uploaded', updated_at = now() WHERE id = $1 AND status <> 'ready'",
            media
        )
        .execute(pool)
        .await?;
    } else {
        sqlx::query!(
            r#"UPDATE media SET status = CASE WHEN status = 'ready' THEN 'ready' ELSE 'failed' END,
                   error = $2, updated_at = now() WHERE id = $1"#,
            media,
            reason
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}
