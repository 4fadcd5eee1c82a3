//! `GET /media/{id}/hls/{path}?t=<token>`: playlists and segments, only with a valid
//! playback token for that media item. Playlists are re-signed on the way out so that every
//! URI in them carries the token, and the caller's access is checked again on each
//! playlist, so a revoked access stops at the next playlist fetch. With
//! [`SegmentDelivery::SignedUrls`], a rendition playlist lists its segments as URLs signed
//! by the object store, so segments never pass through Codex.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::playback_token;
use crate::access::{self, Target};
use crate::byte_range;
use crate::state::AppState;
use crate::storage::{keys, SegmentDelivery};

/// How much longer than the playback token a signed segment URL lives: the player does not
/// load a rendition playlist again, so a viewer who pauses resumes within this time.
const SIGNED_SEGMENT_GRACE: time::Duration = time::Duration::hours(1);

/// How long a signed segment URL may outlive the access it was signed for.
const ACCESS_END_GRACE: time::Duration = time::Duration::minutes(1);

#[derive(Deserialize)]
pub struct TokenQuery {
    t: Option<String>,
}

impl TokenQuery {
    pub fn token(&self) -> Option<&str> {
        self.t.as_deref()
    }
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
        Some("json") => "application/json",
        Some("jpg") => "image/jpeg",
        Some("vtt") => "text/vtt; charset=utf-8",
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
    let live = match access::live(&state.pool, user, Target::Media(media)).await {
        Ok(Some(live)) => live,
        Ok(None) => return StatusCode::FORBIDDEN.into_response(),
        Err(error) => return error.into_response(),
    };
    // Playlists are small text files, re-signed on the way out.
    let bytes = match state.storage.get_bytes(&key).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let text = String::from_utf8_lossy(&bytes);
    let signed = match state.segment_delivery {
        SegmentDelivery::SignedUrls if path != "master.m3u8" => {
            match segment_urls(&state, &key, &text, live.ends).await {
                Ok(urls) => {
                    playback_token::sign_playlist_with(&text, &token, |uri| urls.get(uri).cloned())
                }
                Err(error) => return error.into_response(),
            }
        }
        _ => playback_token::sign_playlist(&text, &token),
    };
    (
        [
            (header::CONTENT_TYPE, content_type(&path)),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        signed,
    )
        .into_response()
}

/// The store's signed URL of every segment a rendition playlist (at `key`) lists. They live
/// the token's lifetime and a grace, but never past the end of the caller's access
/// (`access_ends`: a rental's or membership's) by more than [`ACCESS_END_GRACE`].
async fn segment_urls(
    state: &AppState,
    key: &str,
    playlist: &str,
    access_ends: Option<time::OffsetDateTime>,
) -> Result<HashMap<String, String>, crate::error::Error> {
    let folder = key.rsplit_once('/').map_or("", |(folder, _)| folder);
    let lifetime = access::lifetime_until(
        state.playback_token_lifetime + SIGNED_SEGMENT_GRACE,
        access_ends.map(|ends| ends + ACCESS_END_GRACE),
        time::OffsetDateTime::now_utc(),
    );
    let lifetime = std::time::Duration::try_from(lifetime).unwrap_or_default();
    let mut urls = HashMap::new();
    for uri in playlist.lines().map(str::trim) {
        if uri.is_empty() || uri.starts_with('#') || uri.ends_with(".m3u8") || !safe_path(uri) {
            continue;
        }
        if let Some(url) = state
            .storage
            .signed_url(&format!("{folder}/{uri}"), lifetime)
            .await?
        {
            urls.insert(uri.to_string(), url);
        }
    }
    Ok(urls)
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
