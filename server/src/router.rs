//! The HTTP router: pages, server functions, operations endpoints and the middleware
//! every response goes through.

use std::sync::{Arc, OnceLock};

use anyhow::Context as _;
use app::checkout::gateway::Gateway;
use app::media::storage::MediaStorage;
use app::state::{AppState, SiteConfig};
use app::{shell, App};
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::HeaderName;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, handle_server_fns_with_context,
    AxumRouteListing, LeptosRoutes,
};
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use crate::config::{AppEnv, Config, Payments, STANDIN_SECRET_KEY, STANDIN_WEBHOOK_SECRET};
use crate::metrics::Metrics;
use crate::security::CspNonce;
use crate::{client_ip, ops, page_guard, rate_limit, security, session_keys, AppContext};

pub const SESSION_COOKIE: &str = "codex_session";

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
            api_base,
        } => {
            let gateway = Gateway::new(secret_key, api_base.as_deref(), webhook_secret)
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
                STANDIN_WEBHOOK_SECRET,
            )
            .map_err(anyhow::Error::msg)?;
            Ok((gateway, origin_of(&standin.base_url)?))
        }
    }
}

fn origin_of(url: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(url).with_context(|| format!("{url} is not a URL"))?;
    Ok(parsed.origin().ascii_serialization())
}

pub fn context(config: Config, pool: PgPool) -> anyhow::Result<AppContext> {
    let storage = MediaStorage::from_config(&config.media_storage).map_err(anyhow::Error::msg)?;
    let (gateway, checkout_origin) = payments(&config)?;
    let site = SiteConfig {
        public_url: config.public_url.clone(),
        email_from: config.email_from.clone(),
    };
    Ok(AppContext {
        app: AppState {
            pool,
            leptos_options: leptos_options(&config),
            site: Arc::new(site),
            storage,
            playback_key: playback_key(&config.session_secret),
            payments: Arc::new(gateway),
        },
        checkout_origin,
        public_origin: config.public_origin(),
        config: Arc::new(config),
        metrics: Arc::new(Metrics::new()),
    })
}

/// What every page render and server function call can reach through `use_context`.
fn leptos_context(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(state.clone());
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
        if let Some(CspNonce(nonce)) = nonce {
            provide_context(Nonce::from_value(nonce));
        }
    }
}

async fn server_fn_handler(
    State(ctx): State<AppContext>,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(leptos_context(ctx.app.clone()), request).await
}

/// The page routes, generated once per process. Generating them sets a process-wide flag
/// that parks any resource first polled meanwhile forever (leptos issue #4773), so it must
/// never run while another router in the same process (tests build many) renders a page.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(ctx: AppContext) -> Router {
    let config = ctx.config.clone();
    let routes = page_routes();
    let options = ctx.app.leptos_options.clone();

    let session_layer = SessionManagerLayer::new(PostgresStore::new(ctx.app.pool.clone()))
        .with_name(SESSION_COOKIE)
        .with_secure(config.secure_cookies())
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(app::auth::session::SESSION_LIFETIME))
        .with_signed(session_keys::key_from_secret(&config.session_secret));

    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        // The path only: query strings can carry tokens.
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
    });

    Router::new()
        .route("/health", get(ops::health))
        .route("/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .route(
            "/media/{id}/thumbnail.jpg",
            get(app::media::thumbnail::thumbnail),
        )
        .route("/media/{id}/hls/{*path}", get(app::media::hls::serve))
        .route(
            "/content/{id}/thumbnail",
            get(app::content::thumbnail::serve),
        )
        .route(
            "/admin/content/{id}/thumbnail",
            post(app::content::thumbnail::upload).layer(DefaultBodyLimit::max(
                app::content::thumbnail::THUMBNAIL_BODY_LIMIT,
            )),
        )
        .route("/webhooks/stripe", post(app::checkout::webhook::receive))
        .route("/site/logo", get(app::settings::logo::serve))
        .route(
            "/account/avatar",
            post(app::account::avatar::upload).layer(DefaultBodyLimit::max(
                app::account::avatar::AVATAR_BODY_LIMIT,
            )),
        )
        .route("/account/avatar/{user}", get(app::account::avatar::serve))
        .route(
            "/admin/purchases.csv",
            get(app::checkout::export::purchases_csv),
        )
        .route(
            "/admin/customers.csv",
            get(app::customers::export::customers_csv),
        )
        .route(
            "/admin/settings/logo",
            post(app::settings::logo::upload)
                .layer(DefaultBodyLimit::max(app::settings::logo::LOGO_BODY_LIMIT)),
        )
        .route("/checkout/start", post(app::checkout::start::start))
        .route(
            "/media/uploads/{id}/parts/{index}",
            put(app::media::upload::put_part)
                .layer(DefaultBodyLimit::max(app::media::upload::PART_BODY_LIMIT)),
        )
        .leptos_routes_with_context(&ctx, routes, leptos_context(ctx.app.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppContext, _>(
            leptos_context(ctx.app.clone()),
            shell,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(ctx.clone(), security::security_headers))
                .layer(CatchPanicLayer::new())
                .layer(CompressionLayer::new())
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(trace)
                .layer(from_fn_with_state(ctx.clone(), crate::metrics::track))
                .layer(from_fn_with_state(
                    ctx.clone(),
                    client_ip::resolve_client_ip,
                ))
                .layer(from_fn_with_state(
                    ctx.clone(),
                    security::reject_foreign_origin,
                ))
                .layer(from_fn_with_state(
                    ctx.clone(),
                    session_keys::accept_previous_secret,
                ))
                .layer(session_layer)
                .layer(from_fn_with_state(ctx.clone(), rate_limit::enforce))
                .layer(from_fn_with_state(ctx.clone(), page_guard::guard_pages))
                .layer(from_fn_with_state(ctx.app.clone(), app::site::name_pages)),
        )
        .with_state(ctx)
}
