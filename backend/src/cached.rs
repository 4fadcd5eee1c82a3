//! Values read from the database and kept in memory until they change. The process that
//! changes one forgets it at once ([`Cached::forget`], after the commit); every app server
//! hears of the change through a PostgreSQL notification ([`listen`]). While no listener is
//! connected (not started yet, or its connection lost) nothing is kept and values are read
//! every time, so a missed notification can never leave a stale value behind.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;

/// How long the listener waits before connecting again after losing its connection.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// What keeps values read from the database: told when they change, and whether changes are
/// heard of at all.
pub trait Forgets: Send + Sync {
    /// A change was made: drop what is kept.
    fn forget(&self);
    /// Whether changes made anywhere reach this process; without that, nothing is kept.
    fn set_listening(&self, listening: bool);
}

/// Whether a value read now may be kept, and whether a change came while it was read.
#[derive(Default)]
pub struct Freshness {
    /// Moves on every change, so a read that began before a change is not kept.
    generation: AtomicU64,
    listening: AtomicBool,
}

impl Freshness {
    /// Taken before a read: `None` when what is read may not be kept (changes are not heard of).
    pub fn mark(&self) -> Option<u64> {
        self.listening
            .load(Ordering::Acquire)
            .then(|| self.generation.load(Ordering::Acquire))
    }

    /// Whether no change came since `mark` was taken.
    pub fn unchanged_since(&self, mark: u64) -> bool {
        self.generation.load(Ordering::Acquire) == mark
    }

    /// A change came: reads begun before it are not kept. Call it while holding the lock
    /// that the keeping takes, so that no read is kept between the change and the forgetting.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
    }
}

/// One value (the settings, say).
pub struct Cached<T> {
    value: RwLock<Option<Arc<T>>>,
    freshness: Freshness,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self {
            value: RwLock::new(None),
            freshness: Freshness::default(),
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
        let mark = self.freshness.mark();
        let value = Arc::new(load().await?);
        if let Some(mark) = mark {
            let mut slot = self.value.write().unwrap_or_else(|e| e.into_inner());
            if self.freshness.unchanged_since(mark) {
                *slot = Some(value.clone());
            }
        }
        Ok(value)
    }

    /// Drops the kept value: the next read loads it again.
    pub fn forget(&self) {
        let mut slot = self.value.write().unwrap_or_else(|e| e.into_inner());
        self.freshness.changed();
        *slot = None;
    }

    fn kept(&self) -> Option<Arc<T>> {
        self.value.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl<T: Send + Sync> Forgets for Cached<T> {
    fn forget(&self) {
        Cached::forget(self);
    }

    fn set_listening(&self, listening: bool) {
        self.freshness.set_listening(listening);
        self.forget();
    }
}

/// Who forgets what on which notification channel.
pub type Follower = (&'static str, Arc<dyn Forgets>);

/// Tells each follower of a channel of every notification on it, until the pool closes.
/// The listener holds one of the pool's connections, and gives it back when the pool starts
/// closing.
pub async fn listen(pool: PgPool, followers: Vec<Follower>) {
    let set_listening = |listening: bool| {
        for (_, kept) in &followers {
            kept.set_listening(listening);
        }
    };
    loop {
        tokio::select! {
            () = pool.close_event() => return,
            result = listen_once(&pool, &followers) => if let Err(error) = result {
                tracing::warn!(%error, "change notifications lost; reading afresh until they are back");
            },
        }
        set_listening(false);
        tokio::select! {
            () = pool.close_event() => return,
            () = tokio::time::sleep(RECONNECT_DELAY) => {}
        }
    }
}

async fn listen_once(pool: &PgPool, followers: &[Follower]) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    let mut channels: Vec<&str> = followers.iter().map(|(channel, _)| *channel).collect();
    channels.sort_unstable();
    channels.dedup();
    listener.listen_all(channels).await?;
    for (_, kept) in followers {
        kept.set_listening(true);
    }
    loop {
        // `None`: the connection was lost (and notifications with it).
        let Some(notification) = listener.try_recv().await? else {
            return Ok(());
        };
        for (channel, kept) in followers {
            if *channel == notification.channel() {
                kept.forget();
            }
        }
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
        Forgets::set_listening(&cached, true);
        assert_eq!(*cached.get_or_load(|| load(3)).await.unwrap(), 3);
        assert_eq!(*cached.get_or_load(|| load(4)).await.unwrap(), 3);
        cached.forget();
        assert_eq!(*cached.get_or_load(|| load(5)).await.unwrap(), 5);
        Forgets::set_listening(&cached, false);
        assert_eq!(*cached.get_or_load(|| load(6)).await.unwrap(), 6);
    }

    #[tokio::test]
    async fn a_read_that_a_change_overtook_is_not_kept() {
        let cached = Arc::new(Cached::default());
        Forgets::set_listening(&*cached, true);
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
