//! What every server function and route handler can reach on the server.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use sqlx::PgPool;

use crate::checkout::gateway::Gateway;
use crate::error::AppError;
use crate::media::storage::MediaStorage;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub leptos_options: LeptosOptions,
    pub site: Arc<SiteConfig>,
    pub storage: MediaStorage,
    /// Signs playback tokens (derived from the session secret; never logged).
    pub playback_key: Arc<[u8]>,
    /// Stripe, or the local stand-in.
    pub payments: Arc<Gateway>,
}

/// Settings the features need to build links and emails.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The public base URL without a trailing slash, e.g. `https://videos.example.com`.
    pub public_url: String,
    /// The `From` header of outgoing emails.
    pub email_from: String,
}

impl SiteConfig {
    pub fn link(&self, path_and_query: &str) -> String {
        format!("{}{}", self.public_url, path_and_query)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}

/// The application state inside a server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}
