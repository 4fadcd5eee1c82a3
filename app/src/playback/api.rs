use leptos::prelude::*;
use uuid::Uuid;

use super::{PlaybackGrant, WatchInfo};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {crate::auth::guard, crate::error::respond, backend::playback::service};

/// The signed playlist and resume position of an item the caller may play.
#[server(endpoint = "load_watch")]
pub async fn load_watch(slug: String) -> Result<WatchInfo, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::watch_info(&call.state, &call.caller.signed_in()?, slug).await
        }
        .await,
    )
}

/// A fresh playback token for the open player (it renews at half the token's life).
#[server(endpoint = "renew_playback")]
pub async fn renew_playback(content_id: Uuid) -> Result<PlaybackGrant, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::renew_playback(&call.state, &call.caller.signed_in()?, content_id).await
        }
        .await,
    )
}

/// Saves the caller's position (sent every 15 s, on pause and on leaving).
#[server(endpoint = "save_progress")]
pub async fn save_progress(content_id: Uuid, position_seconds: f64) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::save_progress(
                &call.state,
                &call.caller.signed_in()?,
                content_id,
                position_seconds,
            )
            .await
        }
        .await,
    )
}
