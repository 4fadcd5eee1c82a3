//! Small things an app server keeps in its own memory, shared by its requests: a bounded
//! batch of rows waiting to be written together, a per-key count of hits in the current
//! minute, and a value kept for one day. Ground floor: names no feature.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use time::Date;

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Items waiting to be written in one statement; beyond `max`, new ones are dropped.
pub struct Batch<T> {
    pending: Mutex<Vec<T>>,
    max: usize,
}

impl<T> Batch<T> {
    pub fn new(max: usize) -> Self {
        Self {
            pending: Mutex::new(Vec::new()),
            max,
        }
    }

    /// Adds `item`; false when the batch is full and it was dropped.
    pub fn push(&self, item: T) -> bool {
        let mut pending = locked(&self.pending);
        if pending.len() >= self.max {
            return false;
        }
        pending.push(item);
        true
    }

    /// Everything waiting, leaving the batch empty.
    pub fn take(&self) -> Vec<T> {
        std::mem::take(&mut *locked(&self.pending))
    }
}

/// At most `limit` hits per key in a minute (from the key's first hit), on this server.
pub struct PerMinute<K> {
    hits: Mutex<HashMap<K, (Instant, u32)>>,
    limit: u32,
}

impl<K: Eq + Hash> PerMinute<K> {
    pub fn new(limit: u32) -> Self {
        Self {
            hits: Mutex::new(HashMap::new()),
            limit,
        }
    }

    /// Counts a hit of `key`: false once it is over the limit.
    pub fn allow(&self, key: K) -> bool {
        const MINUTE: Duration = Duration::from_secs(60);
        let now = Instant::now();
        let mut hits = locked(&self.hits);
        if hits.len() > 100_000 {
            hits.retain(|_, (since, _)| now.duration_since(*since) < MINUTE);
        }
        let entry = hits.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= MINUTE {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

/// A value that holds for one day.
pub struct DayValue<V>(Mutex<Option<(Date, V)>>);

impl<V: Clone> DayValue<V> {
    pub fn get(&self, day: Date) -> Option<V> {
        locked(&self.0)
            .as_ref()
            .filter(|(kept, _)| *kept == day)
            .map(|(_, value)| value.clone())
    }

    pub fn keep(&self, day: Date, value: V) {
        *locked(&self.0) = Some((day, value));
    }
}

impl<V> Default for DayValue<V> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_batch_drops_and_take_empties_it() {
        let batch = Batch::new(2);
        assert!(batch.push(1) && batch.push(2));
        assert!(!batch.push(3));
        assert_eq!(batch.take(), vec![1, 2]);
        assert!(batch.take().is_empty());
    }

    #[test]
    fn hits_past_the_limit_are_refused_per_key() {
        let limit = PerMinute::new(2);
        assert!(limit.allow("a") && limit.allow("a"));
        assert!(!limit.allow("a"));
        assert!(limit.allow("b"));
    }

    #[test]
    fn a_day_value_is_for_its_day() {
        let salt = DayValue::default();
        let day = time::macros::date!(2026 - 12 - 07);
        salt.keep(day, 7);
        assert_eq!(salt.get(day), Some(7));
        assert_eq!(salt.get(day.next_day().unwrap()), None);
    }
}
