//! Operations endpoints: liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::config::AppEnv;
use crate::AppContext;

/// Liveness: exactly `status`, `service`, `version`, `environment` and `timestamp`.
pub async fn health(State(ctx): State<AppContext>) -> Json<serde_json::Value> {
    Json(json!({
        "status": "ok",
        "service": "codex",
        "version": env!("CARGO_PKG_VERSION"),
        "environment": ctx.config.env.as_str(),
        "timestamp": OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default(),
    }))
}

/// Readiness: 200 when the database answers, 503 with the reason when it does not.
pub async fn ready(State(ctx): State<AppContext>) -> Response {
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&ctx.app.pool),
    )
    .await;
    match check {
        Ok(Ok(_)) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": "ok" })),
        )
            .into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check failed");
            not_ready("database unreachable")
        }
        Err(_) => not_ready("database timed out"),
    }
}

fn not_ready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "database": "error", "reason": reason })),
    )
        .into_response()
}

/// Prometheus text. With `METRICS_TOKEN` set, only for `Authorization: Bearer <token>`;
/// production without a token does not serve it (404), so nobody outside reads it.
pub async fn metrics(State(ctx): State<AppContext>, headers: HeaderMap) -> Response {
    match (&ctx.config.metrics_token, ctx.config.env) {
        (Some(token), _) if !bearer_matches(&headers, token) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need a token",
            )
                .into_response();
        }
        (None, AppEnv::Production) => return StatusCode::NOT_FOUND.into_response(),
        _ => {}
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        ctx.metrics.render(&ctx.app.pool),
    )
        .into_response()
}

fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(token.as_bytes())))
}
