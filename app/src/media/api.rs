//! Server functions of the owner's media page; each checks that the caller is the owner.

use leptos::prelude::*;
use uuid::Uuid;

use super::types::{MediaView, UploadTicket};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::auth::guard,
    crate::error::respond,
    backend::media::{manage, upload},
};

#[server(endpoint = "start_upload")]
pub async fn start_upload(
    filename: String,
    size_bytes: u64,
    content_type: String,
) -> Result<UploadTicket, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let upload = upload::NewUpload::parse(&filename, size_bytes, &content_type)?;
            upload::start_upload(&call.state, &owner, upload).await
        }
        .await,
    )
}

/// An unfinished upload to go on with: which of its parts the server already has.
#[server(endpoint = "resume_upload")]
pub async fn resume_upload(media_id: Uuid) -> Result<UploadTicket, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            upload::resume_upload(&call.state, &call.caller.owner()?, media_id).await
        }
        .await,
    )
}

#[server(endpoint = "complete_upload")]
pub async fn complete_upload(media_id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            upload::complete_upload(&call.state, &call.caller.owner()?, media_id).await
        }
        .await,
    )
}

#[server(endpoint = "list_media")]
pub async fn list_media() -> Result<Vec<MediaView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            manage::list_media(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

#[server(endpoint = "retry_media")]
pub async fn retry_media(media_id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            manage::retry_media(&call.state, &call.caller.owner()?, media_id).await
        }
        .await,
    )
}

/// "Delete media": the item and every file it stored (refused while in use).
#[server(endpoint = "delete_media")]
pub async fn delete_media(media_id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            manage::delete_media(&call.state, &call.caller.owner()?, media_id).await
        }
        .await,
    )
}
