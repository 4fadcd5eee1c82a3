//! The one job runner against a real database: a thousand jobs over three runners, one of
//! them killed mid-job, each job completed exactly once; a failing job retried with backoff
//! and kept as failed with its error; a periodic job run once across runners; the owner's
//! Background work page and Retry.

use crate::common::fns::{self, ServerFn as _};
use std::time::Duration;

use backend::jobs::{enqueue, Job, Runner};
use backend::{AppState, Error};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgPool;

use crate::common::{error_of, spawn_app, TestApp};

/// Records its number in `job_test_done`, after lingering `linger_ms`.
#[derive(Debug, Serialize, Deserialize)]
struct Count {
    n: i32,
    linger_ms: u64,
}

impl Job for Count {
    const KIND: &'static str = "test_count";

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        tokio::time::sleep(Duration::from_millis(self.linger_ms)).await;
        sqlx::query("INSERT INTO job_test_done (n) VALUES ($1)")
            .bind(self.n)
            .execute(&state.pool)
            .await?;
        Ok(())
    }
}

/// Fails every time, noting when it ran.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Fails;

impl Job for Fails {
    const KIND: &'static str = "test_fails";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        sqlx::query("INSERT INTO job_test_tries (kind) VALUES ('fails')")
            .execute(&state.pool)
            .await?;
        Err(Error::validation("the printer is on fire"))
    }

    async fn failed(&self, state: &AppState, error: &str, retrying: bool) -> Result<(), Error> {
        let told = format!(
            "told {} {error}",
            if retrying { "retrying" } else { "final" }
        );
        sqlx::query("INSERT INTO job_test_tries (kind) VALUES ($1)")
            .bind(told)
            .execute(&state.pool)
            .await?;
        Ok(())
    }
}

/// A periodic job, noting each run.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Hourly;

impl Job for Hourly {
    const KIND: &'static str = "test_hourly";

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        sqlx::query("INSERT INTO job_test_tries (kind) VALUES ('hourly')")
            .execute(&state.pool)
            .await?;
        Ok(())
    }
}

async fn tables(app: &TestApp) {
    for sql in [
        "CREATE TABLE job_test_done (n INTEGER NOT NULL)",
        "CREATE TABLE job_test_tries (kind TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())",
    ] {
        sqlx::query(sql).execute(&app.pool).await.unwrap();
    }
}

/// A runner of the test jobs with a short lease and quick retries.
fn runner(app: &TestApp, name: &str) -> Runner {
    let mut runner = Runner::new(app.state.clone())
        .named(name)
        .register::<Count>()
        .register::<Fails>()
        .every::<Hourly>(Duration::from_secs(3600));
    runner.lease = Duration::from_millis(900);
    runner.idle = Duration::from_millis(20);
    runner.backoff = Duration::from_millis(200);
    runner
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_thousand_jobs_on_three_runners_run_once_each_though_one_runner_dies(pool: PgPool) {
    let app = spawn_app(pool).await;
    tables(&app).await;
    // Job 0 lingers long enough to be caught running; the rest are quick.
    let mut tx = app.pool.begin().await.unwrap();
    for n in 0..1000 {
        let linger_ms = if n == 0 { 3000 } else { 0 };
        enqueue(&mut *tx, &Count { n, linger_ms }, None, Duration::ZERO)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let runners: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|name| (name, tokio::spawn(runner(&app, name).run())))
        .collect();
    // Whichever runner took job 0 is killed in the middle of it.
    let holder = "SELECT count(*) FROM jobs WHERE payload->>'n' = '0' AND status = 'running'";
    assert_eq!(app.wait_for_count(holder, 1).await, 1);
    let victim: String = sqlx::query_scalar(
        "SELECT locked_by FROM jobs WHERE payload->>'n' = '0' AND status = 'running'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for (name, task) in &runners {
        if *name == victim {
            task.abort();
        }
    }

    // Job 0 is taken again by another runner once the dead one's lease runs out.
    let reclaimed = format!(
        "SELECT count(*) FROM jobs WHERE payload->>'n' = '0' AND status = 'running'
           AND attempts = 2 AND locked_by <> '{victim}'"
    );
    assert_eq!(app.wait_for_count(&reclaimed, 1).await, 1);
    // Every job completes, each once.
    let done = "SELECT count(*) FROM job_test_done";
    assert_eq!(app.wait_for_count(done, 1000).await, 1000);
    assert_eq!(
        app.wait_for_exactly(
            "SELECT count(*) FROM jobs WHERE kind = 'test_count' AND status <> 'done'",
            0
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE kind = 'test_count' AND status = 'done'")
            .await,
        1000,
        "each kept as done"
    );
    assert_eq!(
        app.count("SELECT count(DISTINCT n) FROM job_test_done")
            .await,
        1000
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.count(done).await, 1000, "no job ran twice");
    // The periodic job ran once, whichever runners saw it due.
    assert_eq!(
        app.count("SELECT count(*) FROM job_test_tries WHERE kind = 'hourly'")
            .await,
        1
    );
    for (_, task) in runners {
        task.abort();
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_failing_job_is_retried_with_backoff_then_kept_for_the_owner(pool: PgPool) {
    let app = spawn_app(pool).await;
    tables(&app).await;
    let first = enqueue(&app.pool, &Fails, Some("fails-once"), Duration::ZERO)
        .await
        .unwrap();
    assert!(first.is_some());
    // A job with the same key is not queued twice.
    let again = enqueue(&app.pool, &Fails, Some("fails-once"), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(again, None);

    let task = tokio::spawn(runner(&app, "solo").run());
    let failed = "SELECT count(*) FROM jobs WHERE status = 'failed'";
    assert_eq!(app.wait_for_count(failed, 1).await, 1);
    let (attempts, error): (i32, String) =
        sqlx::query_as("SELECT attempts, last_error FROM jobs WHERE status = 'failed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((attempts, error.as_str()), (3, "the printer is on fire"));
    // Three tries, each after a longer wait: 200 ms, then 400 ms, less a quarter of jitter.
    let gaps: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM at - lag(at) OVER (ORDER BY at))::float8 FROM job_test_tries
         WHERE kind = 'fails' ORDER BY at OFFSET 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(gaps.len(), 2);
    assert!(gaps[0] >= 0.15, "{gaps:?}");
    assert!(gaps[1] >= 0.3, "{gaps:?}");
    task.abort();
    // The job was told of each failure, and whether it would run again.
    let told: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM job_test_tries WHERE kind LIKE 'told%' ORDER BY at")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        told,
        [
            "told retrying the printer is on fire",
            "told retrying the printer is on fire",
            "told final the printer is on fire"
        ]
    );

    // The owner sees it with its error and retries it; a customer may do neither.
    let owner = app.owner().await;
    let jobs: Value = owner.call_json(fns::BackgroundJobs::PATH, &[]).await;
    let listed = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "test_fails")
        .unwrap()
        .clone();
    assert_eq!(listed["status"], "failed");
    assert_eq!(listed["last_error"], "the printer is on fire");
    let id = listed["id"].to_string();
    let customer = app.verified_customer("carol@example.com").await;
    let (status, _) = error_of(customer.call(fns::BackgroundJobs::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = error_of(customer.call(fns::RetryJob::PATH, &[("id", &id)]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        owner
            .call(fns::RetryJob::PATH, &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE status = 'queued' AND attempts = 0")
            .await,
        1
    );
    let (status, body) = error_of(owner.call(fns::RetryJob::PATH, &[("id", &id)]).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_job_interrupted_on_its_last_try_is_kept_as_failed_without_running(pool: PgPool) {
    let app = spawn_app(pool).await;
    tables(&app).await;
    let job = Count { n: 7, linger_ms: 0 };
    enqueue(&app.pool, &job, None, Duration::ZERO)
        .await
        .unwrap();
    // Its runner died on its last try: the job is still running, its lease gone.
    sqlx::query(
        "UPDATE jobs SET status = 'running', attempts = max_attempts, locked_by = 'gone',
                locked_until = now() - interval '1 second'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert!(app.run_job::<Count>().await);
    let (status, error): (String, String) = sqlx::query_as("SELECT status, last_error FROM jobs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "failed");
    assert!(error.contains("interrupted"), "{error}");
    assert_eq!(app.count("SELECT count(*) FROM job_test_done").await, 0);
    assert!(!app.run_job::<Count>().await, "nothing left to run");
}
