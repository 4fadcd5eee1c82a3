//! Outbound events to the owner's endpoints: received by a real HTTP server here, signed
//! with the secret shown once, retried after a 500, never sent twice, resent on request.

use crate::common::fns::{self, ServerFn as _};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use backend::outbound::delivery::DeliverWebhook;
use backend::stripe::signature;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::common::{error_of, spawn_app, spawn_app_with, TestApp};
use crate::payments::{bought, shop};

/// What the receiver saw: (event id, type, whether the signature verified with `secret`,
/// whether it answered 200).
#[derive(Default)]
struct Received {
    secret: String,
    /// Answer 500 to this many requests first.
    fail_first: usize,
    seen: Vec<(String, String, bool, bool)>,
}

async fn receiver(state: Arc<Mutex<Received>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                let mut state = state.lock().unwrap();
                let header = headers
                    .get("codex-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                let verified =
                    signature::verify(header, &body, &[state.secret.as_str()], now).is_ok();
                let event: Value = serde_json::from_slice(&body).unwrap();
                let fail = state.fail_first > 0;
                state.fail_first = state.fail_first.saturating_sub(1);
                state.seen.push((
                    event["id"].as_str().unwrap().to_string(),
                    event["type"].as_str().unwrap().to_string(),
                    verified,
                    !fail,
                ));
                if fail {
                    AxumStatus::INTERNAL_SERVER_ERROR
                } else {
                    AxumStatus::OK
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Runs the due deliveries as a worker would; how many were delivered.
async fn deliver(app: &TestApp) -> i64 {
    let delivered = "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'";
    let before = app.count(delivered).await;
    while app.run_job::<DeliverWebhook>().await {}
    app.count(delivered).await - before
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn sales_and_refunds_reach_the_owners_endpoint_signed_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    let received = Arc::new(Mutex::new(Received {
        fail_first: 1,
        ..Received::default()
    }));
    let url = receiver(received.clone()).await;

    let refused = owner
        .call(
            fns::AddWebhookEndpoint::PATH,
            &[("url", "http://tools.example.com/hook")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let added: Value = owner
        .call(fns::AddWebhookEndpoint::PATH, &[("url", &url)])
        .await
        .json()
        .await
        .unwrap();
    let secret = added["secret"].as_str().unwrap().to_string();
    received.lock().unwrap().secret = secret.clone();
    // The secret is derived, never stored, and never listed again.
    let stored: String =
        sqlx::query_scalar("SELECT string_agg(row_to_json(e)::text, '') FROM webhook_endpoints e")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!stored.contains(&secret));
    let listed = owner
        .call(fns::ListWebhookEndpoints::PATH, &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !listed.contains(&secret) && listed.contains(&url),
        "{listed}"
    );
    // Customers cannot see or add endpoints.
    assert_eq!(
        customer
            .call(fns::ListWebhookEndpoints::PATH, &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let purchase = bought(&app, &customer, &content).await;
    // The first attempt meets a 500; the other event of the sale goes through.
    assert_eq!(deliver(&app).await, 1);
    let pending = "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'";
    assert_eq!(app.count(pending).await, 1);
    // Nothing is due before its backoff ends.
    assert_eq!(deliver(&app).await, 0);
    // The clock is moved in the database, not slept through.
    sqlx::query(
        "UPDATE jobs SET run_at = now() WHERE kind = 'deliver_webhook' AND status = 'queued'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(deliver(&app).await, 0);
    {
        let seen = &received.lock().unwrap().seen;
        assert_eq!(
            seen.len(),
            3,
            "{:?}",
            seen.iter().map(|s| &s.1).collect::<Vec<_>>()
        );
        assert!(seen.iter().all(|(_, _, verified, _)| *verified));
        // Each event received once with a 200: the retry was of the one that got a 500.
        let mut ok: Vec<&str> = seen.iter().filter(|s| s.3).map(|s| s.0.as_str()).collect();
        ok.sort();
        ok.dedup();
        assert_eq!(ok.len(), 2);
        let mut types: Vec<&str> = seen.iter().map(|s| s.1.as_str()).collect();
        types.sort();
        types.dedup();
        assert_eq!(types, ["access_granted", "sale"]);
    }

    let refund = owner
        .call(
            fns::RefundPurchase::PATH,
            &[("purchase_id", &purchase), ("reason", "Asked for it")],
        )
        .await;
    assert_eq!(refund.status(), StatusCode::OK);
    // Stripe's own charge.refunded follows and changes nothing more.
    app.wait_for_count(
        "SELECT count(*) FROM stripe_events WHERE type = 'charge.refunded'",
        1,
    )
    .await;
    assert_eq!(deliver(&app).await, 2);
    let types: Vec<String> = received.lock().unwrap().seen[3..]
        .iter()
        .map(|s| s.1.clone())
        .collect();
    assert!(types.contains(&"refund".to_string()), "{types:?}");
    assert!(types.contains(&"access_revoked".to_string()), "{types:?}");

    // Resend: the same event, again, on the owner's request.
    let log: Value = owner
        .call(fns::WebhookDeliveries::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    let sale = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["event_type"] == "sale")
        .unwrap()
        .clone();
    assert_eq!(sale["status"], "delivered");
    let sold: String = sqlx::query_scalar(
        "SELECT payload FROM webhook_deliveries WHERE event_type = 'sale' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let sold: Value = serde_json::from_str(&sold).unwrap();
    assert_eq!(sold["data"]["offer"], "buy", "{sold}");
    assert_eq!(sold["data"]["discount_code"], Value::Null);
    let resend = owner
        .call(
            fns::ResendWebhookDelivery::PATH,
            &[("id", sale["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(resend.status(), StatusCode::OK);
    assert_eq!(deliver(&app).await, 1);
    let sales_received = received
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.0 == sale["event_id"].as_str().unwrap() && s.3)
        .count();
    assert_eq!(sales_received, 2, "once, then once more on Resend");

    // A rolled secret signs what follows; the old one no longer verifies it.
    let endpoint = added["endpoint_id"].as_str().unwrap();
    let rolled: Value = owner
        .call(fns::RollWebhookSecret::PATH, &[("id", endpoint)])
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(rolled["secret"], added["secret"]);
    owner
        .call(
            fns::ResendWebhookDelivery::PATH,
            &[("id", sale["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(deliver(&app).await, 1);
    let last = received.lock().unwrap().seen.last().cloned().unwrap();
    assert!(!last.2, "signed with the new secret, not the old one");
}

/// With internal targets not allowed (production's default), an endpoint on a private
/// network, the cloud's metadata address, an IPv4 address written as IPv6 or a name that
/// resolves to this machine is refused when saved, and one saved before is not delivered to.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn endpoints_on_internal_addresses_are_refused(pool: PgPool) {
    let app = spawn_app_with(pool, &[("OUTBOUND_WEBHOOKS_ALLOW_PRIVATE", "false")]).await;
    let (owner, customer, content) = shop(&app).await;
    let received = Arc::new(Mutex::new(Received::default()));
    let url = receiver(received.clone()).await;
    let by_name = url.replace("127.0.0.1", "localhost");
    for internal in [
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/hook",
        url.as_str(),
        by_name.as_str(),
    ] {
        let (status, error) = error_of(
            owner
                .call(fns::AddWebhookEndpoint::PATH, &[("url", internal)])
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{internal}: {error}");
    }
    assert_eq!(app.count("SELECT count(*) FROM webhook_endpoints").await, 0);

    // Endpoints saved earlier (or by a name that has moved since) are not reached.
    for target in [&url, &by_name] {
        sqlx::query("INSERT INTO webhook_endpoints (id, url) VALUES (gen_random_uuid(), $1)")
            .bind(target)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    bought(&app, &customer, &content).await;
    assert_eq!(deliver(&app).await, 0);
    assert!(received.lock().unwrap().seen.is_empty());
    let refused: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT last_error FROM webhook_deliveries ORDER BY 1")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        refused,
        ["could not connect", "refused: an internal address"]
    );
}
