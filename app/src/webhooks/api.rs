//! The webhook server functions (owner only).

use leptos::prelude::*;
use uuid::Uuid;

use super::{DeliveryView, EndpointView, RevealedSecret};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::{auth::guard, error::respond},
    backend::outbound::{delivery, endpoints},
};

#[server(endpoint = "list_webhook_endpoints")]
pub async fn list_webhook_endpoints() -> Result<Vec<EndpointView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            endpoints::list(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

/// Registers an endpoint; the answer carries its signing secret, shown this once.
#[server(endpoint = "add_webhook_endpoint")]
pub async fn add_webhook_endpoint(url: String) -> Result<RevealedSecret, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            endpoints::add(&call.state, &call.caller.owner()?, &url).await
        }
        .await,
    )
}

#[server(endpoint = "roll_webhook_secret")]
pub async fn roll_webhook_secret(id: Uuid) -> Result<RevealedSecret, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            endpoints::roll_secret(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}

#[server(endpoint = "remove_webhook_endpoint")]
pub async fn remove_webhook_endpoint(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            endpoints::remove(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}

#[server(endpoint = "webhook_deliveries")]
pub async fn webhook_deliveries() -> Result<Vec<DeliveryView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            delivery::log(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

#[server(endpoint = "resend_webhook_delivery")]
pub async fn resend_webhook_delivery(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            delivery::resend(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}
