use leptos::prelude::*;

use crate::error::AppError;
use domain::security::SecurityEvent;
#[cfg(feature = "ssr")]
use {
    crate::{auth::guard, error::respond},
    backend::security_log,
};

/// The newest security log entries; owner only.
#[server(endpoint = "security_log")]
pub async fn list_security_log() -> Result<Vec<SecurityEvent>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            call.caller.owner()?;
            security_log::recent(&call.state.pool, 200).await
        }
        .await,
    )
}
