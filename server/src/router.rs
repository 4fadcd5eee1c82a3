//! The HTTP router: pages, server functions, operations endpoints and the middleware
//! every response goes through.

use std::sync::OnceLock;

use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderName;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use backend::AppState;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, handle_server_fns_with_context,
    AxumRouteListing, LeptosRoutes,
};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutBody};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use crate::security::CspNonce;
use crate::{
    client_ip, page_cache, page_guard, page_views, rate_limit_layer, request_limits, security,
    session_keys, surface, AppContext,
};

pub use crate::config::SESSION_COOKIE;

/// What every page render and server function call can reach through `use_context`.
fn leptos_context(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(state.clone());
        provide_context(app::auth::guard::RequestCaller::default());
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
    let options = ctx.leptos_options.clone();

    let session_layer = SessionManagerLayer::new(PostgresStore::new(ctx.app.pool.clone()))
        .with_name(config.session_cookie_name())
        .with_secure(config.secure_cookies())
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            backend::auth::session::SESSION_LIFETIME,
        ))
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

    let plain = surface::PLAIN_ROUTES
        .iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, route.method_router())
        });
    plain
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
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
                .layer(
                    CompressionLayer::new().compress_when(
                        // Media is compressed already, and must keep its byte ranges.
                        DefaultPredicate::new()
                            .and(NotForContentType::const_new("video/"))
                            .and(NotForContentType::const_new("audio/")),
                    ),
                )
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(trace)
                .layer(from_fn_with_state(ctx.clone(), crate::metrics::track))
                .layer(from_fn_with_state(
                    ctx.clone(),
                    request_limits::limit_concurrency,
                ))
                .layer(from_fn_with_state(
                    ctx.clone(),
                    request_limits::limit_duration,
                ))
                .layer(RequestBodyTimeoutLayer::new(
                    request_limits::BODY_IDLE_TIMEOUT,
                ))
                .map_request(|request: Request<TimeoutBody<Body>>| request.map(Body::new))
                .layer(from_fn_with_state(
                    ctx.clone(),
                    security::reject_unknown_host,
                ))
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
                .layer(from_fn_with_state(ctx.clone(), page_views::count))
                .layer(from_fn_with_state(
                    ctx.clone(),
                    page_cache::serve_kept_pages,
                ))
                .layer(session_layer)
                .layer(axum::middleware::from_fn(page_views::keep_landing))
                .layer(from_fn_with_state(ctx.clone(), crate::audit::audit))
                .layer(from_fn_with_state(ctx.clone(), rate_limit_layer::enforce))
                .layer(from_fn_with_state(ctx.clone(), page_guard::guard_pages))
                .layer(from_fn_with_state(
                    ctx.app.clone(),
                    app::branding::name_pages,
                )),
        )
        .with_state(ctx)
}
