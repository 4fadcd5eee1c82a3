//! The stream limit's server functions: a customer's open streams and stopping one; the
//! owner's limit for every account and per tier.

use leptos::prelude::*;
use uuid::Uuid;

use super::ActiveStream;
#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::auth::guard,
    backend::streams::{leases, limit, Device},
    domain::streams::StreamLimit,
};

/// The device a server function is called from: its browser session, user agent and network.
#[cfg(feature = "ssr")]
pub async fn this_device(session: &tower_sessions::Session) -> Device {
    let client = guard::client().await;
    // A signed-in caller's session always has its id; a fresh one stands in otherwise.
    let session_id = session
        .id()
        .map(|id| id.to_string())
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    Device::new(&session_id, &client)
}

/// The caller's open streams, one per device.
#[server(endpoint = "my_streams")]
pub async fn my_streams() -> Result<Vec<ActiveStream>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            let device = this_device(&call.session).await;
            let mut conn = call.state.pool.acquire().await?;
            leases::live(&mut conn, user.id, Some(device.key())).await
        }
        .await,
    )
}

/// "Stop watching there": ends the caller's stream `id` (every player of its device); that
/// player stops at its next token renewal.
#[server(endpoint = "stop_stream")]
pub async fn stop_stream(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            let mut conn = call.state.pool.acquire().await?;
            leases::stop(&mut conn, user.id, id).await
        }
        .await,
    )
}

/// The owner's "Streams at once" for every account: the number, or '' for no limit.
#[server(endpoint = "get_stream_limit")]
pub async fn get_stream_limit() -> Result<String, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let site = limit::site(&call.state, &call.caller.owner()?).await?;
            Ok::<_, backend::Error>(site.field())
        }
        .await,
    )
}

#[server(endpoint = "save_stream_limit")]
pub async fn save_stream_limit(#[server(default)] streams: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let streams = StreamLimit::parse(&streams).map_err(backend::Error::from)?;
            limit::set_site(&call.state, &owner, streams).await
        }
        .await,
    )
}

/// A tier's own "Streams at once" for its members ('' : the site's limit applies).
#[server(endpoint = "save_tier_streams")]
pub async fn save_tier_streams(
    tier: Uuid,
    #[server(default)] streams: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let streams = StreamLimit::parse(&streams).map_err(backend::Error::from)?;
            limit::set_tier(&call.state, &owner, tier, streams).await
        }
        .await,
    )
}
