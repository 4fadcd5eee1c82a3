use leptos::prelude::*;
use uuid::Uuid;

use super::PlaybackGrant;
use crate::error::AppError;
use crate::streams::WatchStart;
#[cfg(feature = "ssr")]
use {
    crate::auth::guard, crate::error::respond, crate::streams::api::this_device,
    backend::playback::service,
};

/// The signed playlist and resume position of an item the caller may play, or the
/// account's open streams when it plays on as many devices as it may.
#[server(endpoint = "load_watch")]
pub async fn load_watch(slug: String) -> Result<WatchStart, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            let device = this_device(&call.session).await;
            service::watch_info(&call.state, &user, slug, &device).await
        }
        .await,
    )
}

/// A fresh playback token for the open player (it renews at half the token's life), which
/// keeps its stream lease too.
#[server(endpoint = "renew_playback")]
pub async fn renew_playback(
    content_id: Uuid,
    #[server(default)] lease: Option<Uuid>,
) -> Result<PlaybackGrant, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::renew_playback(&call.state, &call.caller.signed_in()?, content_id, lease).await
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
