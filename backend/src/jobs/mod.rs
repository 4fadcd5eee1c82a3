//! One job runner for every kind of background work, as crates.io's `BackgroundJob`: a job
//! is a type with a `KIND` and a `run`, stored as JSON in `jobs` (`queue`), claimed with
//! `FOR UPDATE SKIP LOCKED` under a lease that its runner renews while it works (`runner`).
//! A runner that dies mid-job stops renewing; the lease runs out and another runner takes
//! the job again, so jobs must be safe to run again (each one's effects keyed, or done in
//! one transaction). A failed run is retried with backoff and jitter up to the job's
//! `MAX_ATTEMPTS`, then kept as failed with its error, for the owner to see and retry at
//! `/admin/jobs` (`admin`). A job interrupted on its last try (its runner died) is kept as
//! failed without running again. A finished job is kept a week as `done`. Periodic jobs are
//! scheduled by the runners, once across instances (`job_schedules`).

pub mod admin;
pub mod queue;
pub mod runner;

use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;
use crate::state::AppState;

pub use queue::enqueue;
pub use runner::Runner;

/// A kind of background work.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Its name in `jobs.kind`; never reused for another type.
    const KIND: &'static str;
    /// Runs before it is kept as failed.
    const MAX_ATTEMPTS: i32 = 5;
    /// The wait before its first retry, doubled per try (with jitter, at most an hour);
    /// `None`: the runner's (`Runner::backoff`, 30 s).
    const FIRST_RETRY: Option<std::time::Duration> = None;

    fn run(&self, state: &AppState) -> impl Future<Output = Result<(), Error>> + Send;

    /// Told when a run failed (`retrying`: it runs again later; otherwise it is kept as
    /// failed), for a job whose progress shows elsewhere, as a media item's status does.
    fn failed(
        &self,
        _state: &AppState,
        _error: &str,
        _retrying: bool,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        async { Ok(()) }
    }
}

/// The `unique_key` of the job of kind `J` about `subject` (`process_media:<id>`): one at a
/// time per subject. SQL that asks whether one waits builds the same text.
pub fn unique_key<J: Job>(subject: impl std::fmt::Display) -> String {
    format!("{}:{subject}", J::KIND)
}

/// The periodic job that removes finished jobs once they are a week old.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PruneFinishedJobs;

impl Job for PruneFinishedJobs {
    const KIND: &'static str = "prune_finished_jobs";

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        queue::prune_finished(&state.pool, std::time::Duration::from_secs(7 * 24 * 3600)).await
    }
}
