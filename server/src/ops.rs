//! Operations endpoints: liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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

pub async fn metrics(State(ctx): State<AppContext>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        ctx.metrics.render(&ctx.app.pool),
    )
        .into_response()
}
