use leptos::prelude::*;

use super::Dashboard;
#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;

#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    respond(super::service::load().await)
}
