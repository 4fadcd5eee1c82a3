//! Uploads: the owner starts one, sends its parts (`PUT /media/uploads/{id}/parts/{index}`,
//! straight to storage, so no file sits in memory whole), and completes it, which queues
//! the processing job.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;
use uuid::Uuid;

use super::jobs;
use super::storage::keys;
use crate::auth::caller::owner_of_session;
use crate::auth::Owner;
use crate::error::Error;
use crate::rate_limit;
use crate::state::AppState;
use domain::media::{check_upload, part_count, part_size, MediaStatus, UploadTicket, CHUNK_SIZE};

pub async fn start_upload(
    state: &AppState,
    owner: &Owner,
    filename: String,
    size_bytes: u64,
    content_type: String,
) -> Result<UploadTicket, Error> {
    let filename = filename.trim().to_string();
    if filename.is_empty()
        || filename.chars().count() > 255
        || filename.chars().any(char::is_control)
    {
        return Err(Error::validation("The file name is not valid."));
    }
    let kind = check_upload(&filename, size_bytes)?;
    let decision = rate_limit::hit(&state.pool, rate_limit::UPLOAD, &owner.id.to_string()).await?;
    if !decision.allowed {
        return Err(Error::RateLimited);
    }
    let media_id = Uuid::new_v4();
    let content_type: String = content_type.chars().take(100).collect();
    sqlx::query!(
        r#"INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        media_id,
        owner.id,
        kind.as_str(),
        filename,
        content_type,
        size_bytes as i64
    )
    .execute(&state.pool)
    .await?;
    tracing::info!(media = %media_id, size_bytes, "upload started");
    Ok(UploadTicket {
        media_id,
        chunk_size: CHUNK_SIZE,
        parts: part_count(size_bytes),
    })
}

struct Uploading {
    size_bytes: i64,
}

/// The media item, if it belongs to `owner` and is still receiving its parts.
async fn uploading(state: &AppState, owner: Uuid, media: Uuid) -> Result<Uploading, Error> {
    let row = sqlx::query!(
        r#"SELECT owner_id, status AS "status: MediaStatus", size_bytes FROM media WHERE id = $1"#,
        media
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::NotFound)?;
    if row.owner_id != owner {
        return Err(Error::NotFound);
    }
    if row.status != MediaStatus::Uploading {
        return Err(Error::Conflict("This upload is already complete.".into()));
    }
    Ok(Uploading {
        size_bytes: row.size_bytes,
    })
}

/// `PUT /media/uploads/{id}/parts/{index}`: one part of the file, owner only. The caller,
/// the upload's state and the part's size are checked before a byte of the body is read.
pub async fn put_part(
    State(state): State<AppState>,
    session: Session,
    Path((media, index)): Path<(Uuid, u32)>,
    body: Body,
) -> Response {
    match receive_part(&state, &session, media, index, body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn receive_part(
    state: &AppState,
    session: &Session,
    media: Uuid,
    index: u32,
    body: Body,
) -> Result<(), Error> {
    let user = owner_of_session(&state.pool, session).await?;
    let upload = uploading(state, user.id, media).await?;
    let expected = part_size(upload.size_bytes as u64, u64::from(index))
        .ok_or_else(|| Error::validation("This part is beyond the end of the file."))?;
    let wrong_size =
        |got: u64| Error::validation(format!("Part {index} must be {expected} bytes, not {got}."));
    // Reads at most one byte past the expected size: a longer body is refused there.
    let body = axum::body::to_bytes(body, expected as usize + 1)
        .await
        .map_err(|_| wrong_size(expected + 1))?;
    if body.len() as u64 != expected {
        return Err(wrong_size(body.len() as u64));
    }
    state
        .storage
        .put_bytes(&keys::part(media, index), body)
        .await
}

/// Checks that every part arrived with its size, then queues the processing job.
pub async fn complete_upload(state: &AppState, owner: &Owner, media: Uuid) -> Result<(), Error> {
    let upload = uploading(state, owner.id, media).await?;
    let size = upload.size_bytes as u64;
    let parts = state.storage.sizes(&keys::parts_prefix(media)).await?;
    let complete = parts.len() as u64 == part_count(size)
        && parts.iter().enumerate().all(|(i, (key, len))| {
            *key == keys::part(media, i as u32) && Some(*len) == part_size(size, i as u64)
        });
    if !complete {
        return Err(Error::validation(
            "Some parts of the file are missing. Please upload it again.",
        ));
    }
    let mut tx = state.pool.begin().await?;
    jobs::enqueue(&mut tx, media).await?;
    tx.commit().await?;
    tracing::info!(%media, "upload complete, processing queued");
    Ok(())
}
