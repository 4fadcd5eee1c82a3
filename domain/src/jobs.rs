//! Background work as the owner sees it at `/admin/jobs`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum JobStatus {
    Queued,
    Running,
    Failed,
    /// Finished; kept a week as history.
    Done,
}

impl JobStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Waiting",
            Self::Running => "Running",
            Self::Failed => "Failed",
            Self::Done => "Done",
        }
    }
}

/// One job waiting, running or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: i64,
    /// What it does, e.g. `reconcile_with_stripe`.
    pub kind: String,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    /// When it runs (next), `2026-12-06 14:05:00` in the platform's timezone.
    pub run_at: String,
    /// Why its last run failed.
    pub last_error: Option<String>,
}
