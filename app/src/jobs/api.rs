use leptos::prelude::*;

use crate::error::AppError;
use domain::jobs::JobView;
#[cfg(feature = "ssr")]
use {
    crate::{auth::guard, error::respond},
    backend::jobs::admin,
};

/// The background work waiting, running and failed; owner only.
#[server(endpoint = "background_jobs")]
pub async fn background_jobs() -> Result<Vec<JobView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            admin::list(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

/// Runs a failed job again; owner only.
#[server(endpoint = "retry_job")]
pub async fn retry_job(id: i64) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            admin::retry(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}
