//! Runs the Stripe stand-in on its own, for pointing a Codex server at it by hand:
//! `STRIPE_API_BASE=http://127.0.0.1:12111/`.

use std::net::TcpListener;

fn var(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let addr = var("STANDIN_ADDR", "127.0.0.1:12111");
    let config = stripe_standin::Config {
        webhook_url: var(
            "STRIPE_WEBHOOK_URL",
            "http://127.0.0.1:3000/webhooks/stripe",
        ),
        webhook_secret: var("STRIPE_WEBHOOK_SECRET", "whsec_codex_standin"),
        retry_delays: stripe_standin::Config::default_retry_delays(),
    };
    let standin = stripe_standin::spawn(TcpListener::bind(&addr)?, config.clone())?;
    tracing::info!(
        api_base = %standin.base_url,
        webhook_url = %config.webhook_url,
        "Stripe stand-in running"
    );
    tokio::signal::ctrl_c().await
}
