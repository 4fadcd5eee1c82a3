//! Session cookie signing keys, and rotation of `SESSION_SECRET` without signing everybody
//! out: while `SESSION_SECRET_PREVIOUS` is set, a cookie signed with the previous secret is
//! re-signed with the current one before the session layer reads it.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha512};
use tower_sessions::cookie::{Cookie, CookieJar, Key};

use crate::AppContext;

/// The 64-byte signing key derived from a secret.
pub fn key_from_secret(secret: &str) -> Key {
    Key::from(&Sha512::digest(secret.as_bytes()))
}

/// Re-signs `value` (as sent, percent-encoded) with `current` when it is not valid under
/// `current` but is under `previous`; returns the encoded value to send on.
pub fn resign(name: &str, value: &str, current: &Key, previous: &Key) -> Option<String> {
    let original = Cookie::parse_encoded(format!("{name}={value}"))
        .ok()?
        .into_owned();
    let mut jar = CookieJar::new();
    jar.add_original(original);
    if jar.signed(current).get(name).is_some() {
        return None;
    }
    let plain = jar.signed(previous).get(name)?;
    let mut out = CookieJar::new();
    out.signed_mut(current)
        .add(Cookie::new(name.to_owned(), plain.value().to_owned()));
    out.get(name).map(|c| {
        c.encoded()
            .to_string()
            .trim_start_matches(&format!("{name}="))
            .to_owned()
    })
}

pub async fn accept_previous_secret(
    State(ctx): State<AppContext>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(previous) = ctx.config.session_secret_previous.as_deref() else {
        return next.run(request).await;
    };
    let current = key_from_secret(&ctx.config.session_secret);
    let previous = key_from_secret(previous);
    let Some(cookie_header) = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
    else {
        return next.run(request).await;
    };
    let session_cookie = ctx.config.session_cookie_name();
    let mut changed = false;
    let rewritten: Vec<String> = cookie_header
        .split(';')
        .map(|pair| {
            let pair = pair.trim();
            match pair.split_once('=') {
                Some((name, value)) if name == session_cookie => {
                    match resign(session_cookie, value, &current, &previous) {
                        Some(resigned) => {
                            changed = true;
                            format!("{session_cookie}={resigned}")
                        }
                        None => pair.to_owned(),
                    }
                }
                _ => pair.to_owned(),
            }
        })
        .collect();
    if changed {
        if let Ok(value) = HeaderValue::from_str(&rewritten.join("; ")) {
            request.headers_mut().insert(header::COOKIE, value);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SESSION_COOKIE;

    fn signed(key: &Key, value: &str) -> String {
        let mut jar = CookieJar::new();
        jar.signed_mut(key)
            .add(Cookie::new(SESSION_COOKIE, value.to_owned()));
        let encoded = jar.get(SESSION_COOKIE).unwrap().encoded().to_string();
        encoded
            .trim_start_matches(&format!("{SESSION_COOKIE}="))
            .to_owned()
    }

    #[test]
    fn cookies_of_the_previous_secret_are_resigned() {
        let old = key_from_secret(&"o".repeat(64));
        let new = key_from_secret(&"n".repeat(64));
        let cookie = signed(&old, "session-id");
        let resigned = resign(SESSION_COOKIE, &cookie, &new, &old).expect("resigned");
        assert_eq!(resigned, signed(&new, "session-id"));
        assert_eq!(
            resign(SESSION_COOKIE, &resigned, &new, &old),
            None,
            "already current"
        );
        let stranger = key_from_secret(&"s".repeat(64));
        assert_eq!(
            resign(SESSION_COOKIE, &signed(&stranger, "x"), &new, &old),
            None,
            "forged"
        );
    }
}
