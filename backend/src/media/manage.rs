//! The owner's media list, the Retry button of a failed item and "Delete media".

use domain::media::{MediaStatus, MediaView};
use uuid::Uuid;

use super::jobs;
use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::state::AppState;
use crate::storage::keys;

pub async fn list_media(state: &AppState, owner: &Owner) -> Result<Vec<MediaView>, Error> {
    Ok(sqlx::query_as!(
        MediaView,
        r#"SELECT id, kind, original_filename, size_bytes, status AS "status: MediaStatus", error, duration_seconds, width, height, created_at,
                  stored_bytes, (sum(stored_bytes) OVER ())::bigint AS total_stored_bytes,
                  EXISTS (SELECT 1 FROM jobs j WHERE j.unique_key = 'process_media:' || media.id
                          AND j.status IN ('queued', 'running')) AS "encoding!"
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
    .ok_or(Error::Answer(Answer::NotFound))?;
    if status != MediaStatus::Failed {
        return Err(Error::conflict("Only failed media can be retried."));
    }
    let mut tx = state.pool.begin().await?;
    jobs::enqueue(&mut tx, media).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a media item and every object it stored (parts, HLS, thumbnail). Refused while
/// it is being processed, and while an item uses it that is published or that customers can
/// still play (a deleted item's buyers keep it); drafts using it lose their media.
pub async fn delete_media(state: &AppState, owner: &Owner, media: Uuid) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    sqlx::query_scalar!(
        "SELECT id FROM media WHERE id = $1 AND owner_id = $2 FOR UPDATE",
        media,
        owner.id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    let processing = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM jobs
                          WHERE unique_key = $1 AND status IN ('queued', 'running')) AS "busy!""#,
        jobs::key(media)
    )
    .fetch_one(&mut *tx)
    .await?;
    if processing {
        return Err(Error::conflict(
            "This media is being processed: delete it once it is ready or has failed.",
        ));
    }
    let used_by = sqlx::query_scalar!(
        r#"SELECT c.title FROM content c
           WHERE c.media_id = $1
             AND ((c.status = 'published' AND c.deleted_at IS NULL)
                  OR EXISTS (SELECT 1 FROM live_access a WHERE a.content_id = c.id))
           ORDER BY c.title"#,
        media
    )
    .fetch_all(&mut *tx)
    .await?;
    if !used_by.is_empty() {
        return Err(Error::conflict(format!(
            "Used by {}: unpublish it (or give it other media) first. Customers who have it keep playing it.",
            used_by.join(", ")
        )));
    }
    forget_media(&mut tx, media).await?;
    tx.commit().await?;
    delete_files(state, media).await;
    Ok(())
}

/// Removes the media row (drafts using it lose their media); its files go after the commit
/// with [`delete_files`].
pub(super) async fn forget_media(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    media: Uuid,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE content SET media_id = NULL, updated_at = now() WHERE media_id = $1",
        media
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("DELETE FROM media WHERE id = $1", media)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes every stored object of a media item whose row is gone. Runs after the commit, so
/// a failure leaves files nothing points to (logged), never a row pointing to missing files.
pub(super) async fn delete_files(state: &AppState, media: Uuid) {
    match state.storage.delete_prefix(&keys::all(media)).await {
        Ok(count) => tracing::info!(%media, objects = count, "media files deleted"),
        Err(error) => tracing::error!(%media, ?error, "media deleted; some of its files remain"),
    }
}
