//! A runner: claims due jobs of the kinds it knows, one at a time, renewing its lease while
//! each runs, and queues the periodic ones when they are due. Start as many as you like, in
//! one process or many.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures::FutureExt;

use super::queue::{self, Claimed};
use super::Job;
use crate::error::{internal, Error};
use crate::state::AppState;

type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// A job's payload read into its type, and run.
type RunJob = for<'a> fn(serde_json::Value, &'a AppState) -> JobFuture<'a>;
/// A job's payload read into its type, and told that it failed.
type TellFailed = for<'a> fn(serde_json::Value, &'a AppState, &'a str, bool) -> JobFuture<'a>;

fn read<J: Job>(payload: serde_json::Value) -> Result<J, Error> {
    serde_json::from_value(payload).map_err(|e| internal(&format!("reading a {} job", J::KIND), e))
}

fn run_as<J: Job>(payload: serde_json::Value, state: &AppState) -> JobFuture<'_> {
    Box::pin(async move { read::<J>(payload)?.run(state).await })
}

fn tell_failed<'a, J: Job>(
    payload: serde_json::Value,
    state: &'a AppState,
    error: &'a str,
    retrying: bool,
) -> JobFuture<'a> {
    Box::pin(async move { read::<J>(payload)?.failed(state, error, retrying).await })
}

/// What a runner knows of a kind of job.
struct Kind {
    run: RunJob,
    tell_failed: TellFailed,
    first_retry: Option<Duration>,
}

pub struct Runner {
    state: AppState,
    /// Told apart in `jobs.locked_by`.
    name: String,
    kinds: HashMap<&'static str, Kind>,
    /// The keys of `kinds`, as the claim asks for them.
    kind_names: Vec<String>,
    schedules: Vec<(String, Duration)>,
    /// How long a claim holds without renewal; renewed every third of it.
    pub lease: Duration,
    /// The pause when no job is due.
    pub idle: Duration,
    /// The first retry's wait (doubled per try, with jitter).
    pub backoff: Duration,
}

impl Runner {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            name: format!("{}:{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            kinds: HashMap::new(),
            kind_names: Vec::new(),
            schedules: Vec::new(),
            lease: Duration::from_secs(60),
            idle: Duration::from_secs(1),
            backoff: Duration::from_secs(30),
        }
    }

    /// Its name in `jobs.locked_by` (by default the process id and a random part).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Runs jobs of kind `J`.
    pub fn register<J: Job>(mut self) -> Self {
        let kind = Kind {
            run: run_as::<J>,
            tell_failed: tell_failed::<J>,
            first_retry: J::FIRST_RETRY,
        };
        if self.kinds.insert(J::KIND, kind).is_none() {
            self.kind_names.push(J::KIND.to_string());
        }
        self
    }

    /// Runs `J` every `every`, once across all runners (and as any other job of its kind).
    pub fn every<J: Job>(mut self, every: Duration) -> Self {
        self.schedules.push((J::KIND.to_string(), every));
        self.register::<J>()
    }

    /// Runs jobs until the task is dropped.
    pub async fn run(self) {
        if let Err(error) = queue::keep_schedules(&self.state.pool, &self.schedules).await {
            tracing::error!(?error, "jobs: the periodic schedule could not be written");
        }
        let periodic: Vec<String> = self.schedules.iter().map(|(k, _)| k.clone()).collect();
        // The schedule is looked at once per idle pause, not before every job of a busy run.
        let mut schedule_checked: Option<tokio::time::Instant> = None;
        loop {
            let due = schedule_checked.is_none_or(|at| at.elapsed() >= self.idle);
            if !periodic.is_empty() && due {
                schedule_checked = Some(tokio::time::Instant::now());
                if let Err(error) = queue::queue_due(&self.state.pool, &periodic).await {
                    tracing::warn!(?error, "jobs: queueing periodic jobs failed");
                }
            }
            match self.run_next().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::warn!(?error, "jobs: claiming a job failed"),
            }
            tokio::time::sleep(self.idle).await;
        }
    }

    /// Claims and runs one due job; `false` when none was due.
    pub async fn run_next(&self) -> Result<bool, Error> {
        let pool = &self.state.pool;
        let Some(job) = queue::claim(pool, &self.kind_names, &self.name, self.lease).await? else {
            return Ok(false);
        };
        // Claimed again after its last try's runner died: it is not run a further time.
        let result = if job.attempts > job.max_attempts {
            Err("interrupted on every try (its runner stopped mid-way)".to_string())
        } else {
            self.work(&job).await
        };
        match result {
            Ok(()) => queue::complete(pool, job.id, &self.name).await?,
            Err(error) => {
                let retrying = job.attempts < job.max_attempts;
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, retrying, error = %error, "jobs: a job failed");
                let kind = self.kinds.get(job.kind.as_str());
                if let Some(kind) = kind {
                    let told =
                        (kind.tell_failed)(job.payload.clone(), &self.state, &error, retrying);
                    if let Err(e) = told.await {
                        tracing::warn!(job = job.id, error = ?e, "jobs: telling a job it failed failed");
                    }
                }
                let first_retry = kind.and_then(|k| k.first_retry).unwrap_or(self.backoff);
                let wait = queue::backoff(first_retry, job.attempts);
                let failure = queue::Failure {
                    error: &error,
                    retry_in: wait,
                };
                queue::fail(pool, &job, &self.name, failure).await?;
            }
        }
        Ok(true)
    }

    /// Runs `job` while renewing its lease; a panic is a failure like any other.
    async fn work(&self, job: &Claimed) -> Result<(), String> {
        let Some(kind) = self.kinds.get(job.kind.as_str()) else {
            return Err(format!("no runner knows jobs of kind {}", job.kind));
        };
        let running = std::panic::AssertUnwindSafe((kind.run)(job.payload.clone(), &self.state))
            .catch_unwind();
        let renewing = async {
            loop {
                tokio::time::sleep(self.lease / 3).await;
                match queue::renew(&self.state.pool, job.id, &self.name, self.lease).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(job = job.id, "jobs: the lease was lost"),
                    Err(error) => {
                        tracing::warn!(job = job.id, ?error, "jobs: renewing a lease failed")
                    }
                }
            }
        };
        tokio::select! {
            outcome = running => match outcome {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(error.chain()),
                Err(_) => Err("the job panicked".to_string()),
            },
            _ = renewing => unreachable!("renewing never ends"),
        }
    }
}
