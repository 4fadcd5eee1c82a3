//! A local stand-in for the part of Stripe that Codex uses, so tests and the offline demo
//! run without a Stripe account or a network:
//!
//! - `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`,
//!   `POST /v1/checkout/sessions/{id}/expire` and `POST /v1/refunds`, answering with JSON in
//!   Stripe's shapes (async-stripe parses it unchanged) and honouring `Idempotency-Key`;
//!   `automatic_tax[enabled]` adds a 10 % tax;
//! - the lists reconciliation reads: `GET /v1/events`, `GET /v1/checkout/sessions`;
//! - disputes: `GET /v1/disputes`, and `POST /v1/disputes/{id}` with Stripe's test evidence
//!   (`winning_evidence`, `losing_evidence`) to close one;
//! - a hosted checkout page at `/pay/{id}` where test card 4242 4242 4242 4242 pays,
//!   4000 0000 0000 0002 is declined (the customer can retry or cancel) and
//!   4000 0000 0000 0259 pays and is then disputed;
//! - subscriptions (`subscriptions`): subscription-mode Checkout, `GET`/`POST
//!   /v1/subscriptions/{id}`, the customer portal (`POST /v1/billing_portal/sessions`, a page
//!   at `/portal/{id}` to cancel at period end or take that back) and test helpers that renew,
//!   fail a renewal, end a subscription, switch its price or dispute its latest payment; each
//!   paid invoice has its charge (refundable with `POST /v1/refunds`) and its invoice payment;
//! - webhook events posted to the app, signed as Stripe signs them, retried with backoff
//!   while the app answers anything but 2xx.
//!
//! State lives in memory: a restart forgets every session.

mod api;
mod checkout_page;
mod objects;
mod portal_page;
mod subscriptions;
mod webhooks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

pub use webhooks::sign;

/// How the stand-in reaches the app.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where events are posted, e.g. `http://127.0.0.1:3000/webhooks/stripe`.
    pub webhook_url: String,
    /// The endpoint secret events are signed with (`whsec_...`).
    pub webhook_secret: String,
    /// The pauses between delivery attempts; one attempt more than there are pauses.
    pub retry_delays: Vec<Duration>,
}

impl Config {
    /// Stripe retries for days with exponential backoff; the stand-in keeps the shape and
    /// shortens the clock: 1 s, 2 s, 4 s, ... 64 s.
    pub fn default_retry_delays() -> Vec<Duration> {
        (0..7).map(|n| Duration::from_secs(1 << n)).collect()
    }
}

/// A running stand-in.
#[derive(Debug, Clone)]
pub struct Standin {
    /// The API base for the Stripe client, e.g. `http://127.0.0.1:12111/`.
    pub base_url: String,
}

#[derive(Default)]
struct Store {
    sessions: HashMap<String, objects::Session>,
    /// Session ids in the order they were made (lists are newest first).
    session_order: Vec<String>,
    disputes: HashMap<String, objects::Dispute>,
    /// Every event sent, oldest first.
    events: Vec<serde_json::Value>,
    subscriptions: HashMap<String, objects::Subscription>,
    portal_sessions: HashMap<String, objects::PortalSession>,
    /// The payments of paid invoices, by payment intent.
    invoice_payments: HashMap<String, objects::InvoicePayment>,
    /// Refunded amount per payment intent.
    refunded: HashMap<String, i64>,
    /// Responses already given, by idempotency key.
    idempotent: HashMap<String, (u16, serde_json::Value)>,
}

#[derive(Clone)]
struct Shared {
    config: Arc<Config>,
    base_url: Arc<str>,
    store: Arc<Mutex<Store>>,
    http: reqwest::Client,
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/v1/checkout/sessions", post(api::create_session))
        .route("/v1/checkout/sessions/{id}", get(api::retrieve_session))
        .route(
            "/v1/checkout/sessions/{id}/expire",
            post(api::expire_session),
        )
        .route("/v1/refunds", post(api::create_refund))
        .route("/v1/events", get(api::list_events))
        .route("/v1/checkout/sessions", get(api::list_sessions))
        .route("/v1/disputes", get(api::list_disputes))
        .route("/v1/disputes/{id}", post(api::update_dispute))
        .route(
            "/pay/{id}",
            get(checkout_page::show).post(checkout_page::pay),
        )
        .route("/pay/{id}/cancel", post(checkout_page::cancel))
        .route(
            "/v1/subscriptions/{id}",
            get(subscriptions::retrieve).post(subscriptions::update),
        )
        .route(
            "/v1/billing_portal/sessions",
            post(subscriptions::create_portal_session),
        )
        .route(
            "/v1/test_helpers/subscriptions/{id}/{action}",
            post(subscriptions::test_helper),
        )
        .route("/portal/{id}", get(portal_page::show))
        .route(
            "/portal/{id}/{subscription}/{action}",
            post(portal_page::change),
        )
        .with_state(shared)
}

/// Serves the stand-in on `listener` in a background task (inside a Tokio runtime).
pub fn spawn(listener: std::net::TcpListener, config: Config) -> std::io::Result<Standin> {
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let base_url = format!("http://{addr}/");
    let shared = Shared {
        config: Arc::new(config),
        base_url: base_url.trim_end_matches('/').into(),
        store: Arc::default(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(std::io::Error::other)?,
    };
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router(shared)).await {
            tracing::error!(%error, "the Stripe stand-in stopped");
        }
    });
    Ok(Standin { base_url })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A Stripe-looking id: `prefix_` and 24 random letters and digits.
fn new_id(prefix: &str) -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    let suffix: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("{prefix}_{suffix}")
}
