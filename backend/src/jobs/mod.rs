//! One job runner for every kind of background work, as crates.io's `BackgroundJob`: a job
//! is a type with a `KIND` and a `run`, stored as JSON in `jobs` (`queue`), claimed with
//! `FOR UPDATE SKIP LOCKED` under a lease that its runner renews while it works (`runner`).
//! A runner that dies mid-job stops renewing; the lease runs out and another runner takes
//! the job again, so jobs must be safe to run again (each one's effects keyed, or done in
//! one transaction). A failed run is retried with backoff and jitter up to the job's
//! `MAX_ATTEMPTS`, then kept as failed with its error, for the owner to see and retry at
//! `/admin/jobs` (`admin`). Periodic jobs are scheduled by the runners, once across
//! instances (`job_schedules`).

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

    fn run(&self, state: &AppState) -> impl Future<Output = Result<(), Error>> + Send;
}
