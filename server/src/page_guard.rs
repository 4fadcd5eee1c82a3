//! Server-side guards of the pages: anonymous visitors to a protected page are sent to
//! log in, customers get 403 on the admin, and `/setup` is gone once an owner exists.
//! (The server functions behind the pages check again: they are public endpoints.)

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::surface::{guard_for, Guard};
use crate::AppContext;
use backend::auth::{session, users};

pub async fn guard_pages(
    State(ctx): State<AppContext>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let Some(guard) = guard_for(request.uri().path()) else {
        return next.run(request).await;
    };
    let pool = &ctx.app.pool;
    if guard == Guard::SetupOnly {
        return match users::owner_exists(pool).await {
            Ok(false) => next.run(request).await,
            Ok(true) => Redirect::to("/login").into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
    }
    let user = match session::current_user(pool, &session).await {
        Ok(user) => user,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if let (Some(user), Some(slug)) = (&user, request.uri().path().strip_prefix("/watch/")) {
        // Without access to the item, its watch page sends to the item's page.
        let slug = slug.trim_end_matches('/').to_string();
        match backend::playback::service::may_watch(pool, user.id, &slug).await {
            Ok(true) => {}
            Ok(false) => {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(slug.as_bytes()).collect();
                return Redirect::to(&format!("/content/{encoded}")).into_response();
            }
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    match user {
        None => {
            let target = request
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/");
            Redirect::to(&domain::paths::login_then(target)).into_response()
        }
        Some(user) if guard == Guard::Owner && !user.view().is_owner() => forbidden_page(),
        Some(_) => next.run(request).await,
    }
}

fn forbidden_page() -> Response {
    let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>Forbidden</title><link rel=\"stylesheet\" href=\"/pkg/codex.css\"></head>\
        <body><main class=\"container page\"><section class=\"card\"><h1>Forbidden</h1>\
        <p role=\"alert\" class=\"alert alert-error\">You do not have permission to see this page.</p>\
        <p><a href=\"/\">Back to the catalog</a></p></section></main></body></html>";
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn login_redirects_encode_the_target_as_forms_do() {
        for target in [
            "/library",
            "/account/purchases?x=1&y=2",
            "/a b~*é",
            "/watch/a%2F",
        ] {
            let encoded: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            assert_eq!(
                domain::paths::login_then(target),
                format!("/login?redirect={encoded}")
            );
        }
    }
}
