//! Audience analytics: what the player reports (a [`Beacon`]), how a viewing session's beacons
//! fold into one ([`SessionFold`]), how sessions fold into an item's day ([`ItemDay`]), and
//! the figures the owner's pages show.
//!
//! A beacon carries the session's totals so far (the ranges watched, merged; the counters),
//! so folding takes the union and the largest counter: a lost beacon loses nothing and a
//! replayed or overlapping one counts once.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Invalid;

/// Retention is kept at each 1 % of the duration.
pub const RETENTION_BUCKETS: usize = 100;
/// A session counts as completed once what was watched reaches the last 5 %.
pub const COMPLETED_AT: f64 = crate::playback::COMPLETED_AT;
/// The upper edges of the startup-time histogram, in milliseconds (the last bucket is
/// everything slower).
pub const STARTUP_EDGES_MS: [i32; 16] = [
    100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 7500, 10_000, 15_000, 30_000,
    60_000,
];
pub const STARTUP_BUCKETS: usize = STARTUP_EDGES_MS.len() + 1;

/// Bounds on what one beacon may say.
const MAX_RANGES: usize = 200;
const MAX_STARTUP_MS: u32 = 120_000;
const MAX_STALL_MS: u32 = 12 * 3600 * 1000;
const MAX_COUNT: u32 = 10_000;
/// Players report a position a little past the end now and then.
const DURATION_SLACK: f64 = 2.0;

/// What the player sends, as JSON, every 15 s and when the page goes away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Beacon {
    /// The viewing session: one per play of the page.
    pub session: Uuid,
    pub content_id: Uuid,
    /// `[start, end]` seconds of the media played so far in this session.
    pub watched: Vec<[f64; 2]>,
    /// Play requested → first frame, once there was one.
    pub startup_ms: Option<u32>,
    pub stall_ms: u32,
    pub stalls: u32,
    pub switches: u32,
    /// Playback stopped on an error it could not recover from.
    pub failed: bool,
    /// The viewer asked to play and left before the first frame.
    pub exited_before_start: bool,
}

impl Beacon {
    /// Refuses what no player sends (ranges outside the media, negative or absurd figures)
    /// and merges the ranges, in whole seconds, clamped to `duration`: the session as this
    /// report tells it.
    pub fn check(&self, duration: f64) -> Result<SessionFold, Invalid> {
        if !(duration.is_finite() && duration > 0.0) {
            return Err(Invalid::new("This item has no length to watch."));
        }
        if self.watched.len() > MAX_RANGES {
            return Err(Invalid::new("Too many ranges in one report."));
        }
        let mut ranges = Vec::with_capacity(self.watched.len());
        for [start, end] in &self.watched {
            if !(start.is_finite() && end.is_finite())
                || *start < 0.0
                || end < start
                || *end > duration + DURATION_SLACK
            {
                return Err(Invalid::new("A watched range is outside the item."));
            }
            let limit = duration.ceil() as i32;
            let (start, end) = (
                (start.floor() as i32).min(limit),
                (end.ceil() as i32).min(limit),
            );
            if end > start {
                ranges.push((start, end));
            }
        }
        let bounded = |value: u32, max: u32| -> Result<i32, Invalid> {
            if value > max {
                Err(Invalid::new("A figure in the report is out of range."))
            } else {
                Ok(value as i32)
            }
        };
        Ok(SessionFold {
            watched: merge(ranges),
            startup_ms: self
                .startup_ms
                .map(|ms| bounded(ms, MAX_STARTUP_MS))
                .transpose()?,
            stall_ms: bounded(self.stall_ms, MAX_STALL_MS)?,
            stalls: bounded(self.stalls, MAX_COUNT)?,
            switches: bounded(self.switches, MAX_COUNT)?,
            failed: self.failed,
            exited_before_start: self.exited_before_start && self.startup_ms.is_none(),
        })
    }
}

/// Sorted, with overlapping and touching ranges joined.
pub fn merge(mut ranges: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    ranges.sort_unstable();
    let mut merged: Vec<(i32, i32)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Seconds covered by merged ranges.
pub fn covered(ranges: &[(i32, i32)]) -> i64 {
    ranges.iter().map(|(s, e)| i64::from(e - s)).sum()
}

/// A viewing session's totals: as one report tells them (whole seconds, merged, within the
/// media), or folded from all its reports in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFold {
    pub watched: Vec<(i32, i32)>,
    pub startup_ms: Option<i32>,
    pub stall_ms: i32,
    pub stalls: i32,
    pub switches: i32,
    pub failed: bool,
    pub exited_before_start: bool,
}

impl SessionFold {
    pub fn add(&mut self, beacon: &SessionFold) {
        let mut ranges = std::mem::take(&mut self.watched);
        ranges.extend_from_slice(&beacon.watched);
        self.watched = merge(ranges);
        self.startup_ms = match (self.startup_ms, beacon.startup_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.stall_ms = self.stall_ms.max(beacon.stall_ms);
        self.stalls = self.stalls.max(beacon.stalls);
        self.switches = self.switches.max(beacon.switches);
        self.failed |= beacon.failed;
        self.exited_before_start |= beacon.exited_before_start;
    }

    /// The first frame showed (a view).
    pub fn started(&self) -> bool {
        self.startup_ms.is_some() || !self.watched.is_empty()
    }

    pub fn completed(&self, duration: f64) -> bool {
        let end = self.watched.last().map_or(0, |r| r.1);
        duration > 0.0 && f64::from(end) >= (duration * COMPLETED_AT).floor()
    }
}

/// One item's day, summed from its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDay {
    pub sessions: i32,
    pub views: i32,
    pub watch_seconds: i64,
    pub watched_permille: i64,
    pub completions: i32,
    pub stall_ms: i64,
    pub stalls: i32,
    pub switches: i32,
    pub failures: i32,
    pub exits_before_start: i32,
    pub startup_histogram: Vec<i32>,
    pub retention: Vec<i32>,
}

impl Default for ItemDay {
    fn default() -> Self {
        Self {
            sessions: 0,
            views: 0,
            watch_seconds: 0,
            watched_permille: 0,
            completions: 0,
            stall_ms: 0,
            stalls: 0,
            switches: 0,
            failures: 0,
            exits_before_start: 0,
            startup_histogram: vec![0; STARTUP_BUCKETS],
            retention: vec![0; RETENTION_BUCKETS],
        }
    }
}

impl ItemDay {
    pub fn add(&mut self, session: &SessionFold, duration: f64) {
        self.sessions += 1;
        self.failures += i32::from(session.failed);
        self.exits_before_start += i32::from(session.exited_before_start && !session.started());
        self.stall_ms += i64::from(session.stall_ms);
        self.stalls += session.stalls;
        self.switches += session.switches;
        if !session.started() {
            return;
        }
        self.views += 1;
        let seconds = covered(&session.watched);
        self.watch_seconds += seconds;
        if duration > 0.0 {
            self.watched_permille +=
                ((seconds as f64 / duration) * 1000.0).round().min(1000.0) as i64;
        }
        self.completions += i32::from(session.completed(duration));
        if let Some(ms) = session.startup_ms {
            self.startup_histogram[startup_bucket(ms)] += 1;
        }
        if duration > 0.0 {
            for (bucket, viewers) in self.retention.iter_mut().enumerate() {
                // The middle of each 1 %: a viewer who watched it is still there.
                let at = (bucket as f64 + 0.5) / RETENTION_BUCKETS as f64 * duration;
                if session
                    .watched
                    .iter()
                    .any(|&(s, e)| f64::from(s) <= at && at < f64::from(e))
                {
                    *viewers += 1;
                }
            }
        }
    }
}

pub fn startup_bucket(ms: i32) -> usize {
    STARTUP_EDGES_MS
        .iter()
        .position(|edge| ms <= *edge)
        .unwrap_or(STARTUP_EDGES_MS.len())
}

/// The `share` (0–1) percentile of a startup histogram, as its bucket's upper edge (the
/// last, open bucket reads as twice the last edge); `None` with no first frame at all.
pub fn startup_percentile(histogram: &[i32], share: f64) -> Option<i32> {
    let total: i64 = histogram.iter().map(|n| i64::from(*n)).sum();
    if total == 0 {
        return None;
    }
    let wanted = (share * total as f64).ceil().max(1.0) as i64;
    let mut seen = 0;
    for (bucket, count) in histogram.iter().enumerate() {
        seen += i64::from(*count);
        if seen >= wanted {
            return Some(
                STARTUP_EDGES_MS
                    .get(bucket)
                    .copied()
                    .unwrap_or(STARTUP_EDGES_MS[STARTUP_EDGES_MS.len() - 1] * 2),
            );
        }
    }
    None
}

/// A storefront page whose views are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Catalog,
    Item(String),
}

impl Page {
    /// The counted page at `path`: the catalog, or an item's page.
    pub fn at(path: &str) -> Option<Page> {
        if path == "/" {
            return Some(Page::Catalog);
        }
        let slug = path.strip_prefix("/content/")?;
        (!slug.is_empty() && !slug.contains('/')).then(|| Page::Item(slug.to_string()))
    }
}

/// A page view a server counted and has not written yet. The address lives here only until
/// the batch is hashed (`backend::analytics::traffic`).
#[derive(Debug, Clone)]
pub struct PageView {
    pub at: time::OffsetDateTime,
    pub page: Page,
    pub ip: std::net::IpAddr,
    pub user_agent: String,
    pub source: Option<String>,
}

/// Where a visitor came from, as a report groups it: `source / medium / campaign` from UTM
/// tags, else the referring site's domain. `None` for a direct visit or one from this site.
pub fn source_label(
    utm_source: Option<&str>,
    utm_medium: Option<&str>,
    utm_campaign: Option<&str>,
    referrer_host: Option<&str>,
    own_host: &str,
) -> Option<String> {
    let clean = |value: Option<&str>| -> Option<String> {
        let value: String = value?
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(60)
            .collect::<String>()
            .to_lowercase();
        (!value.is_empty()).then_some(value)
    };
    if let Some(source) = clean(utm_source) {
        let parts: Vec<String> = [Some(source), clean(utm_medium), clean(utm_campaign)]
            .into_iter()
            .flatten()
            .collect();
        return Some(parts.join(" / "));
    }
    let host = clean(referrer_host)?;
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let own = own_host.to_lowercase();
    (host != own.strip_prefix("www.").unwrap_or(&own)).then_some(host)
}

/// The days a report covers, `YYYY-MM-DD` inclusive, in the platform's timezone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: String,
    pub to: String,
    /// `7`, `30`, `90` or `custom`.
    pub preset: String,
}

/// The longest report: two years.
pub const MAX_PERIOD_DAYS: i64 = 731;

impl Period {
    /// The days a report asks for: the last 7, 30 or 90 days to `today`, or `from`–`to`
    /// (`YYYY-MM-DD`) for a custom range. Anything else is the last 30 days.
    pub fn parse(
        preset: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: time::Date,
    ) -> Result<Period, Invalid> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let show = |day: time::Date| day.format(&format).unwrap_or_default();
        match preset.unwrap_or("30") {
            "custom" => {
                let parse = |value: Option<&str>, name: &str| {
                    time::Date::parse(value.unwrap_or("").trim(), &format).map_err(|_| {
                        Invalid::new(format!("{name}: use a date such as 2026-11-03."))
                    })
                };
                let (from, to) = (parse(from, "From")?, parse(to, "To")?);
                if from > to {
                    return Err(Invalid::new("From: pick a day before the end."));
                }
                if (to - from).whole_days() >= MAX_PERIOD_DAYS {
                    return Err(Invalid::new("Pick at most two years."));
                }
                Ok(Period {
                    from: show(from),
                    to: show(to),
                    preset: "custom".into(),
                })
            }
            preset => {
                let days = match preset {
                    "7" => 7,
                    "90" => 90,
                    _ => 30,
                };
                Ok(Period {
                    from: show(today - time::Duration::days(days - 1)),
                    to: show(today),
                    preset: days.to_string(),
                })
            }
        }
    }

    /// The first and last day.
    pub fn days(&self) -> (time::Date, time::Date) {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let day = |value: &str| time::Date::parse(value, &format).expect("a period holds dates");
        (day(&self.from), day(&self.to))
    }

    /// The query string that asks for this period again.
    pub fn query(&self) -> String {
        if self.preset == "custom" {
            format!("range=custom&from={}&to={}", self.from, self.to)
        } else {
            format!("range={}", self.preset)
        }
    }
}

/// One day of the overview's chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    pub day: String,
    pub views: i64,
    pub watch_seconds: i64,
    pub revenue_cents: i64,
}

/// One row of the items table, or an item's headline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFigures {
    pub content_id: Uuid,
    pub title: String,
    pub views: i64,
    pub viewers: i64,
    pub watch_seconds: i64,
    /// Average share watched per view, in thousandths.
    pub average_watched_permille: i64,
    pub completions: i64,
    pub page_views: i64,
    pub checkouts: i64,
    pub paid: i64,
    pub revenue_cents: i64,
}

impl ItemFigures {
    /// Paid sales per hundred page views, in hundredths of a percent.
    pub fn conversion_basis_points(&self) -> Option<i64> {
        (self.page_views > 0).then(|| self.paid * 10_000 / self.page_views)
    }
}

/// How the items table is ordered (`?sort=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ItemSort {
    #[default]
    Views,
    Minutes,
    Watched,
    Conversion,
    Revenue,
    Title,
}

impl ItemSort {
    pub const ALL: [(Self, &'static str, &'static str); 6] = [
        (Self::Title, "title", "Item"),
        (Self::Views, "views", "Views"),
        (Self::Minutes, "minutes", "Minutes watched"),
        (Self::Watched, "watched", "Average watched"),
        (Self::Conversion, "conversion", "Conversion"),
        (Self::Revenue, "revenue", "Revenue"),
    ];

    pub fn parse(value: &str) -> Self {
        Self::ALL
            .iter()
            .find(|(_, key, _)| *key == value)
            .map_or(Self::default(), |(sort, _, _)| *sort)
    }

    pub fn key(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(sort, _, _)| *sort == self)
            .map_or("views", |(_, key, _)| key)
    }

    pub fn apply(self, items: &mut [ItemFigures]) {
        match self {
            Self::Title => items.sort_by_key(|i| i.title.to_lowercase()),
            Self::Views => items.sort_by_key(|i| std::cmp::Reverse(i.views)),
            Self::Minutes => items.sort_by_key(|i| std::cmp::Reverse(i.watch_seconds)),
            Self::Watched => items.sort_by_key(|i| std::cmp::Reverse(i.average_watched_permille)),
            Self::Conversion => {
                items.sort_by_key(|i| std::cmp::Reverse(i.conversion_basis_points().unwrap_or(-1)))
            }
            Self::Revenue => items.sort_by_key(|i| std::cmp::Reverse(i.revenue_cents)),
        }
    }
}

/// `/admin/analytics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub period: Period,
    pub timezone: String,
    /// When the figures were last folded, in the platform's timezone.
    pub updated_at: Option<String>,
    pub days: Vec<DayFigures>,
    pub items: Vec<ItemFigures>,
    pub catalog_views: i64,
    pub visitors: i64,
    /// Every sale, refund and membership payment of the period (as the dashboard counts).
    pub revenue_cents: i64,
}

/// Playback quality over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quality {
    pub startup_p50_ms: Option<i32>,
    pub startup_p75_ms: Option<i32>,
    pub startup_p95_ms: Option<i32>,
    /// stall / (watch + stall), in hundredths of a percent.
    pub rebuffer_basis_points: i64,
    pub failure_basis_points: i64,
    pub exits_before_start: i64,
    pub sessions: i64,
}

/// A source's landings on an item's page and the checkouts of the item it brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFigures {
    /// `newsletter / email / launch`, a domain, or `Direct`.
    pub source: String,
    pub visits: i64,
    pub checkouts: i64,
    pub paid: i64,
}

/// `/admin/analytics/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    pub period: Period,
    pub figures: ItemFigures,
    pub duration_seconds: Option<f64>,
    /// Share of views still watching at each 1 %, in thousandths.
    pub retention_permille: Vec<i64>,
    pub quality: Quality,
    pub sources: Vec<SourceFigures>,
}

/// What one customer watched (their page in `/admin/customers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watched {
    pub title: String,
    pub watch_seconds: i64,
    /// In the platform's timezone.
    pub last_watched: String,
}

/// `45 s`, `12 min` or `3 h 05 min` for a number of seconds watched.
pub fn minutes_label(seconds: i64) -> String {
    let minutes = (seconds + 30) / 60;
    if seconds < 60 {
        format!("{seconds} s")
    } else if minutes < 60 {
        format!("{minutes} min")
    } else {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    }
}

/// `12.5%` for thousandths.
pub fn permille_label(permille: i64) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

/// `2.35%` for hundredths of a percent.
pub fn basis_points_label(points: i64) -> String {
    format!("{}.{:02}%", points / 100, points % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beacon(watched: Vec<[f64; 2]>) -> Beacon {
        Beacon {
            session: Uuid::nil(),
            content_id: Uuid::nil(),
            watched,
            startup_ms: Some(420),
            stall_ms: 0,
            stalls: 0,
            switches: 0,
            failed: false,
            exited_before_start: false,
        }
    }

    #[test]
    fn ranges_merge_and_clamp_to_the_media() {
        let checked = beacon(vec![[10.2, 20.0], [0.0, 5.0], [19.0, 30.0], [99.0, 101.5]])
            .check(100.0)
            .unwrap();
        assert_eq!(checked.watched, vec![(0, 5), (10, 30), (99, 100)]);
        assert_eq!(covered(&checked.watched), 26);
    }

    #[test]
    fn absurd_reports_are_refused() {
        assert!(beacon(vec![[0.0, 500.0]]).check(100.0).is_err());
        assert!(beacon(vec![[-1.0, 5.0]]).check(100.0).is_err());
        assert!(beacon(vec![[5.0, 1.0]]).check(100.0).is_err());
        assert!(beacon(vec![[f64::NAN, 1.0]]).check(100.0).is_err());
        assert!(beacon(vec![[0.0, 1.0]; 201]).check(100.0).is_err());
        let mut slow = beacon(vec![]);
        slow.startup_ms = Some(10_000_000);
        assert!(slow.check(100.0).is_err());
        assert!(beacon(vec![[0.0, 1.0]]).check(0.0).is_err());
    }

    #[test]
    fn replayed_and_overlapping_beacons_count_once() {
        let first = beacon(vec![[0.0, 15.0]]).check(60.0).unwrap();
        let second = beacon(vec![[0.0, 30.0]]).check(60.0).unwrap();
        let mut session = SessionFold::default();
        for b in [&first, &second, &second, &first] {
            session.add(b);
        }
        assert_eq!(session.watched, vec![(0, 30)]);
        assert_eq!(session.startup_ms, Some(420));
        let mut day = ItemDay::default();
        day.add(&session, 60.0);
        assert_eq!(
            (day.views, day.watch_seconds, day.watched_permille),
            (1, 30, 500)
        );
        assert_eq!(day.completions, 0);
        assert_eq!(day.retention[0], 1);
        assert_eq!(day.retention[49], 1);
        assert_eq!(day.retention[50], 0);
    }

    #[test]
    fn completion_is_reaching_the_last_five_percent() {
        let mut session = SessionFold::default();
        session.add(
            &beacon(vec![[0.0, 10.0], [95.0, 100.0]])
                .check(100.0)
                .unwrap(),
        );
        assert!(session.completed(100.0));
        let mut early = SessionFold::default();
        early.add(&beacon(vec![[0.0, 90.0]]).check(100.0).unwrap());
        assert!(!early.completed(100.0));
    }

    #[test]
    fn a_session_without_a_first_frame_is_an_exit_not_a_view() {
        let mut b = beacon(vec![]);
        b.startup_ms = None;
        b.exited_before_start = true;
        let mut session = SessionFold::default();
        session.add(&b.check(100.0).unwrap());
        let mut day = ItemDay::default();
        day.add(&session, 100.0);
        assert_eq!((day.sessions, day.views, day.exits_before_start), (1, 0, 1));
    }

    #[test]
    fn startup_percentiles_read_the_histogram() {
        let mut histogram = vec![0; STARTUP_BUCKETS];
        for ms in [90, 150, 150, 400, 900, 2500, 2500, 2500, 8000, 70_000] {
            histogram[startup_bucket(ms)] += 1;
        }
        assert_eq!(startup_percentile(&histogram, 0.5), Some(1000));
        assert_eq!(startup_percentile(&histogram, 0.75), Some(3000));
        assert_eq!(startup_percentile(&histogram, 0.95), Some(120_000));
        assert_eq!(startup_percentile(&[0; STARTUP_BUCKETS], 0.5), None);
    }

    #[test]
    fn sources_prefer_utm_tags_then_the_referrer() {
        assert_eq!(
            source_label(
                Some("Newsletter"),
                Some("email"),
                None,
                Some("mail.example"),
                "shop.test"
            ),
            Some("newsletter / email".into())
        );
        assert_eq!(
            source_label(None, None, None, Some("www.youtube.com"), "shop.test"),
            Some("youtube.com".into())
        );
        assert_eq!(
            source_label(None, None, None, Some("shop.test"), "shop.test"),
            None
        );
        assert_eq!(
            source_label(Some("  "), None, None, None, "shop.test"),
            None
        );
    }

    #[test]
    fn periods_end_today_or_are_chosen() {
        let today = time::macros::date!(2026 - 12 - 07);
        let week = Period::parse(Some("7"), None, None, today).unwrap();
        assert_eq!(
            (week.from.as_str(), week.to.as_str()),
            ("2026-12-01", "2026-12-07")
        );
        assert_eq!(
            Period::parse(Some("nonsense"), None, None, today)
                .unwrap()
                .preset,
            "30"
        );
        let custom = Period::parse(
            Some("custom"),
            Some("2026-01-01"),
            Some("2026-01-31"),
            today,
        )
        .unwrap();
        assert_eq!(custom.query(), "range=custom&from=2026-01-01&to=2026-01-31");
        assert!(Period::parse(
            Some("custom"),
            Some("2026-02-01"),
            Some("2026-01-31"),
            today
        )
        .is_err());
        assert!(Period::parse(
            Some("custom"),
            Some("2020-01-01"),
            Some("2026-01-31"),
            today
        )
        .is_err());
        assert!(Period::parse(Some("custom"), Some("soon"), Some("2026-01-31"), today).is_err());
    }

    #[test]
    fn only_the_storefront_pages_count() {
        assert_eq!(Page::at("/"), Some(Page::Catalog));
        assert_eq!(Page::at("/content/intro"), Some(Page::Item("intro".into())));
        assert_eq!(Page::at("/content/"), None);
        assert_eq!(Page::at("/content/a/b"), None);
        assert_eq!(Page::at("/library"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(minutes_label(42), "42 s");
        assert_eq!(minutes_label(90), "2 min");
        assert_eq!(minutes_label(3900), "1 h 05 min");
        assert_eq!(permille_label(505), "50.5%");
        assert_eq!(basis_points_label(250), "2.50%");
    }
}
