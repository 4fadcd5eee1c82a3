//! The email outbox: each email is delivered by one runner once, through real SMTP, and
//! failures are retried with backoff until they are marked failed.

use std::sync::Arc;

use backend::email::delivery::DeliverEmail;
use backend::email::outbox;
use backend::email::templates::welcome;
use backend::jobs::Runner;
use backend::settings::service::{emails_of, load as load_settings};
use backend::PublicUrl;
use sqlx::PgPool;

use crate::common::smtp::{smtp_sink, with_smtp, SinkMode};
use crate::common::spawn_app;

/// A runner of email deliveries for an app whose emails go to the SMTP server at `url`.
async fn smtp_runner(pool: &PgPool, url: &str) -> (crate::common::TestApp, Runner) {
    let app = spawn_app(pool.clone()).await;
    let state = with_smtp(&app.state, url);
    (app, Runner::new(state).register::<DeliverEmail>())
}

/// Runs due deliveries until none is left; how many emails it sent.
async fn deliver_due(pool: &PgPool, runner: &Runner) -> i64 {
    let sent = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM email_outbox WHERE status = 'sent'")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let before = sent().await;
    while runner.run_next().await.unwrap() {}
    sent().await - before
}

async fn queue(pool: &PgPool, n: usize) {
    let mut tx = pool.begin().await.unwrap();
    let settings = load_settings(&mut *tx).await.unwrap();
    let emails = emails_of(&settings, Arc::new(PublicUrl::new("http://x"))).unwrap();
    for i in 0..n {
        let to = format!("user{i}@example.com");
        let email = welcome(emails.addressed(&to, "User"), "http://x/library", "");
        outbox::enqueue(&mut tx, &emails, &email).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn concurrent_workers_never_claim_the_same_email(pool: PgPool) {
    queue(&pool, 20).await;
    let (url, mut received) = smtp_sink(SinkMode::default()).await;
    let (_app, first) = smtp_runner(&pool, &url).await;
    let (_app2, second) = smtp_runner(&pool, &url).await;
    let work = |runner: Runner| async move {
        let mut ran = 0;
        while runner.run_next().await.unwrap() {
            ran += 1;
        }
        ran
    };
    let (a, b) = tokio::join!(work(first), work(second));
    assert!(a > 0 && b > 0, "both workers got work: {a} and {b}");
    assert_eq!(a + b, 20, "each email's job ran once");
    let mut messages = 0;
    while received.try_recv().is_ok() {
        messages += 1;
    }
    assert_eq!(messages, 20, "no email sent twice");
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE status = 'sent' AND attempts = 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(sent, 20);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn due_emails_are_delivered_over_smtp_once(pool: PgPool) {
    queue(&pool, 3).await;
    let (url, mut received) = smtp_sink(SinkMode::default()).await;
    let (_app, mailer) = smtp_runner(&pool, &url).await;

    assert_eq!(deliver_due(&pool, &mailer).await, 3);
    assert_eq!(
        deliver_due(&pool, &mailer).await,
        0,
        "nothing is sent twice"
    );
    let mut messages = Vec::new();
    while let Ok(message) = received.try_recv() {
        messages.push(message);
    }
    assert_eq!(messages.len(), 3);
    assert!(messages[0].contains("Subject: Welcome to Codex"));
    assert!(messages[0].contains("text/html") && messages[0].contains("text/plain"));
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE status = 'sent' AND sent_at IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(sent, 3);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn refused_emails_are_retried_with_backoff_then_marked_failed(pool: PgPool) {
    queue(&pool, 1).await;
    let (url, _received) = smtp_sink(SinkMode {
        refuse_all: Some("451 4.3.0 try again later"),
        ..SinkMode::default()
    })
    .await;
    let (_app, mailer) = smtp_runner(&pool, &url).await;

    assert_eq!(deliver_due(&pool, &mailer).await, 0);
    let (status, attempts, error, wait): (String, i32, Option<String>, f64) = sqlx::query_as(
        "SELECT e.status, e.attempts, e.last_error, extract(epoch FROM j.run_at - now())::float8
         FROM email_outbox e JOIN jobs j ON j.unique_key = 'deliver_email:' || e.id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.unwrap().contains("451"));
    assert!(
        (20.0..=38.0).contains(&wait),
        "first retry after about 30 s (a quarter either way), got {wait}"
    );
    assert!(!mailer.run_next().await.unwrap(), "not due yet");

    for _ in 1..outbox::MAX_ATTEMPTS {
        sqlx::query("UPDATE jobs SET run_at = now()")
            .execute(&pool)
            .await
            .unwrap();
        deliver_due(&pool, &mailer).await;
    }
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM email_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), attempts),
        ("failed", outbox::MAX_ATTEMPTS)
    );
}
