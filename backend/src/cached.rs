//! A value read from the database and kept in memory until it changes. The process that
//! changes it forgets it at once ([`Cached::forget`], after the commit); every other app
//! server hears of the change through a PostgreSQL notification ([`listen`]). While no
//! listener is connected (not started yet, or its connection lost) the value is read every
//! time, so a missed notification can never leave a stale value behind.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;

/// How long the listener waits before connecting again after losing its connection.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

pub struct Cached<T> {
    value: RwLock<Option<Arc<T>>>,
    /// Moves on every change, so a read that began before a change is not kept.
    generation: AtomicU64,
    /// Whether changes made elsewhere reach this process: without that, nothing is kept.
    listening: AtomicBool,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self {
            value: RwLock::new(None),
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(false),
        }
    }
}

impl<T> Cached<T> {
    /// The kept value, or `load`'s (kept while changes are heard of).
    pub async fn get_or_load<E, F, Fut>(&self, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.kept() {
            return Ok(value);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let value = Arc::new(load().await?);
        if self.listening.load(Ordering::Acquire) {
            let mut slot = self.value.write().unwrap_or_else(|e| e.into_inner());
            if self.generation.load(Ordering::Acquire) == generation {
                *slot = Some(value.clone());
            }
        }
        Ok(value)
    }

    /// Drops the kept value: the next read loads it again.
    pub fn forget(&self) {
        let mut slot = self.value.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        *slot = None;
    }

    fn kept(&self) -> Option<Arc<T>> {
        self.value.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
        self.forget();
    }
}

/// Forgets `cached` on every notification on `channel`, until the pool closes. The listener
/// holds one of the pool's connections, and gives it back when the pool starts closing.
pub async fn listen<T: Send + Sync + 'static>(
    pool: PgPool,
    channel: &'static str,
    cached: Arc<Cached<T>>,
) {
    loop {
        tokio::select! {
            () = pool.close_event() => return,
            result = listen_once(&pool, channel, &cached) => if let Err(error) = result {
                tracing::warn!(%error, channel, "change notifications lost; reading afresh until they are back");
            },
        }
        cached.set_listening(false);
        tokio::select! {
            () = pool.close_event() => return,
            () = tokio::time::sleep(RECONNECT_DELAY) => {}
        }
    }
}

async fn listen_once<T>(
    pool: &PgPool,
    channel: &str,
    cached: &Cached<T>,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    cached.set_listening(true);
    loop {
        // `None`: the connection was lost (and notifications with it).
        if listener.try_recv().await?.is_none() {
            return Ok(());
        }
        cached.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn load(value: u32) -> Result<u32, ()> {
        Ok(value)
    }

    #[tokio::test]
    async fn nothing_is_kept_until_changes_are_heard_of() {
        let cached = Cached::default();
        assert_eq!(*cached.get_or_load(|| load(1)).await.unwrap(), 1);
        assert_eq!(*cached.get_or_load(|| load(2)).await.unwrap(), 2);
        cached.set_listening(true);
        assert_eq!(*cached.get_or_load(|| load(3)).await.unwrap(), 3);
        assert_eq!(*cached.get_or_load(|| load(4)).await.unwrap(), 3);
        cached.forget();
        assert_eq!(*cached.get_or_load(|| load(5)).await.unwrap(), 5);
        cached.set_listening(false);
        assert_eq!(*cached.get_or_load(|| load(6)).await.unwrap(), 6);
    }

    #[tokio::test]
    async fn a_read_that_a_change_overtook_is_not_kept() {
        let cached = Arc::new(Cached::default());
        cached.set_listening(true);
        let during = cached.clone();
        let read = cached
            .get_or_load(|| async move {
                during.forget();
                Ok::<_, ()>(1)
            })
            .await
            .unwrap();
        assert_eq!(*read, 1, "the reader still gets what it read");
        assert_eq!(*cached.get_or_load(|| load(2)).await.unwrap(), 2);
    }
}
