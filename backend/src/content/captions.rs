//! Captions: `POST /admin/content/{id}/captions` (owner, a plain multipart form with the
//! language, the name shown in the menu and a WebVTT or SRT file, so it works without
//! JavaScript) stores one WebVTT text per language; `GET /content/{id}/captions/{lang}.vtt`
//! serves it under the playback token rules: a valid token for the item's media, and the
//! viewer's access checked again.

use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgExecutor;
use tower_sessions::Session;
use uuid::Uuid;

use crate::access::{self, Target};
use crate::auth::caller::owner_of_session;
use crate::auth::Owner;
use crate::content::owned;
use crate::error::{Answer, Error};
use crate::media::hls::TokenQuery;
use crate::media::playback_token;
use crate::state::AppState;
use domain::captions::{
    parse_label, to_webvtt, BadCaptions, CaptionTrack, Language, MAX_CAPTION_BYTES,
    MAX_CAPTION_TRACKS,
};
use domain::paths;

/// The largest request the upload route reads: the file and the fields around it.
pub const CAPTIONS_BODY_LIMIT: usize = MAX_CAPTION_BYTES + 16 * 1024;
/// The language and name fields are short; anything longer is refused while read.
const MAX_FIELD_BYTES: usize = 256;

/// The fields of the upload form.
#[derive(Default)]
struct Upload {
    language: String,
    label: String,
    file: Vec<u8>,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, BadCaptions> {
    let refusal = |error: MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            BadCaptions::TooLarge
        } else {
            BadCaptions::Missing
        }
    };
    let mut upload = Upload::default();
    while let Some(mut field) = form.next_field().await.map_err(refusal)? {
        let (limit, too_long) = match field.name() {
            Some("captions") => (MAX_CAPTION_BYTES, BadCaptions::TooLarge),
            Some("language") => (MAX_FIELD_BYTES, BadCaptions::Language),
            Some("label") => (MAX_FIELD_BYTES, BadCaptions::Label),
            _ => continue,
        };
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(refusal)? {
            if bytes.len() + chunk.len() > limit {
                return Err(too_long);
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "captions" => upload.file = bytes,
            "language" => {
                upload.language = String::from_utf8(bytes).map_err(|_| BadCaptions::Language)?
            }
            _ => upload.label = String::from_utf8(bytes).map_err(|_| BadCaptions::Label)?,
        }
    }
    Ok(upload)
}

/// Saves (or replaces) the captions of the owner's item `content` in one language.
async fn save(
    state: &AppState,
    owner: &Owner,
    content: Uuid,
    upload: Upload,
) -> Result<Result<(), BadCaptions>, Error> {
    let checked = Language::parse(&upload.language).and_then(|language| {
        let label = parse_label(&upload.label, &language)?;
        Ok((language, label, to_webvtt(&upload.file)?))
    });
    let (language, label, vtt) = match checked {
        Ok(checked) => checked,
        Err(bad) => return Ok(Err(bad)),
    };
    let mut tx = state.pool.begin().await?;
    // The item's row lock keeps two uploads from passing the count together.
    owned::lock(&mut tx, owner.id, content).await?;
    let others = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM captions WHERE content_id = $1 AND language <> $2"#,
        content,
        language.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    if others >= MAX_CAPTION_TRACKS as i64 {
        return Ok(Err(BadCaptions::TooMany));
    }
    sqlx::query!(
        "INSERT INTO captions (content_id, language, label, vtt) VALUES ($1, $2, $3, $4)
         ON CONFLICT (content_id, language)
             DO UPDATE SET label = EXCLUDED.label, vtt = EXCLUDED.vtt, updated_at = now()",
        content,
        language.as_str(),
        label,
        vtt
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
    form: Multipart,
) -> Result<Response, Error> {
    let owner = owner_of_session(&state.pool, &session).await?;
    let outcome = match read_upload(form).await {
        Ok(upload) => save(&state, &owner, content, upload).await?,
        Err(bad) => Err(bad),
    };
    let code = match outcome {
        Ok(()) => "saved".to_string(),
        Err(bad) => bad.code(),
    };
    let editor = paths::admin_content(content);
    Ok(Redirect::to(&format!("{editor}?captions={code}#captions-heading")).into_response())
}

/// The captions tracks of `content`, by language.
pub async fn of(executor: impl PgExecutor<'_>, content: Uuid) -> Result<Vec<CaptionTrack>, Error> {
    Ok(sqlx::query_as!(
        CaptionTrack,
        "SELECT language, label FROM captions WHERE content_id = $1 ORDER BY language",
        content
    )
    .fetch_all(executor)
    .await?)
}

/// The captions of the owner's item `content`, for the editor.
pub async fn of_owned(
    state: &AppState,
    owner: &Owner,
    content: Uuid,
) -> Result<Vec<CaptionTrack>, Error> {
    owned::check(&state.pool, owner.id, content).await?;
    of(&state.pool, content).await
}

/// Removes the captions of the owner's item `content` in `language`.
pub async fn remove(
    state: &AppState,
    owner: &Owner,
    content: Uuid,
    language: &str,
) -> Result<(), Error> {
    let removed = sqlx::query!(
        "DELETE FROM captions c USING content i
         WHERE c.content_id = $1 AND c.language = $2 AND i.id = c.content_id AND i.owner_id = $3",
        content,
        language,
        owner.id
    )
    .execute(&state.pool)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

pub async fn serve(
    State(state): State<AppState>,
    Path((content, file)): Path<(Uuid, String)>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let Some(language) = file.strip_suffix(".vtt") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // The token is checked before anything about the item's captions is told.
    let found = sqlx::query!(
        r#"SELECT c.media_id AS "media_id!", k.vtt AS "vtt?"
           FROM content c LEFT JOIN captions k ON k.content_id = c.id AND k.language = $2
           WHERE c.id = $1 AND c.media_id IS NOT NULL"#,
        content,
        language
    )
    .fetch_optional(&state.pool)
    .await;
    let track = match found {
        Ok(Some(track)) => track,
        Ok(None) => return StatusCode::FORBIDDEN.into_response(),
        Err(error) => return Error::from(error).into_response(),
    };
    let user = query
        .token()
        .and_then(|token| playback_token::verify(&state.playback_key, track.media_id, token));
    let Some(user) = user else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match access::may_play(&state.pool, user, Target::Media(track.media_id)).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::FORBIDDEN.into_response(),
        Err(error) => return error.into_response(),
    }
    let Some(vtt) = track.vtt else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/vtt; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        vtt,
    )
        .into_response()
}
