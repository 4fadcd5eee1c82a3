//! What the benches (`server/examples/*_bench.rs`, run by `bench/*.sh`) share: their
//! arguments, percentiles, and Codex served on a free local port.

use anyhow::Context as _;
use backend::AppState;
use sqlx::PgPool;

use crate::config::Config;

/// The benchmark's argument at `index` (1 is the first), or `default`.
pub fn arg(index: usize, default: usize) -> usize {
    std::env::args()
        .nth(index)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The value at `share` (0.5: the median) of `sorted`, which must not be empty.
pub fn percentile(sorted: &[f64], share: f64) -> f64 {
    sorted[((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// A bench's Codex: the real router on a free local port over `pool`, without workers,
/// with media in `media` and loopback trusted as a proxy (so a bench plays many clients
/// through `X-Forwarded-For`). Its base URL and state.
pub async fn serve(pool: PgPool, media: &std::path::Path) -> anyhow::Result<(String, AppState)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let site = addr.to_string();
    let media_path = media.display().to_string();
    let config = Config::from_lookup(|key| match key {
        "APP_ENV" => Some("test".into()),
        "LEPTOS_SITE_ADDR" => Some(site.clone()),
        "RUN_WORKERS" => Some("false".into()),
        "TRUSTED_PROXIES" => Some("127.0.0.1".into()),
        "MEDIA_STORAGE" => Some(media_path.clone()),
        _ => None,
    })
    .context("configuration")?;
    let context = crate::startup::context(config, pool).await?;
    let state = context.app.clone();
    let router = crate::router::build(context);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    Ok((format!("http://{addr}"), state))
}
