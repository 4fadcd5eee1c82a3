//! The podcast feed's server functions.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {crate::auth::guard, backend::podcast::feeds};

/// The caller's private feed URL, once they may play an audio item (or already have one).
#[server(endpoint = "my_podcast_feed")]
pub async fn my_podcast_feed() -> Result<Option<String>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            if !feeds::has_episodes_or_feed(&call.state.pool, user.id).await? {
                return Ok(None);
            }
            feeds::url_of(&call.state, &user).await.map(Some)
        }
        .await,
    )
}

/// "Reset feed link": the old URL stops working; the new one is returned.
#[server(endpoint = "reset_podcast_feed")]
pub async fn reset_podcast_feed() -> Result<String, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            feeds::reset(&call.state, &user).await
        }
        .await,
    )
}

/// The owner's "Feed networks per day": how many networks may fetch one feed in a day
/// before it counts as shared and is reset.
#[server(endpoint = "get_feed_networks")]
pub async fn get_feed_networks() -> Result<i16, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            call.caller.owner()?;
            feeds::networks_per_day(&call.state.pool).await
        }
        .await,
    )
}

#[server(endpoint = "save_feed_networks")]
pub async fn save_feed_networks(networks: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let networks = networks.trim().parse::<i16>().map_err(|_| {
                backend::Error::validation("Feed networks per day: a whole number from 1 to 100.")
            })?;
            feeds::set_networks_per_day(&call.state, &owner, networks).await
        }
        .await,
    )
}
