//! The `jobs` table: enqueue, claim, renew, finish, and the periodic schedule.

use std::time::Duration;

use rand::Rng;
use sqlx::{PgExecutor, PgPool};

use super::Job;
use crate::error::{internal, Error};

/// A claimed job: what to run and how many times it has been tried (this run included).
#[derive(Debug)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub max_attempts: i32,
}

fn secs(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// Queues `job` to run after `delay`. With a `unique_key`, nothing is queued while a job
/// with that key waits or runs, and a failed job of that key is replaced (the same work is
/// asked for again); `Some(id)` when it was queued.
pub async fn enqueue<J: Job>(
    db: impl PgExecutor<'_>,
    job: &J,
    unique_key: Option<&str>,
    delay: Duration,
) -> Result<Option<i64>, Error> {
    let payload =
        serde_json::to_value(job).map_err(|e| internal("serialising a job's payload", e))?;
    Ok(sqlx::query_scalar!(
        "WITH replaced AS (DELETE FROM jobs WHERE unique_key = $3 AND status = 'failed')
         INSERT INTO jobs (kind, payload, unique_key, max_attempts, run_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('queued', 'running')
         DO NOTHING
         RETURNING id",
        J::KIND,
        payload,
        unique_key,
        J::MAX_ATTEMPTS,
        secs(delay)
    )
    .fetch_optional(db)
    .await?)
}

/// Takes the next due job of `kinds` (or one whose runner's lease ran out) for `runner`,
/// leased for `lease`.
pub async fn claim(
    pool: &PgPool,
    kinds: &[String],
    runner: &str,
    lease: Duration,
) -> Result<Option<Claimed>, Error> {
    Ok(sqlx::query_as!(
        Claimed,
        "UPDATE jobs
         SET status = 'running', attempts = attempts + 1, locked_by = $2,
             locked_until = now() + make_interval(secs => $3), updated_at = now()
         WHERE id = (SELECT id FROM jobs
                     WHERE kind = ANY($1)
                       AND ((status = 'queued' AND run_at <= now())
                            OR (status = 'running' AND locked_until < now()))
                     ORDER BY run_at
                     LIMIT 1
                     FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, payload, attempts, max_attempts",
        kinds,
        runner,
        secs(lease)
    )
    .fetch_optional(pool)
    .await?)
}

/// Renews `runner`'s lease on job `id`; `false` when it is no longer theirs.
pub async fn renew(pool: &PgPool, id: i64, runner: &str, lease: Duration) -> Result<bool, Error> {
    Ok(sqlx::query!(
        "UPDATE jobs SET locked_until = now() + make_interval(secs => $3)
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id,
        runner,
        secs(lease)
    )
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

/// Job `id` is done, if it is still `runner`'s.
pub async fn complete(pool: &PgPool, id: i64, runner: &str) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id,
        runner
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The wait before try `attempts + 1`: `base` doubled per try, at most an hour, give or
/// take a quarter so that jobs failing together do not retry together.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let doubled = base.saturating_mul(1 << attempts.clamp(1, 16).saturating_sub(1));
    let capped = doubled.min(Duration::from_secs(3600));
    capped.mul_f64(rand::thread_rng().gen_range(0.75..=1.25))
}

/// Why a run failed, and when the job may run again.
pub struct Failure<'a> {
    pub error: &'a str,
    pub retry_in: Duration,
}

/// `job` failed: queued again after the failure's `retry_in`, or kept as failed once it has
/// had its attempts.
pub async fn fail(
    pool: &PgPool,
    job: &Claimed,
    runner: &str,
    failure: Failure<'_>,
) -> Result<(), Error> {
    let Failure { error, retry_in } = failure;
    let error: String = error.chars().take(2000).collect();
    sqlx::query!(
        "UPDATE jobs
         SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
             run_at = now() + make_interval(secs => $4),
             locked_by = NULL, locked_until = NULL, last_error = $3, updated_at = now()
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        job.id,
        runner,
        error,
        secs(retry_in)
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Removes the jobs that finished more than `age` ago.
pub async fn prune_finished(pool: &PgPool, age: Duration) -> Result<(), Error> {
    sqlx::query!(
        "DELETE FROM jobs WHERE status = 'done' AND updated_at < now() - make_interval(secs => $1)",
        secs(age)
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Makes sure each periodic kind has its schedule (`every` as given now).
pub async fn keep_schedules(pool: &PgPool, schedules: &[(String, Duration)]) -> Result<(), Error> {
    for (kind, every) in schedules {
        sqlx::query!(
            "INSERT INTO job_schedules (kind, every_secs) VALUES ($1, $2)
             ON CONFLICT (kind) DO UPDATE SET every_secs = EXCLUDED.every_secs",
            kind,
            every.as_secs().clamp(1, i32::MAX as u64) as i32
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Queues each periodic job of `kinds` that is due, once across every instance (the
/// schedule row moves on in the same statement); how many were queued.
pub async fn queue_due(pool: &PgPool, kinds: &[String]) -> Result<u64, Error> {
    Ok(sqlx::query!(
        "WITH due AS (
             UPDATE job_schedules SET next_run_at = now() + make_interval(secs => every_secs)
             WHERE kind = ANY($1) AND next_run_at <= now()
             RETURNING kind
         )
         INSERT INTO jobs (kind, unique_key) SELECT kind, 'every:' || kind FROM due
         ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('queued', 'running')
         DO NOTHING",
        kinds
    )
    .execute(pool)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_an_hour() {
        let base = Duration::from_secs(10);
        for attempts in 1..=4 {
            let wait = backoff(base, attempts);
            let expected = 10.0 * f64::from(1 << (attempts - 1));
            assert!(
                (expected * 0.75..=expected * 1.25).contains(&wait.as_secs_f64()),
                "{attempts}: {wait:?}"
            );
        }
        assert!(backoff(base, 40) <= Duration::from_secs(4500));
    }
}
