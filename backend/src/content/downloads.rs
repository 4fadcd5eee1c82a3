//! Files for buyers: `POST /admin/content/{id}/downloads` (owner, a plain multipart form, so
//! it works without JavaScript) stores a PDF or ZIP of up to 100 MB, streamed to a temporary
//! file and then to storage, never held in memory. The item page links each file to
//! `GET /content/{id}/downloads/{file}`, which checks the visitor's access and sends them on
//! to `GET /downloads/{file}?t=`, a link signed for them that lives five minutes; that one
//! checks access again and streams the file (with `Range`, so a download can resume).

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use sqlx::PgExecutor;
use tokio::io::AsyncWriteExt;
use tower_sessions::Session;
use uuid::Uuid;

use crate::access::{self, Target};
use crate::auth::caller::owner_of_session;
use crate::auth::{session, Caller, Owner};
use crate::byte_range;
use crate::content::owned;
use crate::error::{Answer, Error};
use crate::long_request::LongRequest;
use crate::media::hls::TokenQuery;
use crate::media::playback_token;
use crate::state::AppState;
use domain::downloads::{
    content_disposition, safe_filename, sniff, BadDownload, Download, MAX_DOWNLOADS_PER_ITEM,
    MAX_DOWNLOAD_BYTES,
};
use domain::paths;

/// The largest request the upload route reads: the file and the form around it.
pub const DOWNLOADS_BODY_LIMIT: usize = MAX_DOWNLOAD_BYTES as usize + 64 * 1024;
/// How long a signed download link works.
const LINK_LIFETIME: time::Duration = time::Duration::minutes(5);

fn key(content: Uuid, download: Uuid) -> String {
    format!("content/{content}/downloads/{download}")
}

/// A file received into a temporary file.
struct Received {
    file: tempfile::TempPath,
    filename: String,
    content_type: &'static str,
    size: u64,
}

async fn receive(mut form: Multipart) -> Result<Result<Received, BadDownload>, Error> {
    let refusal = |error: MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            BadDownload::TooLarge
        } else {
            BadDownload::Missing
        }
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(Err(BadDownload::Missing)),
            Err(error) => return Ok(Err(refusal(error))),
        };
        if field.name() == Some("file") {
            return receive_field(field).await;
        }
    }
}

async fn receive_field(mut field: Field<'_>) -> Result<Result<Received, BadDownload>, Error> {
    let name = field.file_name().unwrap_or_default().to_string();
    let temp = tempfile::NamedTempFile::new()
        .map_err(|e| crate::error::internal("creating a temporary file for a download", e))?
        .into_temp_path();
    let mut out = tokio::fs::File::create(&temp)
        .await
        .map_err(|e| crate::error::internal("opening a temporary file for a download", e))?;
    let mut head = Vec::with_capacity(8);
    let mut size: u64 = 0;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Ok(Err(BadDownload::TooLarge))
            }
            Err(_) => return Ok(Err(BadDownload::Missing)),
        };
        size += chunk.len() as u64;
        if size > MAX_DOWNLOAD_BYTES {
            return Ok(Err(BadDownload::TooLarge));
        }
        if head.len() < 8 {
            head.extend(chunk.iter().take(8 - head.len()));
            if head.len() >= 5 && sniff(&head).is_none() {
                return Ok(Err(BadDownload::NotAllowed));
            }
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| crate::error::internal("writing a temporary file for a download", e))?;
    }
    out.flush()
        .await
        .map_err(|e| crate::error::internal("writing a temporary file for a download", e))?;
    if size == 0 {
        return Ok(Err(BadDownload::Missing));
    }
    let Some(content_type) = sniff(&head) else {
        return Ok(Err(BadDownload::NotAllowed));
    };
    Ok(Ok(Received {
        file: temp,
        filename: safe_filename(&name, content_type),
        content_type,
        size,
    }))
}

/// How many files come with `content` (the item page tells everyone; only buyers see them).
pub async fn count(executor: impl PgExecutor<'_>, content: Uuid) -> Result<i64, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM downloads WHERE content_id = $1"#,
        content
    )
    .fetch_one(executor)
    .await?)
}

async fn save(
    state: &AppState,
    owner: &Owner,
    content: Uuid,
    form: Multipart,
) -> Result<Result<(), BadDownload>, Error> {
    // Checked before the body is read, and again under the item's lock once it is stored.
    owned::check(&state.pool, owner.id, content).await?;
    if count(&state.pool, content).await? >= MAX_DOWNLOADS_PER_ITEM {
        return Ok(Err(BadDownload::TooMany));
    }
    let received = match receive(form).await? {
        Ok(received) => received,
        Err(bad) => return Ok(Err(bad)),
    };
    let id = Uuid::new_v4();
    let key = key(content, id);
    state.storage.put_file(&key, &received.file).await?;
    let recorded = record(state, owner, content, id, &received).await;
    if !matches!(recorded, Ok(Ok(()))) {
        // Refused or failed after storing: the object goes too.
        state.storage.delete(&key).await?;
    }
    recorded
}

/// The stored file's row, under the item's lock so two uploads cannot pass the count together.
async fn record(
    state: &AppState,
    owner: &Owner,
    content: Uuid,
    id: Uuid,
    received: &Received,
) -> Result<Result<(), BadDownload>, Error> {
    let mut tx = state.pool.begin().await?;
    owned::lock(&mut tx, owner.id, content).await?;
    if count(&mut *tx, content).await? >= MAX_DOWNLOADS_PER_ITEM {
        return Ok(Err(BadDownload::TooMany));
    }
    sqlx::query!(
        "INSERT INTO downloads (id, content_id, filename, content_type, size_bytes)
         VALUES ($1, $2, $3, $4, $5)",
        id,
        content,
        received.filename,
        received.content_type,
        received.size as i64
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(content): Path<Uuid>,
    long: Option<Extension<LongRequest>>,
    form: Multipart,
) -> Result<Response, Error> {
    let owner = owner_of_session(&state.pool, &session).await?;
    // The owner's file (up to 100 MB) may take longer than the request timeout to arrive.
    if let Some(Extension(long)) = long {
        long.allow();
    }
    let code = match save(&state, &owner, content, form).await? {
        Ok(()) => "saved",
        Err(bad) => bad.code(),
    };
    let editor = paths::admin_content(content);
    Ok(Redirect::to(&format!("{editor}?download={code}#downloads-heading")).into_response())
}

async fn of(executor: impl PgExecutor<'_>, content: Uuid) -> Result<Vec<Download>, Error> {
    Ok(sqlx::query_as!(
        Download,
        "SELECT id, filename, size_bytes FROM downloads WHERE content_id = $1 ORDER BY created_at, id",
        content
    )
    .fetch_all(executor)
    .await?)
}

/// The files of `content` for the item page: listed to its owner and to people with access,
/// empty for everyone else.
pub async fn for_viewer(
    state: &AppState,
    caller: &Caller,
    content: Uuid,
) -> Result<Vec<Download>, Error> {
    match caller.user() {
        Some(user) if access::may_play(&state.pool, user.id, Target::Content(content)).await? => {
            of(&state.pool, content).await
        }
        _ => Ok(Vec::new()),
    }
}

/// The files of the owner's item, for the editor.
pub async fn of_owned(
    state: &AppState,
    owner: &Owner,
    content: Uuid,
) -> Result<Vec<Download>, Error> {
    owned::check(&state.pool, owner.id, content).await?;
    of(&state.pool, content).await
}

/// Removes a file of the owner's item, and its stored object.
pub async fn remove(
    state: &AppState,
    owner: &Owner,
    content: Uuid,
    download: Uuid,
) -> Result<(), Error> {
    let removed = sqlx::query_scalar!(
        "DELETE FROM downloads d USING content c
         WHERE d.id = $1 AND d.content_id = $2 AND c.id = d.content_id AND c.owner_id = $3
         RETURNING d.id",
        download,
        content,
        owner.id
    )
    .fetch_optional(&state.pool)
    .await?;
    if removed.is_none() {
        return Err(Error::Answer(Answer::NotFound));
    }
    state.storage.delete(&key(content, download)).await?;
    Ok(())
}

/// The item page's link: a visitor who may download it is sent to a link signed for them.
pub async fn open(
    State(state): State<AppState>,
    session: Session,
    Path((content, download)): Path<(Uuid, Uuid)>,
) -> Result<Response, Error> {
    let Some(user) = session::current_user(&state.pool, &session).await? else {
        let back = paths::download(content, download);
        return Ok(Redirect::to(&paths::login_then(&back)).into_response());
    };
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM downloads WHERE id = $1 AND content_id = $2) AS "exists!""#,
        download,
        content
    )
    .fetch_one(&state.pool)
    .await?;
    if !access::may_play(&state.pool, user.id, Target::Content(content)).await? {
        return Err(Error::Answer(Answer::Forbidden));
    }
    if !exists {
        return Err(Error::Answer(Answer::NotFound));
    }
    // A download link is a token like any other: it starts a rental and ends with the access.
    let lifetime = access::token_lifetime(&state.pool, user.id, content, LINK_LIFETIME)
        .await?
        .ok_or(Error::Answer(Answer::Forbidden))?;
    let token = playback_token::issue_download(&state.playback_key, download, user.id, lifetime);
    Ok(Redirect::to(&paths::download_file(download, &token)).into_response())
}

/// The signed link: the file itself, as an attachment.
pub async fn serve(
    State(state): State<AppState>,
    Path(download): Path<Uuid>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let user = query
        .token()
        .and_then(|token| playback_token::verify_download(&state.playback_key, download, token));
    let Some(user) = user else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let found = sqlx::query!(
        "SELECT content_id, filename, content_type FROM downloads WHERE id = $1",
        download
    )
    .fetch_optional(&state.pool)
    .await;
    let file = match found {
        Ok(Some(file)) => file,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => return Error::from(error).into_response(),
    };
    match access::may_play(&state.pool, user, Target::Download(download)).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::FORBIDDEN.into_response(),
        Err(error) => return error.into_response(),
    }
    let mut response = state
        .storage
        .respond(
            &key(file.content_id, download),
            &file.content_type,
            "private, no-store",
            byte_range::of(&headers),
        )
        .await;
    if response.status().is_success() {
        if let Ok(value) = HeaderValue::from_str(&content_disposition(&file.filename)) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}
