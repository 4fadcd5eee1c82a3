//! `/admin/jobs`: the background work waiting, running and failed, and Retry.

use crate::auth::Owner;
use crate::error::Error;
use crate::state::AppState;
use domain::jobs::{JobStatus, JobView};

/// The owner's page shows this many, failed first.
const LISTED: i64 = 200;

pub async fn list(state: &AppState, _owner: &Owner) -> Result<Vec<JobView>, Error> {
    Ok(sqlx::query_as!(
        JobView,
        r#"SELECT j.id, j.kind, j.status AS "status: JobStatus", j.attempts, j.max_attempts,
                  to_char(j.run_at AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI:SS') AS "run_at!",
                  j.last_error
           FROM jobs j CROSS JOIN site_settings s
           WHERE j.status <> 'done'
           ORDER BY j.status = 'failed' DESC, j.status = 'running' DESC, j.run_at
           LIMIT $1"#,
        LISTED
    )
    .fetch_all(&state.pool)
    .await?)
}

/// Queues a failed job again, with its attempts renewed.
pub async fn retry(state: &AppState, _owner: &Owner, id: i64) -> Result<(), Error> {
    let retried = sqlx::query!(
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), updated_at = now()
         WHERE id = $1 AND status = 'failed'",
        id
    )
    .execute(&state.pool)
    .await
    .map_err(|error| match &error {
        // A job of the same key is already waiting: this one is not needed again.
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Error::conflict("The same work is already waiting to run.")
        }
        _ => error.into(),
    })?;
    if retried.rows_affected() == 0 {
        return Err(Error::conflict(
            "Only a failed job can be retried; this one has run again or is gone.",
        ));
    }
    Ok(())
}
