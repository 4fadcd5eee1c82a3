//! The media job queue in PostgreSQL. Jobs are claimed with `FOR UPDATE SKIP LOCKED`, so
//! any number of workers on any number of app servers share it; a claim is a lease, and a
//! job whose worker died is claimed again once its lease runs out.

use sqlx::{PgConnection, PgPool};
use time::Duration;
use uuid::Uuid;

use crate::error::Error;
use domain::media::Rendition;

/// Delay before the automatic retry of a failed job.
pub const RETRY_AFTER: Duration = Duration::seconds(30);

#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub media_id: Uuid,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// What a successful job found and produced.
#[derive(Debug, Clone)]
pub struct Processed {
    pub duration_seconds: f64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub renditions: Vec<Rendition>,
    pub has_thumbnail: bool,
    /// Everything the item keeps in storage once stored (parts, HLS, thumbnail).
    pub stored_bytes: Option<i64>,
}

/// Queues processing of an uploaded media item (once: a second queue of an active job is a no-op).
pub async fn enqueue(conn: &mut PgConnection, media_id: Uuid) -> Result<(), Error> {
    sqlx::query!(
        r#"INSERT INTO media_jobs (id, media_id) VALUES ($1, $2)
           ON CONFLICT (media_id) WHERE status IN ('queued', 'running') DO NOTHING"#,
        Uuid::new_v4(),
        media_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE media SET status = 'uploaded', error = NULL, updated_at = now() WHERE id = $1",
        media_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Claims the next due job (queued, or running with an expired lease) for `lease`.
pub async fn claim(pool: &PgPool, lease: Duration) -> Result<Option<Job>, Error> {
    let mut tx = pool.begin().await?;
    let job = sqlx::query_as!(
        Job,
        r#"UPDATE media_jobs
           SET status = 'running', attempts = attempts + 1,
               locked_until = now() + make_interval(secs => $1), updated_at = now()
           WHERE id = (
               SELECT id FROM media_jobs
               WHERE (status = 'queued' AND run_after <= now())
                  OR (status = 'running' AND locked_until < now())
               ORDER BY run_after
               LIMIT 1
               FOR UPDATE SKIP LOCKED)
           RETURNING id, media_id, attempts, max_attempts"#,
        lease.as_seconds_f64()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(job) = &job {
        // A retried job whose lowest rung already plays leaves it playing.
        sqlx::query!(
            "UPDATE media SET status = 'processing', updated_at = now() WHERE id = $1 AND status <> 'ready'",
            job.media_id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(job)
}

/// Extends the lease of a job still being worked on.
pub async fn heartbeat(pool: &PgPool, job: Uuid, lease: Duration) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE media_jobs SET locked_until = now() + make_interval(secs => $2) WHERE id = $1 AND status = 'running'",
        job,
        lease.as_seconds_f64()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The media plays with what `done` lists while its job goes on (the lowest rung first).
pub async fn mark_playable(pool: &PgPool, job: &Job, done: &Processed) -> Result<(), Error> {
    let mut conn = pool.acquire().await?;
    mark_ready(&mut conn, job.media_id, done).await
}

async fn mark_ready(conn: &mut PgConnection, media: Uuid, done: &Processed) -> Result<(), Error> {
    sqlx::query!(
        r#"UPDATE media SET status = 'ready', error = NULL, duration_seconds = $2, width = $3, height = $4,
               renditions = $5, has_thumbnail = $6, stored_bytes = $7, updated_at = now()
           WHERE id = $1"#,
        media,
        done.duration_seconds,
        done.width,
        done.height,
        serde_json::to_value(&done.renditions).unwrap_or_default(),
        done.has_thumbnail,
        done.stored_bytes
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the outcome: the media is ready; or the job is retried once; or media and job
/// are marked failed with the reason (media already playing on its lowest rung stays
/// ready). Never leaves the media in "processing".
pub async fn finish(
    pool: &PgPool,
    job: &Job,
    outcome: Result<Processed, String>,
) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    match outcome {
        Ok(done) => {
            sqlx::query!(
                "UPDATE media_jobs SET status = 'done', locked_until = NULL, last_error = NULL, updated_at = now() WHERE id = $1",
                job.id
            )
            .execute(&mut *tx)
            .await?;
            mark_ready(&mut tx, job.media_id, &done).await?;
        }
        Err(reason) if job.attempts < job.max_attempts => {
            tracing::warn!(job = %job.id, media = %job.media_id, attempt = job.attempts, %reason, "media job failed, retrying");
            sqlx::query!(
                r#"UPDATE media_jobs SET status = 'queued', locked_until = NULL, last_error = $2,
                       run_after = now() + make_interval(secs => $3), updated_at = now()
                   WHERE id = $1"#,
                job.id,
                reason,
                RETRY_AFTER.as_seconds_f64()
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "UPDATE media SET status = 'uploaded', updated_at = now() WHERE id = $1 AND status <> 'ready'",
                job.media_id
            )
            .execute(&mut *tx)
            .await?;
        }
        Err(reason) => {
            tracing::warn!(job = %job.id, media = %job.media_id, %reason, "media job failed for good");
            sqlx::query!(
                "UPDATE media_jobs SET status = 'failed', locked_until = NULL, last_error = $2, updated_at = now() WHERE id = $1",
                job.id,
                reason
            )
            .execute(&mut *tx)
            .await?;
            // An item already playing on its lowest rung keeps playing, with the reason shown.
            sqlx::query!(
                r#"UPDATE media SET status = CASE WHEN status = 'ready' THEN 'ready' ELSE 'failed' END,
                       error = $2, updated_at = now() WHERE id = $1"#,
                job.media_id,
                reason
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
