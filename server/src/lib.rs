//! The Codex server: configuration, the HTTP router with its middleware, operations
//! endpoints and background workers. The pages live in the `app` crate and the work in
//! the `backend` crate; this crate wires them together.

// The pages' view types are deep: an optimised build without `erase_components` needs more
// than the default 128 levels to lay out the catalog's.
#![recursion_limit = "256"]

pub mod audit;
pub mod bench;
pub mod client_ip;
pub mod config;
pub mod database;
pub mod http_server;
pub mod metrics;
pub mod ops;
pub mod page_cache;
pub mod page_guard;
pub mod page_views;
pub mod rate_limit_layer;
pub mod request_limits;
pub mod router;
pub mod security;
pub mod session_keys;
pub mod smtp_sink;
pub mod startup;
pub mod surface;
pub mod telemetry;
pub mod workers;

use std::sync::Arc;

use axum::extract::FromRef;
use backend::AppState;
use leptos::config::LeptosOptions;

pub use config::Config;

/// The state of every axum handler and middleware.
#[derive(Clone)]
pub struct AppContext {
    pub app: AppState,
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    pub public_origin: String,
    /// Where "Buy now" sends the browser: Stripe Checkout or the stand-in.
    pub checkout_origin: String,
    /// Where players fetch segments from besides this server (`MEDIA_DELIVERY=signed-urls`).
    pub media_origin: Option<String>,
    pub in_flight: request_limits::InFlight,
    /// The `Host` values this server answers to (`security::known_hosts`).
    pub known_hosts: Arc<[String]>,
    /// Visitors' pages, kept rendered.
    pub pages: Arc<page_cache::PageCache>,
}

impl FromRef<AppContext> for LeptosOptions {
    fn from_ref(ctx: &AppContext) -> Self {
        ctx.leptos_options.clone()
    }
}

impl FromRef<AppContext> for AppState {
    fn from_ref(ctx: &AppContext) -> Self {
        ctx.app.clone()
    }
}
