//! Health, readiness, metrics and the headers every response carries.

use crate::common::{spawn_app, PASSWORD};
use reqwest::StatusCode;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

const SECURITY_HEADERS: [&str; 4] = [
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
];

fn assert_security_headers(response: &reqwest::Response) {
    let headers = response.headers();
    for name in SECURITY_HEADERS {
        assert!(
            headers.contains_key(name),
            "{name} missing on {}",
            response.url()
        );
    }
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        !headers.contains_key("strict-transport-security"),
        "no HSTS outside production"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn health_has_exactly_five_keys_and_no_secret(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = reqwest::get(app.url("/health")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_security_headers(&response);
    let body: serde_json::Value = response.json().await.unwrap();
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["environment", "service", "status", "timestamp", "version"]
    );
    assert_eq!(body["status"], "ok");
    assert_eq!(body["environment"], "test");
    let text = body.to_string();
    assert!(
        !text.contains("postgres") && !text.contains("secret"),
        "{text}"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn ready_reports_the_database(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = reqwest::get(app.url("/ready")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// An app whose database is unreachable (nothing listens on that port).
async fn app_without_database() -> crate::common::TestApp {
    let pool = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://codex:hunter2@127.0.0.1:1/codex")
        .unwrap();
    spawn_app(pool).await
}

#[tokio::test]
async fn ready_turns_503_without_the_database_and_tells_no_secret() {
    let app = app_without_database().await;
    let response = reqwest::get(app.url("/ready")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_security_headers(&response);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(body["reason"].is_string());
    let text = body.to_string();
    assert!(
        !text.contains("hunter2") && !text.contains("127.0.0.1"),
        "{text}"
    );
}

#[tokio::test]
async fn internal_errors_are_generic_and_still_carry_the_headers() {
    let app = app_without_database().await;
    let response = app.browser().login("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_security_headers(&response);
    let body = response.text().await.unwrap();
    assert_eq!(body, "\"Internal\"");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn not_found_pages_carry_the_headers(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app.browser().get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_security_headers(&response);
    assert!(response.text().await.unwrap().contains("Page not found"));

    let response = app.browser().call("/api/no_such_function", &[]).await;
    assert!(response.status().is_client_error());
    assert_security_headers(&response);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn responses_carry_a_request_id(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = reqwest::get(app.url("/health")).await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn pages_carry_a_csp_nonce_on_their_scripts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app.browser().get("/login").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the header's nonce"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn metrics_count_requests_by_route(pool: PgPool) {
    let app = spawn_app(pool).await;
    reqwest::get(app.url("/health")).await.unwrap();
    app.browser().login("nobody@example.com", PASSWORD).await;
    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"codex_http_requests_total{method="GET",route="/health",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/login",status="401""#),
        "{text}"
    );
    assert!(
        text.contains("codex_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("codex_db_pool_connections"), "{text}");
}
