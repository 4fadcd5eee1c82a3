//! What every backend operation and route handler can reach: the pool, storage, Stripe and
//! the keys.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::cached::{Cached, KeptMap};
use crate::in_memory::{Batch, DayValue, PerMinute};
use crate::keys::LinkKey;
use crate::mail::Transport;
use crate::storage::MediaStorage;
use crate::storage::SegmentDelivery;
use crate::stripe::gateway::Gateway;
use crate::web_targets::WebTargets;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub public_url: Arc<PublicUrl>,
    pub storage: MediaStorage,
    /// Signs playback tokens (derived from the session secret; never logged).
    pub playback_key: Arc<[u8]>,
    /// How long a playback token lives (`PLAYBACK_TOKEN_SECS`); the open player renews it.
    pub playback_token_lifetime: time::Duration,
    /// Whether segments go through Codex or straight from the store (`MEDIA_DELIVERY`).
    pub segment_delivery: SegmentDelivery,
    /// Stripe, or the local stand-in.
    pub payments: Arc<Gateway>,
    /// Who may run first-run setup.
    pub first_run: FirstRun,
    /// Derives the secrets of emailed one-time links (from the session secret).
    pub link_key: LinkKey,
    /// Where outbound webhooks may be sent (`OUTBOUND_WEBHOOKS_ALLOW_PRIVATE`).
    pub web_targets: WebTargets,
    /// How emails leave (`SMTP_URL`, or files in `MAIL_FOLDER`); `None` when SMTP is
    /// misconfigured, and emails wait in the outbox.
    pub mail: Option<Arc<Transport>>,
    /// Marketing emails sent a minute at most (`EMAIL_SEND_RATE`).
    pub email_send_rate: u32,
    /// The site's settings, read once and kept until they change (`settings::service`).
    pub settings: Arc<Cached<domain::settings::Settings>>,
    /// The catalog's pages of results, kept until the catalog changes (`content::service`).
    pub catalog: Arc<KeptMap<Vec<domain::content::CatalogItem>>>,
    /// What this server keeps for audience analytics (`analytics`).
    pub audience: Arc<Audience>,
    /// Fetches of each private podcast feed this minute on this server (`podcast`): apps
    /// poll about hourly, so a flood is refused before it reaches the database.
    pub feed_fetches: Arc<PerMinute<uuid::Uuid>>,
}

/// Audience analytics in an app server's memory: page views waiting for their batch, the
/// viewers' reports this minute, the day's visitor salt; and how long raw events are kept.
pub struct Audience {
    /// `ANALYTICS_RAW_DAYS`.
    pub raw_days: i32,
    pub page_views: Batch<domain::analytics::PageView>,
    pub reports: PerMinute<uuid::Uuid>,
    pub salt: DayValue<Vec<u8>>,
}

impl Audience {
    /// Page views a server holds at most between batches (a flood beyond is dropped).
    const MAX_PENDING_VIEWS: usize = 100_000;
    /// Reports one viewer may send a minute (one every 15 s per open player, one more as
    /// the page goes away).
    const REPORTS_PER_MINUTE: u32 = 30;

    pub fn new(raw_days: i32) -> Self {
        Self {
            raw_days,
            page_views: Batch::new(Self::MAX_PENDING_VIEWS),
            reports: PerMinute::new(Self::REPORTS_PER_MINUTE),
            salt: DayValue::default(),
        }
    }
}

/// Who may create the owner account through `/setup` while there is none.
#[derive(Clone)]
pub enum FirstRun {
    /// Anyone who opens the site first (development, tests, previews).
    Open,
    /// Whoever types this one-time token (`SETUP_TOKEN`).
    Token(Arc<str>),
    /// Nobody: production without `SETUP_TOKEN` creates the owner with `server create-owner`.
    Closed,
}

/// The site's public base URL, for links that leave the site (emails, Stripe's return
/// pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// Without a trailing slash, e.g. `https://videos.example.com`.
    base: String,
}

impl PublicUrl {
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }

    /// `path_and_query` (which starts with `/`) as an absolute URL.
    pub fn link(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base, path_and_query)
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}
