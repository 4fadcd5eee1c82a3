//! Uploads: the owner starts one, sends its parts (`PUT /media/uploads/{id}/parts/{index}`,
//! straight to storage, so no file sits in memory whole), and completes it, which queues
//! the processing job.
//!
//! Uploads are resumable: the parts stay in storage and the row in the database, so after a
//! lost connection, a reload or a server restart the browser asks which parts arrived
//! (`resume_upload`) and sends only the others. An upload that receives nothing for
//! [`ABANDONED_AFTER_HOURS`] is removed with its parts.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tower_sessions::Session;
use uuid::Uuid;

use super::jobs;
use crate::auth::caller::owner_of_session;
use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::long_request::LongRequest;
use crate::rate_limit;
use crate::state::AppState;
use crate::storage::keys;
use domain::media::{
    check_upload, part_count, part_size, received_parts, MediaKind, MediaStatus, UploadTicket,
    CHUNK_SIZE,
};

/// Hours without a part after which an unfinished upload is removed.
pub const ABANDONED_AFTER_HOURS: i32 = 24;

/// An upload the owner is starting, checked: its file's name, size, kind and type.
pub struct NewUpload {
    pub filename: String,
    pub size_bytes: u64,
    pub kind: MediaKind,
    /// As the browser gave it, at most 100 characters.
    pub content_type: String,
}

impl NewUpload {
    pub fn parse(filename: &str, size_bytes: u64, content_type: &str) -> Result<Self, Error> {
        let filename = filename.trim().to_string();
        if filename.is_empty()
            || filename.chars().count() > 255
            || filename.chars().any(char::is_control)
        {
            return Err(Error::validation("The file name is not valid."));
        }
        let kind = check_upload(&filename, size_bytes)?;
        Ok(Self {
            filename,
            size_bytes,
            kind,
            content_type: content_type.chars().take(100).collect(),
        })
    }
}

pub async fn start_upload(
    state: &AppState,
    owner: &Owner,
    upload: NewUpload,
) -> Result<UploadTicket, Error> {
    let NewUpload {
        filename,
        size_bytes,
        kind,
        content_type,
    } = upload;
    let decision = rate_limit::hit(&state.pool, rate_limit::UPLOAD, &owner.id.to_string()).await?;
    if !decision.allowed {
        return Err(Error::Answer(Answer::RateLimited));
    }
    let media_id = Uuid::new_v4();
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
        received: Vec::new(),
    })
}

/// An unfinished upload of the owner's, with the parts it already has.
pub async fn resume_upload(
    state: &AppState,
    owner: &Owner,
    media: Uuid,
) -> Result<UploadTicket, Error> {
    let upload = uploading(state, owner.id, media).await?;
    let ticket = ticket(state, media, upload.size_bytes as u64).await?;
    tracing::info!(%media, received = ticket.received.len(), parts = ticket.parts, "upload resumed");
    Ok(ticket)
}

async fn ticket(state: &AppState, media: Uuid, size: u64) -> Result<UploadTicket, Error> {
    let stored = state.storage.sizes(&keys::parts_prefix(media)).await?;
    let indexed = stored.into_iter().filter_map(|(key, len)| {
        let index = key.rsplit('/').next()?.parse::<u32>().ok()?;
        (key == keys::part(media, index)).then_some((index, len))
    });
    Ok(UploadTicket {
        media_id: media,
        chunk_size: CHUNK_SIZE,
        parts: part_count(size),
        received: received_parts(size, indexed),
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
    .ok_or(Error::Answer(Answer::NotFound))?;
    if row.owner_id != owner {
        return Err(Error::Answer(Answer::NotFound));
    }
    if row.status != MediaStatus::Uploading {
        return Err(Error::conflict("This upload is already complete."));
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
    long: Option<Extension<LongRequest>>,
    body: Body,
) -> Response {
    match receive_part(&state, &session, media, index, long, body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn receive_part(
    state: &AppState,
    session: &Session,
    media: Uuid,
    index: u32,
    long: Option<Extension<LongRequest>>,
    body: Body,
) -> Result<(), Error> {
    let user = owner_of_session(&state.pool, session).await?;
    // The owner's part may take longer than the request timeout to arrive.
    if let Some(Extension(long)) = long {
        long.allow();
    }
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
        .await?;
    sqlx::query!(
        "UPDATE media SET upload_activity_at = now() WHERE id = $1",
        media
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}

/// Checks that every part arrived with its size, then queues the processing job.
pub async fn complete_upload(state: &AppState, owner: &Owner, media: Uuid) -> Result<(), Error> {
    let upload = uploading(state, owner.id, media).await?;
    if !ticket(state, media, upload.size_bytes as u64)
        .await?
        .is_complete()
    {
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

/// The periodic job that removes abandoned uploads (`remove_abandoned`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RemoveAbandonedUploads;

impl crate::jobs::Job for RemoveAbandonedUploads {
    const KIND: &'static str = "remove_abandoned_uploads";

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        let removed = remove_abandoned(state).await?;
        if removed > 0 {
            tracing::info!(removed, "abandoned uploads removed");
        }
        Ok(())
    }
}

/// Removes the uploads that received no part for [`ABANDONED_AFTER_HOURS`], rows and parts
/// (a batch at a time; the hourly worker comes back for the rest). Returns how many.
pub async fn remove_abandoned(state: &AppState) -> Result<usize, Error> {
    let abandoned = sqlx::query_scalar!(
        r#"SELECT id FROM media
           WHERE status = 'uploading'
             AND upload_activity_at < now() - make_interval(hours => $1)
           ORDER BY upload_activity_at LIMIT 100"#,
        ABANDONED_AFTER_HOURS
    )
    .fetch_all(&state.pool)
    .await?;
    let mut removed = 0;
    for media in abandoned {
        let mut tx = state.pool.begin().await?;
        // Checked again under the row lock: a part may have arrived since the listing.
        let still = sqlx::query_scalar!(
            r#"SELECT id FROM media
               WHERE id = $1 AND status = 'uploading'
                 AND upload_activity_at < now() - make_interval(hours => $2)
               FOR UPDATE"#,
            media,
            ABANDONED_AFTER_HOURS
        )
        .fetch_optional(&mut *tx)
        .await?;
        if still.is_none() {
            continue;
        }
        super::manage::forget_media(&mut tx, media).await?;
        tx.commit().await?;
        super::manage::delete_files(state, media).await;
        removed += 1;
    }
    if removed > 0 {
        tracing::info!(removed, "abandoned uploads removed");
    }
    Ok(removed)
}
