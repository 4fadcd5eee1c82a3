//! What one request may cost the server: how many are served at once (more get 503 at
//! once, never a queue), how long a request may take, and how long its body may stall.
//! `/health` and `/ready` are never refused, so a load balancer can tell a busy server
//! from a dead one. Upload parts and files for buyers may take as long as their body keeps
//! arriving: a part is 8 MiB, a minute's worth on a slow uplink, and its size is checked
//! before it is read; a file for buyers is the owner's, at most 100 MB.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::AppContext;

/// A request body that sends nothing for this long is cut off.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The requests being served now, shared by every connection of this process.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(max: usize) -> Self {
        Self(Arc::new(Semaphore::new(max.max(1))))
    }
}

fn is_probe(path: &str) -> bool {
    matches!(path, "/health" | "/ready")
}

/// Requests that may last as long as their body keeps coming (the idle timeout still
/// applies): upload parts, and an item's file for buyers (up to 100 MB, owner only, checked
/// before its body is read, so for anyone else the request ends before any body is waited
/// for; nothing before the handler reads their bodies, see `audit`).
pub fn is_long_upload(path: &str) -> bool {
    path.starts_with("/media/uploads/")
        || (path.starts_with("/admin/content/") && path.ends_with("/downloads"))
}

/// Answers 408 when a request takes longer than `REQUEST_TIMEOUT_SECS`.
pub async fn limit_duration(
    State(ctx): State<AppContext>,
    request: Request,
    next: Next,
) -> Response {
    if is_long_upload(request.uri().path()) {
        return next.run(request).await;
    }
    match tokio::time::timeout(ctx.config.limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            (StatusCode::REQUEST_TIMEOUT, "The request took too long.").into_response()
        }
    }
}

pub async fn limit_concurrency(
    State(ctx): State<AppContext>,
    request: Request,
    next: Next,
) -> Response {
    if is_probe(request.uri().path()) {
        return next.run(request).await;
    }
    let Ok(permit) = ctx.in_flight.0.clone().try_acquire_owned() else {
        tracing::warn!("request refused: the server is at its concurrency limit");
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is busy. Please try again in a moment.",
        )
            .into_response();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(backend::error::BUSY_RETRY_AFTER_SECS),
        );
        return response;
    };
    let response = next.run(request).await;
    drop(permit);
    response
}
