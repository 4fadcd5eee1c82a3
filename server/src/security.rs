//! Security headers on every response, and the cross-origin check on state changes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
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
    // Segments signed by the object store come from its origin.
    let media_origin = ctx
        .media_origin
        .as_deref()
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = STANDARD.encode(bytes);
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let signed_in = carries_session(request.headers(), ctx.config.session_cookie_name());

    let mut response = next.run(request).await;
    // hls.js transmuxes in a worker it creates from a blob: URL.
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         worker-src 'self' blob:; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:{media_origin}; \
         connect-src 'self'{media_origin}; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action {form_action}; frame-ancestors 'none'"
    );
    // A route that sets a stricter policy of its own (the SVG logo) keeps it. A `304` keeps
    // the policy the browser stored with the page, whose nonce is the one in that page.
    let not_modified = response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    if !not_modified && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    // A page or an answer made for a signed-in person must stay out of shared caches and
    // the back-forward cache of a shared computer.
    let personal = signed_in && is_page_or_data(headers.get(header::CONTENT_TYPE));
    if personal && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
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

/// The browser features no page of Codex uses (fullscreen and picture-in-picture, which
/// the player uses, stay allowed for the site itself).
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
     interest-cohort=(), browsing-topics=(), fullscreen=(self), picture-in-picture=(self)";

/// Whether the request carries a session cookie (a signed-in person, most likely).
pub(crate) fn carries_session(headers: &axum::http::HeaderMap, cookie_name: &str) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            pair.trim()
                .split_once('=')
                .is_some_and(|(name, _)| name == cookie_name)
        })
}

fn is_page_or_data(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"))
}

pub fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Refuses a state-changing request whose `Origin` is not the public URL's: the one
/// origin pages are served from (the `Host` header is the client's word, so it proves
/// nothing).
pub async fn reject_foreign_origin(
    State(ctx): State<AppContext>,
    request: Request,
    next: Next,
) -> Response {
    if is_state_changing(request.method()) {
        if let Some(origin) = request.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or_default();
            if origin != ctx.public_origin {
                tracing::warn!(origin, "refused a cross-origin state-changing request");
                return forbidden();
            }
        }
    }
    next.run(request).await
}

/// The host names the server answers to: the public URL's and the one of the address it
/// listens on (for probes and direct checks). Ports are not compared: proxies often pass
/// the host without it (nginx's `$host`), and a port names no other site.
pub fn known_hosts(public_url: &str, site_addr: std::net::SocketAddr) -> Vec<String> {
    let mut hosts = vec![host_name(&site_addr.to_string()).to_string()];
    if let Some(host) = url::Url::parse(public_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_string))
    {
        hosts.push(host);
    }
    hosts.iter_mut().for_each(|h| h.make_ascii_lowercase());
    hosts.dedup();
    hosts
}

/// `host[:port]` without the port (`[::1]:3000` gives `[::1]`).
fn host_name(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            if name.starts_with('[') || !name.contains(':') {
                name
            } else {
                host
            }
        }
        _ => host,
    }
}

/// Refuses a request for a host this server is not (`421 Misdirected Request`): links and
/// redirects are built from the public URL, and a request that names another host is a
/// misrouted or forged one. Health and readiness probes are answered whatever the host.
pub async fn reject_unknown_host(
    State(ctx): State<AppContext>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/health" || path == "/ready" {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    let known = host.is_some_and(|host| {
        let name = host_name(host);
        ctx.known_hosts
            .iter()
            .any(|known| known.eq_ignore_ascii_case(name))
    });
    if !known {
        tracing::warn!(
            host = host.unwrap_or_default(),
            "refused a request for an unknown host"
        );
        return (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            Body::from("Unknown host."),
        )
            .into_response();
    }
    next.run(request).await
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
    use super::{host_name, known_hosts};

    #[test]
    fn hosts_of_the_public_url_and_the_listener() {
        let addr = "127.0.0.1:3000".parse().unwrap();
        assert_eq!(
            known_hosts("https://Videos.example.com", addr),
            ["127.0.0.1", "videos.example.com"]
        );
        assert_eq!(known_hosts("http://127.0.0.1:3000", addr), ["127.0.0.1"]);
        let v6 = "[::1]:3000".parse().unwrap();
        assert_eq!(known_hosts("http://[::1]:3000", v6), ["[::1]"]);
    }

    #[test]
    fn host_names_lose_their_port() {
        assert_eq!(host_name("videos.example.com:443"), "videos.example.com");
        assert_eq!(host_name("videos.example.com"), "videos.example.com");
        assert_eq!(host_name("[::1]:3000"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
        assert_eq!(host_name("evil.example:x"), "evil.example:x");
    }
}
