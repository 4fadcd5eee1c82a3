//! Cross-origin refusal, client IPs and rate limits.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, spawn_app_with, PASSWORD};
use reqwest::header::{HeaderMap, HeaderValue, ORIGIN};
use reqwest::StatusCode;
use sqlx::PgPool;

fn origin(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ORIGIN, HeaderValue::from_str(value).unwrap());
    headers
}

const REGISTRATION: [(&str, &str); 4] = [
    ("name", "Ada"),
    ("email", "ada@example.com"),
    ("password", PASSWORD),
    ("confirm_password", PASSWORD),
];

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_foreign_origin_is_refused_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let response = browser
        .call_with(
            fns::Register::PATH,
            &REGISTRATION,
            origin("https://evil.example"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM email_outbox").await, 0);

    let response = browser
        .call_with(fns::Register::PATH, &REGISTRATION, origin(&app.base))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 1);

    // A signed-in user's session cannot be used from another site either.
    let response = browser
        .call_with(fns::Logout::PATH, &[], origin("http://127.0.0.1:1"))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_sixth_login_from_one_ip_in_15_minutes_is_limited(pool: PgPool) {
    let app = spawn_app(pool).await;
    let attacker = app.browser();
    for attempt in 1..=5 {
        let response = attacker.login("ada@example.com", "Wrong1234").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
        assert_eq!(response.headers()["x-ratelimit-limit"], "5");
        assert_eq!(
            response.headers()["x-ratelimit-remaining"],
            (5 - attempt).to_string().as_str()
        );
    }
    let response = attacker.login("ada@example.com", "Wrong1234").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let headers = response.headers().clone();
    let retry_after: i64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(headers["x-ratelimit-limit"], "5");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    let reset: i64 = headers["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(reset > now && reset <= now + 900, "{reset} vs {now}");
    let (_, error) = error_of(response).await;
    assert_eq!(error, serde_json::json!("RateLimited"));

    // Another client IP is unaffected.
    let other = app.browser();
    assert_eq!(
        other.login("ada@example.com", "Wrong1234").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn registration_and_password_reset_requests_are_limited_per_hour(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    for n in 0..3 {
        let email = format!("user{n}@example.com");
        let response = browser
            .call(
                fns::Register::PATH,
                &[
                    ("name", "U"),
                    ("email", &email),
                    ("password", PASSWORD),
                    ("confirm_password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = browser.register("U", "user4@example.com").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 3);

    for _ in 0..3 {
        browser
            .call(fns::ForgotPassword::PATH, &[("email", "user0@example.com")])
            .await;
    }
    let response = browser
        .call(fns::ForgotPassword::PATH, &[("email", "user0@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.count("SELECT count(*) FROM email_outbox WHERE kind = 'password_reset'")
            .await,
        3
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn forwarded_for_is_ignored_from_an_untrusted_peer(pool: PgPool) {
    // No trusted proxies: every request comes from the socket's address, whatever
    // X-Forwarded-For says, so rotating that header does not escape the limit.
    let app = spawn_app_with(pool, &[("TRUSTED_PROXIES", "192.0.2.1")]).await;
    for _ in 0..5 {
        app.browser().login("ada@example.com", "Wrong1234").await;
    }
    let response = app.browser().login("ada@example.com", "Wrong1234").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn limits_are_shared_by_app_servers_on_one_database(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    let second = spawn_app(pool).await;
    let client_on_first = first.browser();
    for _ in 0..5 {
        client_on_first.login("ada@example.com", "Wrong1234").await;
    }
    // The same client IP, through the other server.
    let client_on_second = second.browser();
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_str(&client_on_first.ip).unwrap(),
    );
    let response = reqwest::Client::new()
        .post(second.url(fns::Login::PATH))
        .headers(headers)
        .form(&[("email", "ada@example.com"), ("password", "Wrong1234")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        client_on_second
            .login("ada@example.com", "Wrong1234")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn rotating_the_session_secret_keeps_sessions_while_the_previous_one_is_accepted(
    pool: PgPool,
) {
    let old = "o".repeat(64);
    let new = "n".repeat(64);
    let before = spawn_app_with(pool.clone(), &[("SESSION_SECRET", &old)]).await;
    let browser = before.browser();
    browser.register("Ada", "ada@example.com").await;
    let cookie = browser.cookie().unwrap();

    let rotating = spawn_app_with(
        pool.clone(),
        &[("SESSION_SECRET", &new), ("SESSION_SECRET_PREVIOUS", &old)],
    )
    .await;
    let client = rotating.browser();
    client.set_cookie(Some(cookie.clone()));
    assert_eq!(client.whoami().await.as_deref(), Some("ada@example.com"));

    let after = spawn_app_with(pool, &[("SESSION_SECRET", &new)]).await;
    let client = after.browser();
    client.set_cookie(Some(cookie));
    assert_eq!(
        client.whoami().await,
        None,
        "without the previous secret the old cookie is refused"
    );
}
