use leptos::prelude::*;
use uuid::Uuid;

use super::{ItemFigures, ItemReport, Overview, Watched};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::auth::guard,
    crate::error::respond,
    backend::analytics::{report, rollup},
};

/// The overview for a period (`range`: 7, 30, 90 or custom with `from`–`to`), items by `sort`.
#[server(endpoint = "load_analytics")]
pub async fn load_analytics(
    #[server(default)] range: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
    #[server(default)] sort: Option<String>,
) -> Result<Overview, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let asked = report::Asked {
                range,
                from,
                to,
                sort,
            };
            report::overview(&call.state, &call.caller.owner()?, &asked).await
        }
        .await,
    )
}

/// One item's figures, retention, playback quality and sources for a period.
#[server(endpoint = "load_item_analytics")]
pub async fn load_item_analytics(
    id: Uuid,
    #[server(default)] range: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
) -> Result<ItemReport, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let asked = report::Asked {
                range,
                from,
                to,
                sort: None,
            };
            report::item_report(&call.state, &call.caller.owner()?, id, &asked).await
        }
        .await,
    )
}

/// An item's last 30 days, for its editor.
#[server(endpoint = "item_headline")]
pub async fn item_headline(id: Uuid) -> Result<ItemFigures, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            report::headline(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}

/// What one customer watched.
#[server(endpoint = "customer_watched")]
pub async fn customer_watched(id: Uuid) -> Result<Vec<Watched>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            report::watched_by(&call.state.pool, &call.caller.owner()?, id).await
        }
        .await,
    )
}

/// Folds the latest events now, instead of at the next periodic pass.
#[server(endpoint = "refresh_analytics")]
pub async fn refresh_analytics() -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            call.caller.owner()?;
            rollup::pass(&call.state).await.map(|_| ())
        }
        .await,
    )
}
