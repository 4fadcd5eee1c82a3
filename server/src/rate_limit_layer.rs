//! The middleware that applies the per-IP rate limits of the account endpoints (DESIGN.md
//! section 2); the counters themselves are `backend::rate_limit`.

use app::error::{accepts_html, AppError};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::rate_limit::{self, Decision, Rule};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use tower_sessions::Session;

use crate::client_ip::ClientIp;
use crate::surface::{self, Scope};
use crate::AppContext;

fn rule_for(method: &Method, path: &str) -> Option<(Rule, Scope)> {
    if method != Method::POST {
        return None;
    }
    surface::limit_for(path)
}

/// Counts the request against its limit: per IP, and per account too where the scope says
/// so and someone is signed in. `None` when the database cannot be reached.
async fn decide(
    ctx: &AppContext,
    ip: &str,
    session: Option<Session>,
    rule: Rule,
    scope: Scope,
) -> Option<Decision> {
    let mut decision = rate_limit::hit(&ctx.app.pool, rule, ip).await.ok()?;
    if scope == Scope::IpAndAccount {
        let user = match session {
            Some(session) => backend::auth::session::claimed_user_id(&session).await,
            None => None,
        };
        if let Some(user) = user {
            let account = rate_limit::hit(&ctx.app.pool, rule, &format!("user:{user}"))
                .await
                .ok()?;
            decision = decision.stricter(account);
        }
    }
    if !decision.allowed {
        tracing::warn!(rule = rule.name, %ip, "rate limit reached");
    }
    Some(decision)
}

pub async fn enforce(State(ctx): State<AppContext>, request: Request, next: Next) -> Response {
    let Some((rule, scope)) = rule_for(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let ip = ClientIp::text_of(&request);
    let session = request.extensions().get::<Session>().cloned();
    // Without the database the request itself fails; do not hide that behind a 429.
    let Some(decision) = decide(&ctx, &ip, session, rule, scope).await else {
        return next.run(request).await;
    };
    if !decision.allowed {
        let wants_html = accepts_html(request.headers());
        let mut response = too_many_requests(request.uri().path(), wants_html);
        add_headers(response.headers_mut(), &decision, true);
        return response;
    }
    let mut response = next.run(request).await;
    add_headers(response.headers_mut(), &decision, false);
    response
}

fn too_many_requests(path: &str, wants_html: bool) -> Response {
    let message = AppError(domain::error::Answer::RateLimited).to_string();
    if wants_html {
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts</title>\
             <link rel=\"stylesheet\" href=\"/pkg/codex.css\"></head><body><main class=\"container page\">\
             <p class=\"alert alert-error\" role=\"alert\">{message}</p><p><a href=\"/\">Back</a></p></main></body></html>"
        );
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response();
    }
    // Shaped like a server function error, so the page shows the message.
    let body =
        serde_json::to_string(&AppError(domain::error::Answer::RateLimited)).unwrap_or_default();
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(path) {
        response.headers_mut().insert(SERVER_FN_ERROR_HEADER, value);
    }
    response
}

fn add_headers(headers: &mut HeaderMap, decision: &Decision, limited: bool) {
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("x-ratelimit-limit", decision.limit.to_string());
    set("x-ratelimit-remaining", decision.remaining.to_string());
    set(
        "x-ratelimit-reset",
        decision.reset_at.unix_timestamp().to_string(),
    );
    if limited {
        set("retry-after", decision.retry_after.to_string());
    }
}
