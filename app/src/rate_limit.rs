//! Fixed-window rate limits with the counters in PostgreSQL, so every app server shares
//! them. The window is computed from the database clock for the same reason.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub limit: i32,
    pub window_secs: i64,
}

pub const LOGIN: Rule = Rule {
    name: "login",
    limit: 5,
    window_secs: 15 * 60,
};
pub const REGISTER: Rule = Rule {
    name: "register",
    limit: 3,
    window_secs: 3600,
};
pub const FORGOT_PASSWORD: Rule = Rule {
    name: "forgot_password",
    limit: 3,
    window_secs: 3600,
};
pub const RESEND_VERIFICATION: Rule = Rule {
    name: "resend_verification",
    limit: 5,
    window_secs: 3600,
};
pub const UPLOAD: Rule = Rule {
    name: "upload",
    limit: 10,
    window_secs: 3600,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: i32,
    pub remaining: i32,
    /// When the current window ends.
    pub reset_at: OffsetDateTime,
    /// Seconds until the window ends (at least 1).
    pub retry_after: i64,
}

/// Counts one request of `subject` (an IP address or a user id) against `rule`.
pub async fn hit(db: impl PgExecutor<'_>, rule: Rule, subject: &str) -> Result<Decision, AppError> {
    let bucket = format!("{}:{}", rule.name, subject);
    let row = sqlx::query!(
        r#"WITH win AS (
               SELECT to_timestamp(floor(extract(epoch FROM now()) / $2::bigint) * $2::bigint) AS start
           )
           INSERT INTO rate_limits (bucket, window_start, hits)
           SELECT $1, win.start, 1 FROM win
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits, window_start, now() AS "now!""#,
        bucket,
        rule.window_secs
    )
    .fetch_one(db)
    .await?;
    let reset_at = row.window_start + time::Duration::seconds(rule.window_secs);
    let retry_after = (reset_at - row.now).whole_seconds().max(1);
    Ok(Decision {
        allowed: row.hits <= rule.limit,
        limit: rule.limit,
        remaining: (rule.limit - row.hits).max(0),
        reset_at,
        retry_after,
    })
}

/// Drops counters of windows that ended long ago.
pub async fn prune(db: impl PgExecutor<'_>) -> Result<u64, AppError> {
    let result =
        sqlx::query!("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
            .execute(db)
            .await?;
    Ok(result.rows_affected())
}
