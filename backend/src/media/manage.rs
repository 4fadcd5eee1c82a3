//! The owner's media list and the Retry button of a failed item.

use domain::media::{MediaStatus, MediaView};
use uuid::Uuid;

use super::jobs;
use crate::auth::Owner;
use crate::error::Error;
use crate::state::AppState;

pub async fn list_media(state: &AppState, owner: &Owner) -> Result<Vec<MediaView>, Error> {
    Ok(sqlx::query_as!(
        MediaView,
        r#"SELECT id, kind, original_filename, size_bytes, status AS "status: MediaStatus", error, duration_seconds, width, height, created_at
           FROM media WHERE owner_id = $1 ORDER BY created_at DESC LIMIT 200"#,
        owner.id
    )
    .fetch_all(&state.pool)
    .await?)
}

/// Queues a failed item again (the Retry button).
pub async fn retry_media(state: &AppState, owner: &Owner, media: Uuid) -> Result<(), Error> {
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: MediaStatus" FROM media WHERE id = $1 AND owner_id = $2"#,
        media,
        owner.id
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::NotFound)?;
    if status != MediaStatus::Failed {
        return Err(Error::Conflict("Only failed media can be retried.".into()));
    }
    let mut tx = state.pool.begin().await?;
    jobs::enqueue(&mut tx, media).await?;
    tx.commit().await?;
    Ok(())
}
