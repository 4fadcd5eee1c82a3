//! Visitors' catalog and item pages, kept rendered in memory: a visitor without a session
//! gets the page as it was last rendered for a visitor, with the request's own CSP nonce put
//! where the render's stood, an `ETag`, and `304` when the browser has it already.
//!
//! A kept page is forgotten on any change that could alter it: the `catalog_changed`
//! notification (triggers on the tables the pages read) and `site_settings_changed` reach
//! every app server; pages are kept one minute at most besides. While the notifications are
//! not heard (`backend::cached::listen`) nothing is kept. A request that carries a session
//! cookie never meets this cache, and a response that sets a cookie or is not a plain
//! `200` page is never kept.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::cached::{Follower, KeptMap};
use futures::StreamExt;
use sha2::{Digest, Sha256};

use crate::security::{carries_session, CspNonce};
use crate::{surface, AppContext};

/// How long a page is kept even when nothing is heard of a change.
const KEEP_FOR: Duration = Duration::from_secs(60);
/// How many pages are kept; the least recently served goes first.
const MAX_PAGES: usize = 1000;
/// The largest page kept, and the longest path and query kept by.
const MAX_PAGE_BYTES: usize = 512 * 1024;
const MAX_KEY_BYTES: usize = 512;
/// Says whether the page came from memory (`hit`) or was rendered (`miss`).
pub const CACHE_HEADER: HeaderName = HeaderName::from_static("x-page-cache");
/// Stored, and checked again on every visit: a kept page is never a stale one.
const CACHE_CONTROL: HeaderValue = HeaderValue::from_static("private, no-cache");

/// The kept pages, by path and query.
pub type PageCache = KeptMap<Page>;

/// An empty page cache, sized for a catalog's pages and searches.
pub fn page_cache() -> PageCache {
    KeptMap::new(MAX_PAGES, KEEP_FOR)
}

/// What [`backend::cached::listen`] must tell the page cache of.
pub fn followers(pages: &Arc<PageCache>) -> Vec<Follower> {
    vec![
        (
            backend::content::service::CATALOG_CHANGED_CHANNEL,
            pages.clone(),
        ),
        (backend::settings::service::CHANGED_CHANNEL, pages.clone()),
    ]
}

/// A rendered page, cut where the render's nonce stood.
pub struct Page {
    headers: HeaderMap,
    parts: Vec<Bytes>,
    etag: HeaderValue,
}

impl Page {
    /// The page of a response worth keeping (a `200` HTML page that sets no cookie and is not
    /// marked private), or the response as it was.
    async fn of(response: Response, nonce: &str) -> Result<Page, Response> {
        let (parts, body) = response.into_parts();
        let headers = &parts.headers;
        let is_html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let private = headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"));
        let keepable = parts.status == StatusCode::OK
            && is_html
            && !private
            && !headers.contains_key(header::SET_COOKIE)
            && !nonce.is_empty();
        if !keepable {
            return Err(Response::from_parts(parts, body));
        }
        let bytes = match read_whole(body, MAX_PAGE_BYTES).await {
            Ok(bytes) => bytes,
            Err(body) => return Err(Response::from_parts(parts, body)),
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(Response::from_parts(parts, Body::from(bytes)));
        };
        let cut: Vec<Bytes> = text
            .split(nonce)
            .map(|part| Bytes::copy_from_slice(part.as_bytes()))
            .collect();
        let mut headers = parts.headers;
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::DATE);
        Ok(Page {
            etag: etag_of(&cut),
            headers,
            parts: cut,
        })
    }

    /// The page for one request: `304` when its `If-None-Match` names this page, otherwise
    /// the page with `nonce` where the render's stood.
    fn answer(&self, if_none_match: Option<&HeaderValue>, nonce: &str, hit: bool) -> Response {
        let mut response = if names(if_none_match, &self.etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let length = self.parts.iter().map(Bytes::len).sum::<usize>()
                + nonce.len() * self.parts.len().saturating_sub(1);
            let mut body = Vec::with_capacity(length);
            for (i, part) in self.parts.iter().enumerate() {
                if i > 0 {
                    body.extend_from_slice(nonce.as_bytes());
                }
                body.extend_from_slice(part);
            }
            let mut response = Response::new(Body::from(body));
            *response.headers_mut() = self.headers.clone();
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::CACHE_CONTROL, CACHE_CONTROL);
        headers.insert(
            CACHE_HEADER,
            HeaderValue::from_static(if hit { "hit" } else { "miss" }),
        );
        response
    }
}

/// A weak tag: the bytes differ by their nonce, the page does not.
fn etag_of(parts: &[Bytes]) -> HeaderValue {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let digest = hash.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex digits are a valid header")
}

/// Whether an `If-None-Match` value names `etag` (weak comparison) or any page (`*`).
fn names(if_none_match: Option<&HeaderValue>, etag: &HeaderValue) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let Some(wanted) = if_none_match.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = opaque(etag.to_str().unwrap_or_default());
    wanted
        .split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

/// The whole body, when it is at most `limit` bytes; otherwise the body as it came (what was
/// read of it, then the rest).
async fn read_whole(body: Body, limit: usize) -> Result<Bytes, Body> {
    let mut stream = body.into_data_stream();
    let mut read = Vec::new();
    while let Some(chunk) = stream.next().await {
        let head = |read: Vec<u8>| futures::stream::once(async move { Ok(Bytes::from(read)) });
        match chunk {
            Ok(chunk) => {
                read.extend_from_slice(&chunk);
                if read.len() > limit {
                    return Err(Body::from_stream(head(read).chain(stream)));
                }
            }
            Err(error) => {
                let broken = futures::stream::once(async move { Err(error) });
                return Err(Body::from_stream(head(read).chain(broken)));
            }
        }
    }
    Ok(Bytes::from(read))
}

/// The key a request's page is kept by, when it is a visitor's request for a kept page.
fn key_of(request: &Request, session_cookie: &str) -> Option<String> {
    let uri = request.uri();
    let kept = request.method() == Method::GET
        && surface::kept_for_visitors(uri.path(), uri.query())
        && !carries_session(request.headers(), session_cookie)
        // A landing from elsewhere goes on to keep its source in a session.
        && crate::page_views::landing(request).is_none();
    let key = uri.path_and_query()?.as_str();
    (kept && key.len() <= MAX_KEY_BYTES).then(|| key.to_string())
}

/// Serves visitors' kept pages from memory, and keeps what is rendered for them.
pub async fn serve_kept_pages(
    State(ctx): State<AppContext>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = key_of(&request, ctx.config.session_cookie_name()) else {
        return next.run(request).await;
    };
    let Some(CspNonce(nonce)) = request.extensions().get::<CspNonce>().cloned() else {
        return next.run(request).await;
    };
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    if let Some(page) = ctx.pages.get(&key) {
        return page.answer(if_none_match.as_ref(), &nonce, true);
    }
    let mark = ctx.pages.mark();
    let response = next.run(request).await;
    match Page::of(response, &nonce).await {
        Ok(page) => {
            let page = Arc::new(page);
            if let Some(mark) = mark {
                ctx.pages.keep(key, page.clone(), mark);
            }
            page.answer(if_none_match.as_ref(), &nonce, false)
        }
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str, nonce: &str) -> Page {
        let response = Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(Body::from(html.to_string()))
            .unwrap();
        futures::executor::block_on(Page::of(response, nonce)).unwrap_or_else(|_| panic!("kept"))
    }

    fn body_of(response: Response) -> String {
        let bytes =
            futures::executor::block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn each_answer_carries_its_own_nonce() {
        let kept = page(
            r#"<script nonce="N0nce==">a</script><p>x</p><script nonce="N0nce==">b</script>"#,
            "N0nce==",
        );
        let answer = kept.answer(None, "0ther+/=", true);
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()[CACHE_HEADER], "hit");
        assert_eq!(answer.headers()[header::CACHE_CONTROL], "private, no-cache");
        assert_eq!(
            answer.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        assert_eq!(
            body_of(answer),
            r#"<script nonce="0ther+/=">a</script><p>x</p><script nonce="0ther+/=">b</script>"#
        );
    }

    #[test]
    fn the_tag_names_the_page_not_its_nonce() {
        let one = page(r#"<script nonce="aaa">x</script>"#, "aaa");
        let two = page(r#"<script nonce="bbb">x</script>"#, "bbb");
        let other = page(r#"<script nonce="aaa">y</script>"#, "aaa");
        assert_eq!(one.etag, two.etag);
        assert_ne!(one.etag, other.etag);
        assert!(one.etag.to_str().unwrap().starts_with("W/\""));

        let tag = one.etag.clone();
        let asked = HeaderValue::from_str(&format!("\"x\", {}", tag.to_str().unwrap())).unwrap();
        let answer = two.answer(Some(&asked), "ccc", true);
        assert_eq!(answer.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(answer.headers()[header::ETAG], tag);
        assert!(body_of(answer).is_empty());
        let stale = HeaderValue::from_static("W/\"0123\"");
        assert_eq!(
            other.answer(Some(&stale), "c", true).status(),
            StatusCode::OK
        );
    }

    #[test]
    fn only_plain_pages_that_set_no_cookie_are_kept() {
        let with = |status: StatusCode, headers: &[(HeaderName, &str)]| {
            let mut response = Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(name, *value);
            }
            let response = response.body(Body::from("<p>x</p>")).unwrap();
            futures::executor::block_on(Page::of(response, "n")).is_ok()
        };
        let html = (header::CONTENT_TYPE, "text/html");
        assert!(with(StatusCode::OK, std::slice::from_ref(&html)));
        assert!(!with(StatusCode::NOT_FOUND, std::slice::from_ref(&html)));
        assert!(!with(
            StatusCode::OK,
            &[(header::CONTENT_TYPE, "application/json")]
        ));
        assert!(!with(
            StatusCode::OK,
            &[html.clone(), (header::SET_COOKIE, "codex_session=1")]
        ));
        assert!(!with(
            StatusCode::OK,
            &[html, (header::CACHE_CONTROL, "private, no-store")]
        ));
    }

    #[test]
    fn a_page_too_long_to_keep_is_passed_on_whole() {
        let long = "x".repeat(MAX_PAGE_BYTES + 10);
        let chunks: Vec<Result<Bytes, std::io::Error>> = long
            .as_bytes()
            .chunks(1000)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body = Body::from_stream(futures::stream::iter(chunks));
        let passed = futures::executor::block_on(read_whole(body, MAX_PAGE_BYTES)).unwrap_err();
        assert_eq!(body_of(Response::new(passed)), long);
    }
}
