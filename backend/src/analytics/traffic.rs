//! Storefront traffic: page views of the catalog and of items' pages, counted on the server
//! (so no script and no cookie is needed), kept in memory and written in batches, so that a
//! page view costs no database write of its own. Unique visitors are counted by an HMAC of
//! the address and browser under a random salt of the day, kept in `visitor_salts` only
//! while the day lasts: the raw address is never written, and yesterday's hashes cannot be
//! linked to today's.
//!
//! A visit that lands from elsewhere (UTM tags, or a link on another site) keeps its source
//! in the visitor's session (first touch); a checkout started in that session records it
//! (`remember_checkout_source`), so each sale knows where its buyer came from.

use std::net::IpAddr;
use std::time::Duration;

use domain::analytics::{Page, PageView};
use sqlx::PgConnection;
use time::Date;
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::Error;
use crate::keys::hmac_sha256;
use crate::state::AppState;

/// The session key of the landing's source.
const LANDING_SOURCE: &str = "analytics.landing_source";

/// Crawlers, monitors, previews and scripts: not visitors. A request without a browser's
/// name is not one either.
pub fn is_bot(user_agent: &str) -> bool {
    const MARKS: [&str; 16] = [
        "bot",
        "crawl",
        "spider",
        "slurp",
        "headless",
        "lighthouse",
        "preview",
        "monitor",
        "curl",
        "wget",
        "python",
        "java/",
        "go-http",
        "httpclient",
        "okhttp",
        "facebookexternal",
    ];
    let agent = user_agent.to_ascii_lowercase();
    !agent.starts_with("mozilla/") || MARKS.iter().any(|mark| agent.contains(mark))
}

/// Where a request to `own_host` landed from: its UTM tags, else the referring site's domain;
/// `None` for a direct visit or a move within the site.
pub fn landing_source(
    query: Option<&str>,
    referer: Option<&str>,
    own_host: &str,
) -> Option<String> {
    let mut utm = [None, None, None];
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let slot = match name.as_ref() {
            "utm_source" => 0,
            "utm_medium" => 1,
            "utm_campaign" => 2,
            _ => continue,
        };
        utm[slot] = Some(value.into_owned());
    }
    let host_of = |url: &str| {
        url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    let referrer_host = referer.and_then(host_of);
    // The request's `Host` may carry a port (`127.0.0.1:3000`); a referrer's host does not.
    let own_host = host_of(&format!("http://{own_host}/")).unwrap_or_default();
    domain::analytics::source_label(
        utm[0].as_deref(),
        utm[1].as_deref(),
        utm[2].as_deref(),
        referrer_host.as_deref(),
        &own_host,
    )
}

/// Keeps `source` as the session's landing, unless it has one already (first touch).
pub async fn keep_landing(session: &Session, source: String) -> Result<(), Error> {
    if session.get::<String>(LANDING_SOURCE).await?.is_none() {
        session.insert(LANDING_SOURCE, source).await?;
    }
    Ok(())
}

/// The session's landing source, if it landed from elsewhere.
pub async fn landing_of(session: &Session) -> Result<Option<String>, Error> {
    Ok(session.get::<String>(LANDING_SOURCE).await?)
}

/// Records where the buyer of checkout `purchase` came from, with the purchase.
pub async fn remember_checkout_source(
    conn: &mut PgConnection,
    purchase: Uuid,
    source: Option<&str>,
) -> Result<(), Error> {
    if let Some(source) = source {
        sqlx::query!(
            "INSERT INTO checkout_sources (purchase_id, source) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            purchase,
            source
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Counts a page view, to be written with the next batch.
pub fn record(state: &AppState, view: PageView) {
    state.audience.page_views.push(view);
}

/// Writes this server's waiting page views in one statement; how many.
pub async fn flush(state: &AppState) -> Result<usize, Error> {
    let views = state.audience.page_views.take();
    if views.is_empty() {
        return Ok(0);
    }
    let pool = &state.pool;
    let (today, _) = crate::revenue::today(pool).await?;
    let salt = salt_of(state, today).await?;
    let slugs: Vec<String> = views
        .iter()
        .filter_map(|v| match &v.page {
            Page::Item(slug) => Some(slug.clone()),
            Page::Catalog => None,
        })
        .collect();
    let items: std::collections::HashMap<String, Uuid> =
        sqlx::query!("SELECT id, slug FROM content WHERE slug = ANY($1)", &slugs)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| (row.slug, row.id))
            .collect();
    let (mut at, mut content, mut visitor, mut source) = (vec![], vec![], vec![], vec![]);
    for view in &views {
        let item = match &view.page {
            Page::Catalog => None,
            Page::Item(slug) => match items.get(slug) {
                Some(id) => Some(*id),
                None => continue,
            },
        };
        at.push(view.at);
        content.push(item);
        visitor.push(visitor_hash(&salt, view.ip, &view.user_agent));
        source.push(view.source.clone());
    }
    let written = at.len();
    sqlx::query!(
        "INSERT INTO page_views (day, viewed_at, content_id, visitor, source)
         SELECT $1, * FROM unnest($2::timestamptz[], $3::uuid[], $4::bytea[], $5::text[])",
        today,
        &at,
        &content as &[Option<Uuid>],
        &visitor,
        &source as &[Option<String>]
    )
    .execute(pool)
    .await?;
    Ok(written)
}

/// The salt of `day`, made by whichever server needs it first.
async fn salt_of(state: &AppState, day: Date) -> Result<Vec<u8>, Error> {
    if let Some(salt) = state.audience.salt.get(day) {
        return Ok(salt);
    }
    let fresh: [u8; 32] = rand::random();
    sqlx::query!(
        "INSERT INTO visitor_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
        day,
        &fresh[..]
    )
    .execute(&state.pool)
    .await?;
    let salt = sqlx::query_scalar!("SELECT salt FROM visitor_salts WHERE day = $1", day)
        .fetch_one(&state.pool)
        .await?;
    state.audience.salt.keep(day, salt.clone());
    Ok(salt)
}

/// The visitor's hash for the day: 16 bytes of an HMAC of address and browser.
fn visitor_hash(salt: &[u8], ip: IpAddr, user_agent: &str) -> Vec<u8> {
    let ip = ip.to_string();
    hmac_sha256(salt, &[ip.as_bytes(), b"\n", user_agent.as_bytes()])[..16].to_vec()
}

/// Writes each server's waiting views every `every` (started with the server).
pub async fn flush_every(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = flush(&state).await {
            tracing::warn!(%error, "page views not written; they are dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_are_not_visitors() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        assert!(!is_bot(chrome));
        assert!(is_bot(
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        ));
        assert!(is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0"
        ));
        assert!(is_bot("curl/8.0"));
        assert!(is_bot(""));
    }

    #[test]
    fn a_landing_knows_its_source() {
        assert_eq!(
            landing_source(
                Some("utm_source=newsletter&utm_medium=email"),
                None,
                "shop.test"
            ),
            Some("newsletter / email".into())
        );
        assert_eq!(
            landing_source(None, Some("https://www.youtube.com/watch?v=1"), "shop.test"),
            Some("youtube.com".into())
        );
        assert_eq!(
            landing_source(None, Some("http://shop.test/library"), "shop.test"),
            None
        );
        assert_eq!(
            landing_source(Some("q=x"), Some("not a url"), "shop.test"),
            None
        );
    }

    #[test]
    fn hashes_change_with_the_salt() {
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let a = visitor_hash(b"day one", ip, "Mozilla/5.0");
        assert_eq!(a, visitor_hash(b"day one", ip, "Mozilla/5.0"));
        assert_ne!(a, visitor_hash(b"day two", ip, "Mozilla/5.0"));
        assert_eq!(a.len(), 16);
    }
}
