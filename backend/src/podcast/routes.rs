//! The feed's two plain routes: `GET /feeds/{token}` (the RSS document, counting the
//! network it was fetched from) and `GET /feeds/{token}/{content}.m4a` (an episode's audio,
//! with `Range`). Neither needs a session: a podcast app has only the URL. A feed fetched
//! more than `FETCHES_PER_MINUTE` times a minute gets 429.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use time::Duration;
use uuid::Uuid;

use super::{feeds, rss};
use crate::access;
use crate::byte_range;
use crate::client_ip::ClientIp;
use crate::error::Error;
use crate::state::AppState;
use crate::storage::keys;
use domain::devices::network_of;

/// Fetches of one feed a minute on one server before it answers 429.
pub const FETCHES_PER_MINUTE: u32 = 30;

pub async fn feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: Option<Extension<ClientIp>>,
) -> Result<Response, Error> {
    let Some(feed) = feeds::find(&state.pool, &state.link_key, &token).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    if !state.feed_fetches.allow(feed.id) {
        return Ok(StatusCode::TOO_MANY_REQUESTS.into_response());
    }
    let network = client
        .map(|Extension(ClientIp(ip))| network_of(ip))
        .unwrap_or_else(|| "unknown".to_string());
    if !feeds::note_fetch(&state, feed, &network).await? {
        return Ok(StatusCode::GONE.into_response());
    }
    let xml = rss::document(&state, feed, &token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        xml,
    )
        .into_response())
}

pub async fn episode(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let Some(content) = file
        .strip_suffix(".m4a")
        .and_then(|id| Uuid::try_parse(id).ok())
    else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let Some(feed) = feeds::find(&state.pool, &state.link_key, &token).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let media = sqlx::query_scalar!(
        "SELECT m.id FROM content c JOIN media m ON m.id = c.media_id
         WHERE c.id = $1 AND m.kind = 'audio' AND m.podcast_bytes IS NOT NULL",
        content
    )
    .fetch_optional(&state.pool)
    .await?;
    let Some(media) = media else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    // Fetching the audio is a play: it starts a rental's hours as any token does.
    let lifetime =
        access::token_lifetime(&state.pool, feed.user_id, content, Duration::minutes(5)).await?;
    if lifetime.is_none() {
        return Ok(StatusCode::FORBIDDEN.into_response());
    }
    Ok(state
        .storage
        .respond(
            &keys::podcast(media),
            "audio/mp4",
            "private, no-store",
            byte_range::of(&headers),
        )
        .await)
}
