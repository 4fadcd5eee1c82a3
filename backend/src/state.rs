//! What every backend operation and route handler can reach: the pool, storage, Stripe and
//! the keys.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::media::storage::MediaStorage;
use crate::purchases::gateway::Gateway;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
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

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}
