//! Storefront traffic at the edge (`backend::analytics::traffic`): each view of the catalog
//! or an item's page answered `200` to a browser (not a bot) is counted, kept pages too;
//! a visit that lands from elsewhere keeps its source in the visitor's session.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use backend::analytics::traffic;
use backend::client_ip::ClientIp;
use domain::analytics::{Page, PageView};
use tower_sessions::Session;

use crate::AppContext;

fn header_of(request: &Request, name: header::HeaderName) -> Option<&str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The landing source of a request for a counted page, if it came from elsewhere.
pub fn landing(request: &Request) -> Option<String> {
    Page::at(request.uri().path())?;
    traffic::landing_source(
        request.uri().query(),
        header_of(request, header::REFERER),
        header_of(request, header::HOST).unwrap_or_default(),
    )
}

/// Counts the view (outside the page cache, so kept pages count too).
pub async fn count(State(ctx): State<AppContext>, request: Request, next: Next) -> Response {
    let page = (request.method() == Method::GET)
        .then(|| Page::at(request.uri().path()))
        .flatten();
    let (Some(page), Some(ClientIp(ip))) = (page, request.extensions().get::<ClientIp>().copied())
    else {
        return next.run(request).await;
    };
    let user_agent = header_of(&request, header::USER_AGENT).unwrap_or_default();
    if traffic::is_bot(user_agent) {
        return next.run(request).await;
    }
    let user_agent: String = user_agent.chars().take(300).collect();
    let source = landing(&request);
    let response = next.run(request).await;
    if response.status() == StatusCode::OK {
        traffic::record(
            &ctx.app,
            PageView {
                at: time::OffsetDateTime::now_utc(),
                page,
                ip,
                user_agent,
                source,
            },
        );
    }
    response
}

/// Keeps a landing's source in the session (first touch), for the checkout to record.
pub async fn keep_landing(request: Request, next: Next) -> Response {
    let browser = !traffic::is_bot(header_of(&request, header::USER_AGENT).unwrap_or_default());
    if !browser {
        return next.run(request).await;
    }
    if let (Some(source), Some(session)) =
        (landing(&request), request.extensions().get::<Session>())
    {
        if let Err(error) = traffic::keep_landing(session, source).await {
            tracing::warn!(%error, "landing source not kept");
        }
    }
    next.run(request).await
}
