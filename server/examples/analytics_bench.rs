//! Audience analytics at scale (issue 30's figures):
//!   1. viewing reports ingested per second over HTTP (signed-in viewers, N in flight), with
//!      their p50/p99 latency;
//!   2. a rollup pass over one day of R raw reports;
//!   3. the analytics page's data (the overview and an item's report) with those R raw
//!      reports and two years of daily rollups for 50 items;
//!   4. how much the raw tables grow per 1,000 viewer hours (one report per 15 s).
//!
//! cargo run --release -p server --example analytics_bench -- [V viewers=400] [N in flight=32] [R raw=1000000]
//! Uses (and recreates) the database `codex_bench_analytics` on DATABASE_URL's server.

use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use server::bench::{arg, percentile};
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

const GOAL_REPORTS_PER_SECOND: f64 = 1000.0;
const GOAL_PASS_SECONDS: f64 = 30.0;
const GOAL_PAGE_MS: f64 = 200.0;
const PASSWORD: &str = "bench-password-123";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let viewers = arg(1, 400);
    let concurrency = arg(2, 32);
    let raw = arg(3, 1_000_000) as i64;
    let admin_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into());
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await?;
    let pool = server::database::fresh(&admin_url, "codex_bench_analytics").await?;

    // The owner, 50 free ten-minute items, and the viewers (one password hash for all).
    let hash = backend::auth::password::hash_password(PASSWORD.into()).await?;
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, email_verified_at)
         VALUES ($1, 'owner@bench.test', 'Owner', $2, 'owner', now())",
    )
    .bind(Uuid::new_v4())
    .bind(&hash)
    .execute(&pool)
    .await?;
    sqlx::query(
        "WITH m AS (
             INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status, duration_seconds)
             SELECT gen_random_uuid(), u.id, 'video', 'clip.mp4', 'video/mp4', 1000, 'ready', 600.0
             FROM users u, generate_series(1, 50) RETURNING id, owner_id)
         INSERT INTO content (id, owner_id, slug, title, price_cents, status, published_at, media_id)
         SELECT gen_random_uuid(), owner_id, 'item-' || row_number() OVER (), 'Item ' || row_number() OVER (),
                0, 'published', now(), id FROM m",
    )
    .execute(&pool)
    .await?;
    let item: Uuid = sqlx::query_scalar("SELECT id FROM content WHERE slug = 'item-1'")
        .fetch_one(&pool)
        .await?;
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, email_verified_at)
         SELECT gen_random_uuid(), 'v' || n || '@bench.test', 'Viewer', $1, 'customer', now()
         FROM generate_series(1, $2) n",
    )
    .bind(&hash)
    .bind(viewers as i32)
    .execute(&pool)
    .await?;

    let media = tempfile::tempdir()?;
    let (base, state) = server::bench::serve(pool.clone(), media.path()).await?;

    // Each viewer signs in (from an address of their own) and takes the free item.
    let clients: Vec<reqwest::Client> = stream::iter(1..=viewers)
        .map(|n| {
            let base = base.clone();
            async move {
                let ip = format!("10.9.{}.{}", n / 250, n % 250 + 1);
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert("x-forwarded-for", ip.parse().unwrap());
                let client = reqwest::Client::builder()
                    .cookie_store(true)
                    .default_headers(headers)
                    .build()
                    .unwrap();
                let email = format!("v{n}@bench.test");
                let login = client
                    .post(format!("{base}/api/login"))
                    .form(&[("email", email.as_str()), ("password", PASSWORD)])
                    .send()
                    .await
                    .unwrap();
                assert!(login.status().is_success(), "login: {}", login.status());
                let access = client
                    .post(format!("{base}/api/get_free_access"))
                    .form(&[("content_id", item.to_string())])
                    .send()
                    .await
                    .unwrap();
                assert!(access.status().is_success(), "access: {}", access.status());
                client
            }
        })
        .buffer_unordered(2)
        .collect()
        .await;

    // 1. Every viewer sends 25 reports of one session (as 6 minutes of play would).
    let reports: Vec<(usize, String)> = clients
        .iter()
        .enumerate()
        .flat_map(|(v, _)| {
            let session = Uuid::new_v4();
            (1..=25).map(move |k| {
                let body = serde_json::json!({
                    "session": session, "content_id": item, "watched": [[0.0, 15.0 * k as f64]],
                    "startup_ms": 700, "stall_ms": 0, "stalls": 0, "switches": 1,
                    "failed": false, "exited_before_start": false
                });
                (v, body.to_string())
            })
        })
        .collect();
    let total = reports.len();
    let endpoint = format!("{base}{}", domain::paths::VIEWING_BEACON);
    let started = Instant::now();
    let results: Vec<(bool, f64)> = stream::iter(reports)
        .map(|(v, body)| {
            let client = clients[v].clone();
            let endpoint = endpoint.clone();
            async move {
                let sent = Instant::now();
                let response = client.post(&endpoint).body(body).send().await;
                let ok = matches!(response, Ok(r) if r.status() == reqwest::StatusCode::NO_CONTENT);
                (ok, sent.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = started.elapsed().as_secs_f64();
    let failures = results.iter().filter(|(ok, _)| !ok).count();
    let mut latencies: Vec<f64> = results.iter().map(|(_, ms)| *ms).collect();
    latencies.sort_by(f64::total_cmp);
    let rate = total as f64 / wall;
    println!(
        "viewing reports: {total} from {viewers} viewers, {concurrency} in flight: {wall:.2} s, {rate:.0} reports/s \
         (goal {GOAL_REPORTS_PER_SECOND}: {}), p50 {:.1} ms, p99 {:.1} ms, {failures} refused",
        if rate >= GOAL_REPORTS_PER_SECOND { "met" } else { "NOT met" },
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
    );

    // 2. One day of raw reports: sessions of 40 reports each over the 50 items.
    let sessions = (raw / 40).max(1);
    let seeded = Instant::now();
    sqlx::query(
        "INSERT INTO viewing_sessions (id, user_id, content_id, day)
         SELECT md5('s' || n)::uuid, (SELECT id FROM users WHERE role = 'customer' ORDER BY email LIMIT 1 OFFSET n % $2),
                (SELECT id FROM content ORDER BY slug LIMIT 1 OFFSET n % 50), (now() AT TIME ZONE 'Europe/Paris')::date
         FROM generate_series(1, $1) n",
    )
    .bind(sessions)
    .bind(viewers as i64)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO viewing_beacons (session_id, watched, startup_ms, stall_ms, stalls, switches, failed, exited_before_start)
         SELECT s.id, ARRAY[0, 15 * k], 600 + (k * 37) % 900, k * 10, k / 10, 1, false, false
         FROM viewing_sessions s, generate_series(1, 40) k",
    )
    .execute(&pool)
    .await?;
    sqlx::query("UPDATE site_settings SET timezone = 'Europe/Paris'")
        .execute(&pool)
        .await?;
    let beacons: i64 = sqlx::query_scalar("SELECT count(*) FROM viewing_beacons")
        .fetch_one(&pool)
        .await?;
    println!(
        "seeded {beacons} raw reports in {sessions} sessions in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let pass = Instant::now();
    backend::analytics::rollup::pass(&state).await?;
    let pass_seconds = pass.elapsed().as_secs_f64();
    println!(
        "rollup pass over a day of {beacons} raw reports (and yesterday): {pass_seconds:.2} s (goal {GOAL_PASS_SECONDS} s: {})",
        if pass_seconds <= GOAL_PASS_SECONDS { "met" } else { "NOT met" }
    );

    // 3. Two years of rollups for the 50 items, then the page's data, timed.
    sqlx::query(
        "INSERT INTO analytics_item_days (content_id, day, sessions, views, viewers, watch_seconds, watched_permille,
             completions, stall_ms, stalls, switches, failures, exits_before_start, startup_histogram, retention,
             page_views, visitors)
         SELECT c.id, d::date, 30, 25, 20, 9000, 12000, 5, 3000, 4, 2, 0, 1,
                array_fill(1, ARRAY[17]), array_fill(20, ARRAY[100]), 80, 60
         FROM content c, generate_series(current_date - 730, current_date - 2, interval '1 day') d
         ON CONFLICT DO NOTHING",
    )
    .execute(&pool)
    .await?;
    let owner_client = reqwest::Client::builder().cookie_store(true).build()?;
    owner_client
        .post(format!("{base}/api/login"))
        .form(&[("email", "owner@bench.test"), ("password", PASSWORD)])
        .send()
        .await?
        .error_for_status()?;
    let mut timings = Vec::new();
    for (name, path, form) in [
        (
            "overview, 30 days",
            "/api/load_analytics",
            vec![("range", "30".to_string())],
        ),
        (
            "overview, 90 days",
            "/api/load_analytics",
            vec![("range", "90".to_string())],
        ),
        (
            "overview, two years",
            "/api/load_analytics",
            vec![
                ("range", "custom".to_string()),
                (
                    "from",
                    (time::OffsetDateTime::now_utc().date() - time::Duration::days(729))
                        .to_string(),
                ),
                ("to", time::OffsetDateTime::now_utc().date().to_string()),
            ],
        ),
        (
            "an item, 90 days",
            "/api/load_item_analytics",
            vec![("id", item.to_string()), ("range", "90".to_string())],
        ),
    ] {
        let mut runs = Vec::new();
        for _ in 0..5 {
            let at = Instant::now();
            owner_client
                .post(format!("{base}{path}"))
                .form(&form)
                .send()
                .await?
                .error_for_status()?;
            runs.push(at.elapsed().as_secs_f64() * 1000.0);
        }
        runs.sort_by(f64::total_cmp);
        timings.push((name, runs[2]));
    }
    for (name, ms) in &timings {
        println!(
            "analytics data, {name} (median of 5, {beacons} raw reports, 2 years of rollups for 50 items): {ms:.1} ms (goal {GOAL_PAGE_MS} ms: {})",
            if *ms <= GOAL_PAGE_MS { "met" } else { "NOT met" }
        );
    }

    // 4. Raw growth per 1,000 viewer hours (240 reports per viewer hour).
    let bytes: i64 = sqlx::query_scalar(
        "SELECT pg_total_relation_size('viewing_beacons') + pg_total_relation_size('viewing_sessions')",
    )
    .fetch_one(&pool)
    .await?;
    let hours = beacons as f64 / 240.0;
    println!(
        "raw tables: {:.1} MB for {beacons} reports ({hours:.0} viewer hours): {:.1} MB per 1,000 viewer hours",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / hours * 1000.0
    );
    drop(pool);
    tokio::time::sleep(Duration::from_millis(100)).await;
    sqlx::query("DROP DATABASE IF EXISTS codex_bench_analytics WITH (FORCE)")
        .execute(&admin)
        .await?;
    anyhow::ensure!(failures == 0, "some viewing reports were refused");
    Ok(())
}
