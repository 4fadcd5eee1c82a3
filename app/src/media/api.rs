//! Server functions of the owner's media page; each checks that the caller is the owner.

use leptos::prelude::*;
use uuid::Uuid;

use super::types::{MediaView, UploadTicket};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {super::upload, crate::error::respond};

#[server(endpoint = "start_upload")]
pub async fn start_upload(
    filename: String,
    size_bytes: u64,
    content_type: String,
) -> Result<UploadTicket, AppError> {
    respond(upload::start_upload(filename, size_bytes, content_type).await)
}

#[server(endpoint = "complete_upload")]
pub async fn complete_upload(media_id: Uuid) -> Result<(), AppError> {
    respond(upload::complete_upload(media_id).await)
}

#[server(endpoint = "list_media")]
pub async fn list_media() -> Result<Vec<MediaView>, AppError> {
    respond(upload::list_media().await)
}

#[server(endpoint = "retry_media")]
pub async fn retry_media(media_id: Uuid) -> Result<(), AppError> {
    respond(upload::retry_media(media_id).await)
}
