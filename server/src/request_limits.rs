//! What one request may cost the server: how many are served at once (more get 503 at
//! once, never a queue), how long a request may take, and how long its body may stall.
//! The probes (`/health`, `/ready`: `surface::Rules::probe`) are never refused, so a load
//! balancer can tell a busy server from a dead one. The owner's upload parts and files for buyers may take as long as their
//! body keeps arriving, once their handler knows the caller (`LongRequest`): a part is
//! 8 MiB, a minute's worth on a slow uplink, and its size is checked before it is read; a
//! file for buyers is at most 100 MB.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::long_request::LongRequest;
use tokio::sync::Semaphore;

use crate::surface::Rules;
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

/// Answers 408 when a request takes longer than `REQUEST_TIMEOUT_SECS`, unless its handler
/// let it go on (`LongRequest`: an upload, once the caller is known to be the owner).
pub async fn limit_duration(
    State(ctx): State<AppContext>,
    mut request: Request,
    next: Next,
) -> Response {
    let long = LongRequest::default();
    request.extensions_mut().insert(long.clone());
    let run = next.run(request);
    tokio::pin!(run);
    match tokio::time::timeout(ctx.config.limits.request_timeout, &mut run).await {
        Ok(response) => response,
        Err(_) if long.allowed() => run.await,
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
    if Rules::of(&request).probe {
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
