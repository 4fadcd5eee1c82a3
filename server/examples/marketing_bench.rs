//! Marketing email at scale (issue 31's figures):
//!   1. queueing a broadcast to C consenting customers (default 50,000): the time, and how
//!      much this process's peak memory grew (the recipients are written inside PostgreSQL,
//!      never loaded);
//!   2. sending M of them (default 2,000) at EMAIL_SEND_RATE R a minute (default 30,000)
//!      through a real SMTP server (a local sink), with the sender killed halfway and started
//!      again: the rate achieved, and whether anyone was mailed twice or not at all.
//!
//! cargo run --release -p server --example marketing_bench -- [C=50000] [M=2000] [R=30000]
//! Uses (and recreates) the database `codex_bench_marketing` on DATABASE_URL's server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use backend::jobs::Job;
use backend::mail::{Mailer, Transport};
use backend::marketing::broadcasts::QueueBroadcasts;
use backend::marketing::sending::SendMarketingEmails;
use backend::AppState;
use server::bench::arg;
use server::config::Config;
use server::smtp_sink::{smtp_sink, SinkMode};

const GOAL_QUEUE_SECONDS: f64 = 10.0;

/// This process's peak resident memory so far, in MB (Linux).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn count(state: &AppState, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(&state.pool).await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let customers = arg(1, 50_000) as i32;
    let mailed = arg(2, 2_000) as i64;
    let rate = arg(3, 30_000) as u32;
    let admin_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into());
    let pool = server::database::fresh(&admin_url, "codex_bench_marketing").await?;
    let media = tempfile::tempdir()?;
    let media_path = media.path().display().to_string();
    let config = Config::from_lookup(|key| match key {
        "APP_ENV" => Some("test".into()),
        "RUN_WORKERS" => Some("false".into()),
        "MEDIA_STORAGE" => Some(media_path.clone()),
        _ => None,
    })
    .context("configuration")?;
    let context = server::startup::context(config, pool.clone()).await?;
    let (sink_url, mut sink) = smtp_sink(SinkMode::default()).await;
    let mailer = Mailer::new(&sink_url, "Codex <news@bench.test>").map_err(anyhow::Error::msg)?;
    let state = AppState {
        mail: Some(Arc::new(Transport::Smtp(Box::new(mailer)))),
        email_send_rate: rate,
        ..context.app.clone()
    };

    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, email_verified_at, news_emails, marketing_consented_at)
         SELECT gen_random_uuid(), 'reader' || n || '@bench.test', 'Reader ' || n, 'x', 'customer', now(), true, now()
         FROM generate_series(1, $1) n",
    )
    .bind(customers)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO broadcasts (id, subject, body_markdown, category, segment, status, send_at)
         VALUES (gen_random_uuid(), 'A new film is out', '# Out now\n\nWatch it **today**.', 'news',
                 '{\"kind\": \"everyone\"}', 'scheduled', now())",
    )
    .execute(&pool)
    .await?;

    // 1. Queueing.
    let rss_before = peak_rss_mb();
    let started = Instant::now();
    QueueBroadcasts.run(&state).await?;
    let queue_seconds = started.elapsed().as_secs_f64();
    let rss_growth = peak_rss_mb() - rss_before;
    let queued = count(&state, "SELECT count(*) FROM marketing_emails").await?;
    println!(
        "queue: {queued} recipients in {queue_seconds:.2} s (goal < {GOAL_QUEUE_SECONDS} s: {}); peak memory grew {rss_growth:.1} MB",
        if queue_seconds < GOAL_QUEUE_SECONDS { "met" } else { "NOT met" }
    );

    // 2. Sending M of them; the rest are set aside so that the run ends.
    sqlx::query(
        "UPDATE marketing_emails SET status = 'skipped', note = 'bench: not sent'
         WHERE id NOT IN (SELECT id FROM marketing_emails ORDER BY due_at, id LIMIT $1)",
    )
    .bind(mailed)
    .execute(&pool)
    .await?;
    let started = Instant::now();
    let first = tokio::spawn({
        let state = state.clone();
        async move { SendMarketingEmails.run(&state).await }
    });
    let mut received: HashMap<String, u32> = HashMap::new();
    let take = |received: &mut HashMap<String, u32>, message: String| {
        let recipient = message.lines().next().unwrap_or_default().to_string();
        *received.entry(recipient).or_default() += 1;
    };
    while (received.len() as i64) < mailed / 2 {
        let message = sink.recv().await.context("the sink stopped")?;
        take(&mut received, message);
    }
    first.abort();
    let _ = first.await;
    let killed_after = started.elapsed().as_secs_f64();
    let sent_before_kill = received.values().sum::<u32>();
    SendMarketingEmails.run(&state).await?;
    let seconds = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(message) = sink.try_recv() {
        take(&mut received, message);
    }
    let messages: u32 = received.values().sum();
    let twice = received.values().filter(|n| **n > 1).count();
    let sent = count(
        &state,
        "SELECT count(*) FROM marketing_emails WHERE status = 'sent'",
    )
    .await?;
    let unknown = count(
        &state,
        "SELECT count(*) FROM marketing_emails WHERE status = 'unknown'",
    )
    .await?;
    let missing = mailed - received.len() as i64;
    println!(
        "send: {messages} messages to {} recipients in {seconds:.1} s = {:.0}/min (configured {rate}/min); killed after {killed_after:.1} s ({sent_before_kill} sent), restarted",
        received.len(),
        f64::from(messages) / seconds * 60.0
    );
    println!(
        "send: mailed twice: {twice}; not mailed: {missing}; rows sent {sent}, in doubt at the kill (kept unknown, not resent) {unknown}"
    );
    Ok(())
}
