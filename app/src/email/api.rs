use leptos::prelude::*;

use super::OutboxEntry;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::{auth::guard, error::respond},
    backend::{email::outbox, Error},
};

/// The most recent outbox emails; owner only.
#[server(endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<Vec<OutboxEntry>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            call.caller.owner()?;
            outbox::recent(&call.state.pool, 200).await
        }
        .await,
    )
}

/// Queues an outbox email again; owner only.
#[server(endpoint = "resend_email")]
pub async fn resend_email(id: uuid::Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            call.caller.owner()?;
            match outbox::resend(&call.state.pool, id).await? {
                outbox::Resent::Queued => Ok(()),
                outbox::Resent::NotResendable => Err(Error::conflict(
                    "Only failed or sent emails can be sent again.",
                )),
                outbox::Resent::OneTimeLink => Err(Error::conflict(
                    "This email carried a one-time link, which is never sent twice: the customer can ask for a new one.",
                )),
            }
        }
        .await,
    )
}
