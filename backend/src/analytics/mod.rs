//! Audience analytics, collected by Codex itself: viewing sessions reported by the player
//! (`viewing`), storefront page views counted on the server with a salted daily hash of
//! the visitor (`traffic`), both folded into per-day rollups by a worker (`rollup`), and
//! the owner's reports and exports (`report`, `export`). No raw IP is stored and no cookie
//! is added; the owner's own plays count nothing. Revenue comes from `revenue`, as the
//! dashboard's does.

pub mod export;
pub mod report;
pub mod rollup;
pub mod traffic;
pub mod viewing;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// What each app server keeps for analytics: the page views not yet written, the day's salt
/// and the viewers' recent beacons.
pub struct Analytics {
    /// How long raw events are kept (`ANALYTICS_RAW_DAYS`).
    pub raw_days: i32,
    pub page_views: traffic::PageViews,
    beacons: Mutex<HashMap<Uuid, (Instant, u32)>>,
}

/// Beacons one viewer may send a minute on one server (the player sends one every 15 s per
/// open player, and one more as the page goes away).
const BEACONS_PER_MINUTE: u32 = 30;

impl Analytics {
    pub fn new(raw_days: i32) -> Self {
        Self {
            raw_days,
            page_views: traffic::PageViews::default(),
            beacons: Mutex::default(),
        }
    }

    /// Counts a beacon of `viewer`: false once they sent too many this minute.
    fn beacon_allowed(&self, viewer: Uuid) -> bool {
        let now = Instant::now();
        let mut counts = self.beacons.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() > 100_000 {
            counts.retain(|_, (since, _)| now.duration_since(*since) < Duration::from_secs(60));
        }
        let entry = counts.entry(viewer).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= BEACONS_PER_MINUTE
    }
}

impl Default for Analytics {
    fn default() -> Self {
        Self::new(30)
    }
}
