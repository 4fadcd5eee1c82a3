//! Security headers on every response, and the cross-origin check on state changes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use crate::config::AppEnv;
use crate::AppContext;

/// The per-request CSP nonce; the page renderer puts it on the scripts it emits.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

pub async fn security_headers(
    State(ctx): State<AppContext>,
    mut request: Request,
    next: Next,
) -> Response {
    // "Buy now" posts a form that the server redirects to the checkout page. Any page can
    // become an item page through client-side navigation (keeping its first CSP), so every
    // page allows that one origin as a form target.
    let form_action = format!("'self' {}", ctx.checkout_origin);
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = STANDARD.encode(bytes);
    request.extensions_mut().insert(CspNonce(nonce.clone()));

    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // hls.js transmuxes in a worker it creates from a blob: URL.
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         worker-src 'self' blob:; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action {form_action}; frame-ancestors 'none'"
    );
    // A route that sets a stricter policy of its own (the SVG logo) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if ctx.config.env == AppEnv::Production {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Refuses a state-changing request whose `Origin` is another site. The app's own origin
/// is its public URL, or the `Host` the browser addressed (a browser sets both).
pub async fn reject_foreign_origin(
    State(ctx): State<AppContext>,
    request: Request,
    next: Next,
) -> Response {
    if is_state_changing(request.method()) {
        if let Some(origin) = request.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or_default();
            let host = request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok());
            if !origin_allowed(origin, &ctx.public_origin, host) {
                tracing::warn!(origin, "refused a cross-origin state-changing request");
                return forbidden();
            }
        }
    }
    next.run(request).await
}

pub fn origin_allowed(origin: &str, public_origin: &str, host: Option<&str>) -> bool {
    if origin == public_origin {
        return true;
    }
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let origin_host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return false,
    };
    matches!(url.scheme(), "http" | "https")
        && host.is_some_and(|h| h.eq_ignore_ascii_case(&origin_host))
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from("Cross-origin request refused."),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn origins() {
        let public = "https://videos.example.com";
        assert!(origin_allowed("https://videos.example.com", public, None));
        assert!(origin_allowed(
            "http://127.0.0.1:3000",
            public,
            Some("127.0.0.1:3000")
        ));
        assert!(!origin_allowed(
            "https://evil.example",
            public,
            Some("videos.example.com")
        ));
        assert!(!origin_allowed("null", public, Some("videos.example.com")));
        assert!(!origin_allowed(
            "http://127.0.0.1:3001",
            public,
            Some("127.0.0.1:3000")
        ));
    }
}
