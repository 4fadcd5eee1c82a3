//! A private podcast feed of E episodes (issue 32's figure: 200 episodes answer in under
//! 50 ms): latency of the feed fetched one at a time, then requests per second with N in
//! flight, over real HTTP against the release build.
//!
//! cargo run --release -p server --example podcast_bench -- [E episodes=200] [R requests=500] [N in flight=8]
//! Uses (and recreates) the database `codex_bench_podcast` on DATABASE_URL's server.

use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use server::bench::{arg, percentile};
use uuid::Uuid;

const GOAL_MS: f64 = 50.0;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let episodes = arg(1, 200) as i32;
    let requests = arg(2, 500);
    let concurrency = arg(3, 8);
    let admin_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into());
    let pool = server::database::fresh(&admin_url, "codex_bench_podcast").await?;

    // The owner, E published audio items with their podcast rendition, one buyer of them all.
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, email_verified_at) VALUES
             (gen_random_uuid(), 'owner@bench.test', 'Owner', 'x', 'owner', now()),
             (gen_random_uuid(), 'buyer@bench.test', 'Buyer', 'x', 'customer', now())",
    )
    .execute(&pool)
    .await?;
    sqlx::query(
        "WITH m AS (
             INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status,
                                duration_seconds, podcast_bytes)
             SELECT gen_random_uuid(), u.id, 'audio', 'episode.mp3', 'audio/mpeg', 1000, 'ready', 1800.0, 28800000
             FROM users u, generate_series(1, $1) WHERE u.role = 'owner' RETURNING id, owner_id),
         c AS (
             INSERT INTO content (id, owner_id, slug, title, description, price_cents, status, published_at, media_id)
             SELECT gen_random_uuid(), owner_id, 'episode-' || row_number() OVER (),
                    'Episode ' || row_number() OVER (), repeat('What this episode is about. ', 12),
                    0, 'published', now() - make_interval(days => (row_number() OVER ())::int), id
             FROM m RETURNING id)
         INSERT INTO access (user_id, content_id, reason)
         SELECT u.id, c.id, 'free' FROM c, users u WHERE u.role = 'customer'",
    )
    .bind(episodes)
    .execute(&pool)
    .await?;
    let feed: Uuid = sqlx::query_scalar(
        "INSERT INTO podcast_feeds (user_id) SELECT id FROM users WHERE role = 'customer' RETURNING id",
    )
    .fetch_one(&pool)
    .await?;

    let media = tempfile::tempdir()?;
    let (base, state) = server::bench::serve(pool.clone(), media.path()).await?;
    let url = format!(
        "{base}{}",
        domain::paths::podcast_feed(&state.link_key.token(feed))
    );
    let http = reqwest::Client::new();
    let fetch = |http: reqwest::Client, url: String| async move {
        let started = Instant::now();
        let response = http
            .get(&url)
            .header("x-forwarded-for", "10.7.7.7")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body = response.bytes().await.unwrap();
        (started.elapsed(), body.len())
    };
    let (_, size) = fetch(http.clone(), url.clone()).await;
    let listed = {
        let body = http
            .get(&url)
            .header("x-forwarded-for", "10.7.7.7")
            .send()
            .await?
            .text()
            .await?;
        body.matches("<item>").count()
    };
    assert_eq!(listed, episodes as usize, "every episode listed");

    // One at a time: what one podcast app waits.
    let mut one: Vec<f64> = Vec::new();
    for _ in 0..requests.min(200) {
        let (took, _) = fetch(http.clone(), url.clone()).await;
        one.push(took.as_secs_f64() * 1000.0);
    }
    one.sort_by(f64::total_cmp);

    // N in flight: many apps refreshing at once.
    let started = Instant::now();
    let mut many: Vec<f64> = stream::iter(0..requests)
        .map(|_| fetch(http.clone(), url.clone()))
        .buffer_unordered(concurrency)
        .map(|(took, _): (Duration, usize)| took.as_secs_f64() * 1000.0)
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    many.sort_by(f64::total_cmp);

    println!("private podcast feed, {episodes} episodes, {size} bytes of RSS");
    println!(
        "  one at a time: p50 {:.1} ms, p99 {:.1} ms (goal: under {GOAL_MS} ms: {})",
        percentile(&one, 0.5),
        percentile(&one, 0.99),
        if percentile(&one, 0.99) < GOAL_MS {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "  {concurrency} in flight: {:.0} feeds/s, p50 {:.1} ms, p99 {:.1} ms",
        requests as f64 / elapsed,
        percentile(&many, 0.5),
        percentile(&many, 0.99)
    );
    Ok(())
}
