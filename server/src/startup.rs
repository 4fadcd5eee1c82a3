//! Start-up assembly: the application context from the configuration and a pool (storage,
//! Stripe or the stand-in started here, the keys, the Leptos options). `main` and the
//! integration tests build the router from it.

use std::sync::Arc;

use anyhow::Context as _;
use backend::mail::{Mailer, Transport};
use backend::storage::MediaStorage;
use backend::storage::SegmentDelivery;
use backend::stripe::gateway::Gateway;
use backend::web_targets::{TargetPolicy, WebTargets};
use backend::{AppState, FirstRun, PublicUrl};
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::config::{AppEnv, Config, Payments, STANDIN_SECRET_KEY, STANDIN_WEBHOOK_SECRET};
use crate::metrics::Metrics;
use crate::page_cache;
use crate::AppContext;

/// The playback token key: derived from the session secret, so rotating one rotates both.
fn playback_key(session_secret: &str) -> Arc<[u8]> {
    use sha2::{Digest, Sha256};
    Sha256::digest(format!("codex-playback:{session_secret}").as_bytes())
        .to_vec()
        .into()
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("codex")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(if config.env == AppEnv::Development {
            leptos::config::Env::DEV
        } else {
            leptos::config::Env::PROD
        })
        .build()
}

/// Stripe, or the stand-in started here (inside the Tokio runtime) and pointed at this
/// server's webhook endpoint. Also gives the origin of the checkout pages, which the
/// content pages' CSP must let the "Buy now" form go to.
fn payments(config: &Config) -> anyhow::Result<(Gateway, String)> {
    match &config.payments {
        Payments::Stripe {
            secret_key,
            webhook_secret,
            previous_webhook_secret,
            api_base,
        } => {
            let mut secrets = vec![webhook_secret.as_str()];
            secrets.extend(previous_webhook_secret.as_deref());
            let gateway = Gateway::new(secret_key, api_base.as_deref(), &secrets)
                .map_err(anyhow::Error::msg)?;
            let checkout_origin = match api_base {
                Some(base) => origin_of(base)?,
                None => "https://checkout.stripe.com".to_string(),
            };
            Ok((gateway, checkout_origin))
        }
        Payments::Standin { addr } => {
            let listener = std::net::TcpListener::bind(addr)
                .with_context(|| format!("cannot start the Stripe stand-in on {addr}"))?;
            let standin = stripe_standin::spawn(
                listener,
                stripe_standin::Config {
                    webhook_url: format!("{}/webhooks/stripe", config.public_url),
                    webhook_secret: STANDIN_WEBHOOK_SECRET.into(),
                    retry_delays: stripe_standin::Config::default_retry_delays(),
                },
            )?;
            tracing::info!(api_base = %standin.base_url, "payments go to the local Stripe stand-in (test mode)");
            let gateway = Gateway::new(
                STANDIN_SECRET_KEY,
                Some(&standin.base_url),
                &[STANDIN_WEBHOOK_SECRET],
            )
            .map_err(anyhow::Error::msg)?;
            Ok((gateway, origin_of(&standin.base_url)?))
        }
    }
}

/// The origin of the store's signed URLs, which pages must let players fetch from.
async fn signed_origin(storage: &MediaStorage) -> anyhow::Result<String> {
    let url = storage
        .signed_url("media", std::time::Duration::from_secs(60))
        .await
        .map_err(|e| anyhow::anyhow!("MEDIA_DELIVERY=signed-urls: {e}"))?
        .context("MEDIA_DELIVERY=signed-urls needs a store that signs URLs (s3://)")?;
    origin_of(&url)
}

fn origin_of(url: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(url).with_context(|| format!("{url} is not a URL"))?;
    Ok(parsed.origin().ascii_serialization())
}

/// SMTP when `SMTP_URL` is set (production requires it); elsewhere emails become files a
/// developer can open. A bad `SMTP_URL` leaves emails waiting in the outbox, and says so.
fn mail_transport(config: &Config) -> Option<Transport> {
    match config.smtp_url.as_deref() {
        Some(url) => match Mailer::new(url, &config.email_from) {
            Ok(mailer) => Some(Transport::Smtp(Box::new(mailer))),
            Err(error) => {
                tracing::error!(%error, "email delivery disabled");
                None
            }
        },
        None => {
            tracing::info!(folder = %config.mail_folder, "SMTP_URL not set: emails are delivered as files");
            Some(Transport::Folder(config.mail_folder.clone().into()))
        }
    }
}

/// Production opens `/setup` only to whoever has `SETUP_TOKEN`, and not at all without one.
fn first_run(config: &Config) -> FirstRun {
    match (&config.setup_token, config.env) {
        (Some(token), _) => FirstRun::Token(token.as_str().into()),
        (None, AppEnv::Production) => FirstRun::Closed,
        (None, _) => FirstRun::Open,
    }
}

pub async fn context(config: Config, pool: PgPool) -> anyhow::Result<AppContext> {
    let storage = MediaStorage::from_config(&config.media_storage, &config.s3_settings)
        .map_err(anyhow::Error::msg)?;
    let media_origin = match config.segment_delivery {
        SegmentDelivery::SignedUrls => Some(signed_origin(&storage).await?),
        SegmentDelivery::Proxied => None,
    };
    let (gateway, checkout_origin) = payments(&config)?;
    let app = AppState {
        pool,
        public_url: Arc::new(PublicUrl::new(config.public_url.clone())),
        storage,
        playback_key: playback_key(&config.session_secret),
        playback_token_lifetime: config.playback_token_lifetime,
        segment_delivery: config.segment_delivery,
        payments: Arc::new(gateway),
        first_run: first_run(&config),
        link_key: backend::keys::LinkKey::from_secret(&config.session_secret),
        web_targets: WebTargets::new(TargetPolicy {
            allow_private: config.outbound_allow_private,
        })?,
        mail: mail_transport(&config).map(Arc::new),
        email_send_rate: config.email_send_rate,
        settings: Arc::default(),
        catalog: Arc::new(backend::content::service::kept_catalog()),
        audience: Arc::new(backend::Audience::new(config.analytics_raw_days)),
        feed_fetches: Arc::new(backend::in_memory::PerMinute::new(
            backend::podcast::routes::FETCHES_PER_MINUTE,
        )),
    };
    tokio::spawn(backend::analytics::traffic::flush_every(
        app.clone(),
        std::time::Duration::from_secs(5),
    ));
    let pages = Arc::new(page_cache::page_cache());
    let mut followers = page_cache::followers(&pages);
    followers.push(backend::settings::service::follower(&app));
    followers.push(backend::content::service::follower(&app));
    tokio::spawn(backend::cached::listen(app.pool.clone(), followers));
    Ok(AppContext {
        app,
        leptos_options: leptos_options(&config),
        checkout_origin,
        media_origin,
        public_origin: config.public_origin(),
        in_flight: crate::request_limits::InFlight::new(config.limits.max_concurrent_requests),
        known_hosts: crate::security::known_hosts(&config.public_url, config.site_addr).into(),
        config: Arc::new(config),
        metrics: Arc::new(Metrics::new()),
        pages,
    })
}
