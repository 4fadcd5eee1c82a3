//! Webhook throughput: M pending purchases, each fulfilled by a signed
//! `checkout.session.completed` event, every event delivered D times, N deliveries in flight
//! at once. Prints signed events per second and checks that exactly M purchases, M access
//! rows and M receipts came of it.
//!
//! cargo run --release -p server --example webhook_bench -- [M events] [N concurrent] [D copies]
//! Uses (and recreates) the database `codex_bench_webhooks` on DATABASE_URL's server.

use std::sync::Arc;
use std::time::Instant;

use futures::stream::{self, StreamExt};
use server::bench::arg;
use server::config::STANDIN_WEBHOOK_SECRET;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

const PRICE_CENTS: i32 = 1299;
/// Issue 29's goal: signed events fulfilled per second, exactly once.
const GOAL_EVENTS_PER_SECOND: f64 = 1000.0;

fn completed_event(event: &str, session: &str, purchase: Uuid) -> String {
    serde_json::json!({
        "id": event, "object": "event", "api_version": "2026-09-30.endive", "created": 1_700_000_000,
        "livemode": false, "pending_webhooks": 1, "request": { "id": null, "idempotency_key": null },
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": session, "object": "checkout.session", "amount_subtotal": PRICE_CENTS,
            "amount_total": PRICE_CENTS,
            "automatic_tax": { "enabled": false, "liability": null, "status": null },
            "created": 1_700_000_000, "currency": "usd", "custom_fields": [],
            "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
            "expires_at": 1_700_086_400, "livemode": false,
            "metadata": { "purchase_id": purchase.to_string() }, "mode": "payment",
            "payment_intent": format!("pi_{session}"), "payment_method_types": ["card"],
            "payment_status": "paid", "shipping_options": [], "status": "complete", "url": null
        }}
    })
    .to_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let events = arg(1, 2000);
    let concurrency = arg(2, 32);
    let copies = arg(3, 2);
    let admin_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into());
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await?;
    let pool = server::database::fresh(&admin_url, "codex_bench_webhooks").await?;

    // An owner, one $12.99 item, and one pending purchase (with its session) per event.
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, 'owner@bench.test', 'Owner', 'x', 'owner')",
    )
    .bind(Uuid::new_v4())
    .execute(&pool)
    .await?;
    let content = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO content (id, owner_id, slug, title, price_cents, status, published_at)
         SELECT $1, id, 'bench-film', 'Bench film', $2, 'published', now() FROM users",
    )
    .bind(content)
    .bind(PRICE_CENTS)
    .execute(&pool)
    .await?;
    let mut payloads = Vec::with_capacity(events);
    for n in 0..events {
        let (user, purchase) = (Uuid::new_v4(), Uuid::new_v4());
        let session = format!("cs_bench_{n}");
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, role, email_verified_at)
             VALUES ($1, $2, 'Customer', 'x', 'customer', now())",
        )
        .bind(user)
        .bind(format!("c{n}@bench.test"))
        .execute(&pool)
        .await?;
        sqlx::query(
            "INSERT INTO purchases (id, user_id, content_id, kind, status, amount_cents, stripe_session_id)
             VALUES ($1, $2, $3, 'checkout', 'pending', $4, $5)",
        )
        .bind(purchase)
        .bind(user)
        .bind(content)
        .bind(PRICE_CENTS)
        .bind(&session)
        .execute(&pool)
        .await?;
        payloads.push(completed_event(
            &format!("evt_bench_{n}"),
            &session,
            purchase,
        ));
    }

    let media = tempfile::tempdir()?;
    let (base, _) = server::bench::serve(pool.clone(), media.path()).await?;

    // Every event `copies` times, shuffled by interleaving, signed at send time.
    let deliveries: Vec<Arc<String>> = payloads.into_iter().map(Arc::new).collect();
    let jobs: Vec<Arc<String>> = (0..copies)
        .flat_map(|_| deliveries.iter().cloned())
        .collect();
    let http = reqwest::Client::new();
    let endpoint = format!("{base}/webhooks/stripe");
    let started = Instant::now();
    let failures = stream::iter(jobs)
        .map(|payload| {
            let http = http.clone();
            let endpoint = endpoint.clone();
            async move {
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                let signature = stripe_standin::sign(&payload, STANDIN_WEBHOOK_SECRET, now);
                let response = http
                    .post(&endpoint)
                    .header("content-type", "application/json")
                    .header("stripe-signature", signature)
                    .body(payload.to_string())
                    .send()
                    .await;
                !matches!(response, Ok(r) if r.status().is_success())
            }
        })
        .buffer_unordered(concurrency)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let wall = started.elapsed().as_secs_f64();

    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await }
    };
    let completed = count("SELECT count(*) FROM purchases WHERE status = 'completed'").await?;
    let access = count("SELECT count(*) FROM access WHERE revoked_at IS NULL").await?;
    let receipts =
        count("SELECT count(*) FROM email_outbox WHERE kind = 'purchase_receipt'").await?;
    let total = events * copies;
    println!(
        "webhooks: {events} distinct events x {copies} deliveries = {total} signed POSTs, {concurrency} in flight: \
         {wall:.2} s, {:.0} deliveries/s, {:.0} events fulfilled/s (goal {GOAL_EVENTS_PER_SECOND}: {}), {failures} non-2xx",
        total as f64 / wall,
        completed as f64 / wall,
        if completed as f64 / wall >= GOAL_EVENTS_PER_SECOND { "met" } else { "NOT met" }
    );
    let exact = completed == events as i64 && access == events as i64 && receipts == events as i64;
    println!(
        "exactly-once check: {completed} purchases completed, {access} access rows, {receipts} receipts (expected {events} each): {}",
        if exact { "OK" } else { "MISMATCH" }
    );
    drop(pool);
    sqlx::query("DROP DATABASE IF EXISTS codex_bench_webhooks WITH (FORCE)")
        .execute(&admin)
        .await?;
    anyhow::ensure!(exact && failures == 0, "webhook benchmark found a mismatch");
    Ok(())
}
