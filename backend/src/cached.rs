//! Values read from the database and kept in memory until they change. The process that
//! changes one forgets it at once ([`Cached::forget`], after the commit); every app server
//! hears of the change through a PostgreSQL notification ([`listen`]). While no listener is
//! connected (not started yet, or its connection lost) nothing is kept and values are read
//! every time, so a missed notification can never leave a stale value behind.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

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
struct Freshness {
    /// Moves on every change, so a read that began before a change is not kept.
    generation: AtomicU64,
    listening: AtomicBool,
}

impl Freshness {
    /// Taken before a read: `None` when what is read may not be kept (changes are not heard of).
    fn mark(&self) -> Option<u64> {
        self.listening
            .load(Ordering::Acquire)
            .then(|| self.generation.load(Ordering::Acquire))
    }

    /// Whether no change came since `mark` was taken.
    fn unchanged_since(&self, mark: u64) -> bool {
        self.generation.load(Ordering::Acquire) == mark
    }

    /// A change came: reads begun before it are not kept. Call it while holding the lock
    /// that the keeping takes, so that no read is kept between the change and the forgetting.
    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
    }
}

/// One value (the settings, say): a [`KeptMap`] of one, kept until it changes.
pub struct Cached<T>(KeptMap<T>);

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self(KeptMap::new(1, Duration::MAX))
    }
}

impl<T> Cached<T> {
    /// The kept value, or `load`'s (kept while changes are heard of).
    pub async fn get_or_load<E, F, Fut>(&self, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.0.get_or_load("", load).await
    }

    /// Drops the kept value: the next read loads it again.
    pub fn forget(&self) {
        self.0.forget();
    }
}

impl<T: Send + Sync> Forgets for Cached<T> {
    fn forget(&self) {
        self.0.forget();
    }

    fn set_listening(&self, listening: bool) {
        self.0.set_listening(listening);
    }
}

/// Values by key (rendered pages, query results): at most `capacity` of them, the least
/// recently used making room, each kept `keep_for` at most.
pub struct KeptMap<V> {
    entries: RwLock<HashMap<String, Kept<V>>>,
    freshness: Freshness,
    /// Counts uses, to tell which value was used least recently.
    clock: AtomicU64,
    capacity: usize,
    keep_for: Duration,
}

struct Kept<V> {
    value: Arc<V>,
    kept_at: Instant,
    last_used: AtomicU64,
}

impl<V> KeptMap<V> {
    pub fn new(capacity: usize, keep_for: Duration) -> Self {
        Self {
            entries: RwLock::default(),
            freshness: Freshness::default(),
            clock: AtomicU64::new(0),
            capacity,
            keep_for,
        }
    }

    /// The value kept under `key`, if any (and not too old).
    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let kept = entries
            .get(key)
            .filter(|kept| kept.kept_at.elapsed() < self.keep_for)?;
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        kept.last_used.store(now, Ordering::Relaxed);
        Some(kept.value.clone())
    }

    /// Taken before reading a value to keep: `None` when it may not be kept.
    pub fn mark(&self) -> Option<u64> {
        self.freshness.mark()
    }

    /// Keeps `value` under `key`, unless a change came since `mark` was taken.
    pub fn keep(&self, key: String, value: Arc<V>, mark: u64) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if !self.freshness.unchanged_since(mark) {
            return;
        }
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, kept| kept.kept_at.elapsed() < self.keep_for);
            let least_recent = entries
                .iter()
                .min_by_key(|(_, kept)| kept.last_used.load(Ordering::Relaxed))
                .map(|(key, _)| key.clone());
            if let (true, Some(least_recent)) = (entries.len() >= self.capacity, least_recent) {
                entries.remove(&least_recent);
            }
        }
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        let kept = Kept {
            value,
            kept_at: Instant::now(),
            last_used: AtomicU64::new(now),
        };
        entries.insert(key, kept);
    }

    /// The value kept under `key`, or `load`'s (kept while changes are heard of).
    pub async fn get_or_load<E, F, Fut>(&self, key: &str, load: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        if let Some(value) = self.get(key) {
            return Ok(value);
        }
        let mark = self.mark();
        let value = Arc::new(load().await?);
        if let Some(mark) = mark {
            self.keep(key.to_string(), value.clone(), mark);
        }
        Ok(value)
    }

    /// Drops every kept value: the next reads load them again.
    pub fn forget(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        self.freshness.changed();
        entries.clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl<V: Send + Sync> Forgets for KeptMap<V> {
    fn forget(&self) {
        KeptMap::forget(self);
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

    #[test]
    fn kept_values_last_until_a_change_or_their_time() {
        let map = KeptMap::new(10, Duration::from_secs(60));
        assert_eq!(map.mark(), None, "not listening yet");
        map.set_listening(true);
        let mark = map.mark().unwrap();
        map.keep("/".into(), Arc::new(1), mark);
        assert_eq!(map.get("/").as_deref(), Some(&1));
        map.forget();
        assert_eq!(map.get("/"), None);

        // Read before a change, kept after it: not kept.
        let before = map.mark().unwrap();
        map.forget();
        map.keep("/".into(), Arc::new(1), before);
        assert_eq!(map.get("/"), None);

        let brief = KeptMap::new(10, Duration::ZERO);
        brief.set_listening(true);
        brief.keep("/".into(), Arc::new(1), brief.mark().unwrap());
        assert_eq!(brief.get("/"), None, "too old");
    }

    #[test]
    fn the_least_recently_used_value_makes_room() {
        let map = KeptMap::new(3, Duration::from_secs(60));
        map.set_listening(true);
        for key in ["a", "b", "c"] {
            map.keep(key.into(), Arc::new(key), map.mark().unwrap());
        }
        assert!(map.get("a").is_some());
        map.keep("d".into(), Arc::new("d"), map.mark().unwrap());
        assert_eq!(map.len(), 3);
        assert!(map.get("a").is_some(), "used recently");
        assert!(map.get("b").is_none(), "used least recently");
        assert!(map.get("c").is_some() && map.get("d").is_some());
    }

    #[tokio::test]
    async fn a_map_loads_what_it_does_not_keep() {
        let map = KeptMap::new(3, Duration::from_secs(60));
        map.set_listening(true);
        assert_eq!(*map.get_or_load("k", || load(1)).await.unwrap(), 1);
        assert_eq!(*map.get_or_load("k", || load(2)).await.unwrap(), 1);
        assert_eq!(*map.get_or_load("j", || load(3)).await.unwrap(), 3);
    }
}
