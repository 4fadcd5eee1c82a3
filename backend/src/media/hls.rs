//! `GET /media/{id}/hls/{path}?t=<token>`: playlists and segments, only with a valid
//! playback token for that media item. Playlists are re-signed on the way out so that every
//! URI in them carries the token, and the caller's access is checked again on each
//! playlist, so a revoked access stops at the next playlist fetch.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::playback_token;
use super::storage::keys;
use crate::access;
use crate::byte_range;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct TokenQuery {
    t: Option<String>,
}

/// Whether a requested path stays inside the media item's HLS folder.
pub fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 200
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("m3u8") => "application/vnd.apple.mpegurl",
        Some("ts") => "video/mp2t",
        Some("aac") => "audio/aac",
        Some("m4s") | Some("mp4") => "video/mp4",
        _ => "application/octet-stream",
    }
}

pub async fn serve(
    State(state): State<AppState>,
    Path((media, path)): Path<(Uuid, String)>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = query.t else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let Some(user) = playback_token::verify(&state.playback_key, media, &token) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    if !safe_path(&path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let key = format!("{}/{path}", keys::hls_prefix(media));
    if !path.ends_with(".m3u8") {
        // Segments are streamed from the store, with Range for players that seek in them.
        return state
            .storage
            .respond(
                &key,
                content_type(&path),
                "private, max-age=3600",
                byte_range::of(&headers),
            )
            .await;
    }
    match access::may_play_media(&state.pool, user, media).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::FORBIDDEN.into_response(),
        Err(error) => return error.into_response(),
    }
    // Playlists are small text files, re-signed on the way out.
    let bytes = match state.storage.get_bytes(&key).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let text = String::from_utf8_lossy(&bytes);
    (
        [
            (header::CONTENT_TYPE, content_type(&path)),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        playback_token::sign_playlist(&text, &token),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_path;

    #[test]
    fn paths_stay_inside_the_media_folder() {
        assert!(safe_path("master.m3u8"));
        assert!(safe_path("720p/segment_0001.ts"));
        for bad in [
            "",
            "../secret",
            "720p/../../x",
            "a//b",
            "/etc/passwd",
            "a\\b",
            "x?y",
            "%2e%2e/x",
        ] {
            assert!(!safe_path(bad), "{bad:?}");
        }
    }
}
