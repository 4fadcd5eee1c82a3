use leptos::prelude::*;

use super::OutboxEntry;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth::guard::require_owner, error::respond};

/// The most recent outbox emails; owner only.
#[server(endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<Vec<OutboxEntry>, AppError> {
    respond(
        async {
            let (state, _) = require_owner().await?;
            super::outbox::recent(&state.pool, 200).await
        }
        .await,
    )
}

/// Queues an outbox email again; owner only.
#[server(endpoint = "resend_email")]
pub async fn resend_email(id: uuid::Uuid) -> Result<(), AppError> {
    respond(
        async {
            let (state, _) = require_owner().await?;
            if super::outbox::resend(&state.pool, id).await? {
                Ok(())
            } else {
                Err(AppError::Conflict(
                    "Only failed or sent emails can be sent again.".into(),
                ))
            }
        }
        .await,
    )
}
