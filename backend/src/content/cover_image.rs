//! Custom thumbnails: `POST /admin/content/{id}/thumbnail` (owner, a plain multipart form,
//! so it works without JavaScript) and `GET /content/{id}/thumbnail`, public for published
//! items and otherwise for the owner and people with access.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::paths;
use tower_sessions::Session;
use uuid::Uuid;

use crate::access::{self, Target};
use crate::auth::caller::owner_of_session;
use crate::auth::session;
use crate::byte_range;
use crate::content::owned;
use crate::error::Error;
use crate::image_upload::{check_raster, read_image, sniff};
use crate::state::AppState;

pub const MAX_THUMBNAIL_BYTES: usize = 5 * 1024 * 1024;
/// The largest request the upload route reads: the image and the form around it.
pub const THUMBNAIL_BODY_LIMIT: usize = MAX_THUMBNAIL_BYTES + 64 * 1024;

fn key(content: Uuid) -> String {
    format!("content/{content}/thumbnail")
}

pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(content): Path<Uuid>,
    form: Multipart,
) -> Result<Response, Error> {
    let owner = owner_of_session(&state.pool, &session).await?;
    owned::check(&state.pool, owner.id, content).await?;
    let editor = paths::admin_content(content);
    let read = read_image(form, "thumbnail", MAX_THUMBNAIL_BYTES, sniff)
        .await
        .and_then(|(image, kind)| check_raster(&image).map(|()| (image, kind)));
    let (image, kind) = match read {
        Ok(image) => image,
        Err(refusal) => {
            return Ok(
                Redirect::to(&format!("{editor}?thumbnail={}", refusal.code())).into_response(),
            )
        }
    };
    state.storage.put_bytes(&key(content), image).await?;
    sqlx::query!(
        "UPDATE content SET thumbnail_type = $2, updated_at = now() WHERE id = $1",
        content,
        kind
    )
    .execute(&state.pool)
    .await?;
    Ok(Redirect::to(&format!("{editor}?thumbnail=saved")).into_response())
}

pub async fn serve(
    State(state): State<AppState>,
    session: Session,
    Path(content): Path<Uuid>,
    headers: HeaderMap,
) -> Response {
    let user = session::current_user(&state.pool, &session)
        .await
        .ok()
        .flatten()
        .map(|u| u.id);
    let found = sqlx::query!(
        r#"SELECT c.thumbnail_type AS "thumbnail_type!", c.owner_id,
                  (c.status = 'published' AND c.deleted_at IS NULL) AS "public!"
           FROM content c WHERE c.id = $1 AND c.thumbnail_type IS NOT NULL"#,
        content
    )
    .fetch_optional(&state.pool)
    .await;
    let item = match found {
        Ok(Some(item)) => item,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let visible = match user {
        _ if item.public => true,
        Some(user) => match access::may_play(&state.pool, user, Target::Content(content)).await {
            Ok(allowed) => allowed,
            Err(error) => return error.into_response(),
        },
        None => false,
    };
    if !visible {
        return StatusCode::NOT_FOUND.into_response();
    }
    // Only a published item's picture may sit in shared caches.
    let cache = if item.public {
        "public, max-age=60"
    } else {
        "private, max-age=60"
    };
    state
        .storage
        .respond(
            &key(content),
            &item.thumbnail_type,
            cache,
            byte_range::of(&headers),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn images_are_known_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"<svg xmlns=...>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(&[]), None);
    }
}
