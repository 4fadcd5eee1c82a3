//! `GET /media/{id}/thumbnail.jpg` (up to 1280 wide) and `GET /media/{id}/thumbnail-480.jpg`
//! (for grids; the large one for media processed before it existed): thumbnails of media
//! that back published content are public (the catalog shows them); others only to the
//! owner and to people with access to an item that shows it (their library keeps items the
//! owner has since deleted).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;
use uuid::Uuid;

use crate::access::{self, Target};
use crate::auth::session;
use crate::byte_range;
use crate::state::AppState;
use crate::storage::keys;

pub async fn thumbnail(
    State(state): State<AppState>,
    session: Session,
    Path(media): Path<Uuid>,
    headers: HeaderMap,
) -> Response {
    serve(&state, &session, media, keys::thumbnail(media), &headers).await
}

pub async fn small_thumbnail(
    State(state): State<AppState>,
    session: Session,
    Path(media): Path<Uuid>,
    headers: HeaderMap,
) -> Response {
    let key = match state.storage.exists(&keys::small_thumbnail(media)).await {
        Ok(true) => keys::small_thumbnail(media),
        _ => keys::thumbnail(media),
    };
    serve(&state, &session, media, key, &headers).await
}

async fn serve(
    state: &AppState,
    session: &Session,
    media: Uuid,
    key: String,
    headers: &HeaderMap,
) -> Response {
    let public = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM content
               WHERE media_id = $1 AND status = 'published' AND deleted_at IS NULL) AS "public!""#,
        media
    )
    .fetch_one(&state.pool)
    .await;
    let is_public = matches!(public, Ok(true));
    let allowed = match public {
        Ok(true) => true,
        Ok(false) => match session::current_user(&state.pool, session).await {
            Ok(Some(user)) => access::may_play(&state.pool, user.id, Target::Media(media))
                .await
                .unwrap_or(false),
            _ => false,
        },
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    state
        .storage
        .respond(
            &key,
            "image/jpeg",
            // Only a published item's picture may sit in shared caches.
            if is_public {
                "public, max-age=3600"
            } else {
                "private, max-age=3600"
            },
            byte_range::of(headers),
        )
        .await
}
