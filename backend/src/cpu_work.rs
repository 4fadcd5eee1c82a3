//! Expensive CPU work that any client can set off (password hashing, image decoding) runs
//! here: on the blocking pool, at most one job per core at a time, and with a short queue.
//! A burst beyond the queue is answered `Busy` at once instead of piling up memory and
//! threads (300 concurrent argon2 hashes once took a server from 49 MB to 5.8 GB).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::{internal, Answer, Error};

/// How long a job may wait for its turn before the caller is told to come back later.
const MAX_WAIT: Duration = Duration::from_secs(15);

pub struct CpuWork {
    name: &'static str,
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Argon2 hashes and verifies (19 MiB of memory each).
pub fn passwords() -> &'static CpuWork {
    static POOL: OnceLock<CpuWork> = OnceLock::new();
    POOL.get_or_init(|| CpuWork::new("passwords", cores(), 64))
}

/// Image decoding and resizing (avatars, logos, cover images).
pub fn images() -> &'static CpuWork {
    static POOL: OnceLock<CpuWork> = OnceLock::new();
    POOL.get_or_init(|| CpuWork::new("images", cores(), 16))
}

/// Gives back the waiting slot however the wait ends (a dropped request included).
struct WaitingSlot<'a>(&'a AtomicUsize);

impl Drop for WaitingSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl CpuWork {
    pub fn new(name: &'static str, concurrency: usize, max_waiting: usize) -> Self {
        Self {
            name,
            running: Semaphore::new(concurrency.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Runs `job` on the blocking pool once a slot is free. `Error::Answer(Answer::Busy)` when the queue is
    /// full or the wait is too long.
    pub async fn run<T, F>(&self, job: F) -> Result<T, Error>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = {
            if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                tracing::warn!(pool = self.name, "CPU work queue full; request refused");
                return Err(Error::Answer(Answer::Busy));
            }
            let _slot = WaitingSlot(&self.waiting);
            match tokio::time::timeout(MAX_WAIT, self.running.acquire()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(closed)) => return Err(internal("CPU work pool closed", closed)),
                Err(_) => {
                    tracing::warn!(
                        pool = self.name,
                        "CPU work waited too long; request refused"
                    );
                    return Err(Error::Answer(Answer::Busy));
                }
            }
        };
        let result = tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| internal("CPU work task failed", e));
        drop(permit);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn runs_the_job_and_returns_its_value() {
        let work = CpuWork::new("test", 1, 1);
        assert_eq!(work.run(|| 6 * 7).await.unwrap(), 42);
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once_and_the_rest_still_run() {
        let work = Arc::new(CpuWork::new("test", 1, 2));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(std::sync::Mutex::new(hold));
        let mut jobs = Vec::new();
        for _ in 0..2 {
            let work = work.clone();
            let hold = hold.clone();
            jobs.push(tokio::spawn(async move {
                work.run(move || hold.lock().unwrap().recv().ok()).await
            }));
        }
        // Both are queued or running; wait until the counter says so.
        while work.waiting.load(Ordering::SeqCst) + (1 - work.running.available_permits()) < 2 {
            tokio::task::yield_now().await;
        }
        // One runs and one waits: the queue (2) is not full yet, so one more may wait...
        let third = {
            let work = work.clone();
            tokio::spawn(async move { work.run(|| Some(())).await })
        };
        while work.waiting.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        // ...and the next is refused without waiting.
        assert!(matches!(
            work.run(|| ()).await,
            Err(Error::Answer(Answer::Busy))
        ));
        for _ in 0..2 {
            release.send(()).unwrap();
        }
        for job in jobs {
            assert!(job.await.unwrap().is_ok());
        }
        assert!(third.await.unwrap().is_ok());
        assert_eq!(work.waiting.load(Ordering::SeqCst), 0);
    }
}
