use leptos::prelude::*;
use uuid::Uuid;

use super::WatchInfo;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {super::service, crate::error::respond};

/// The signed playlist and resume position of an item the caller may play.
#[server(endpoint = "load_watch")]
pub async fn load_watch(slug: String) -> Result<WatchInfo, AppError> {
    respond(service::watch_info(slug).await)
}

/// Saves the caller's position (sent every 15 s, on pause and on leaving).
#[server(endpoint = "save_progress")]
pub async fn save_progress(content_id: Uuid, position_seconds: f64) -> Result<(), AppError> {
    respond(service::save_progress(content_id, position_seconds).await)
}
