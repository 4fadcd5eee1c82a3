//! The feed itself: RSS 2.0 with Apple's podcast tags, listing the audio items the feed's
//! customer may play now (by `live_access`, the access rule's view), newest first. Rentals
//! are left out: a podcast app downloads ahead, which would start a rental's hours. GUIDs are
//! the items' ids, so an episode is never seen twice; `itunes:block` keeps the feed out of
//! every directory. With nothing left to play after a membership ended, the feed is one
//! episode saying how to come back.

use std::fmt::Write as _;

use time::format_description::well_known::Rfc2822;
use time::OffsetDateTime;
use uuid::Uuid;

use super::feeds::Feed;
use crate::email::templates::escape_html as escape;
use crate::error::Error;
use crate::settings::service as settings;
use crate::state::AppState;
use domain::paths;

/// The most episodes a feed lists (podcast apps read the whole document every time).
pub const MAX_EPISODES: i64 = 1000;

struct Episode {
    id: Uuid,
    slug: String,
    title: String,
    description: String,
    published_at: Option<OffsetDateTime>,
    duration_seconds: Option<f64>,
    podcast_bytes: Option<i64>,
}

/// The feed's XML for `feed`, whose URL carries `token`.
pub async fn document(state: &AppState, feed: Feed, token: &str) -> Result<String, Error> {
    let episodes = sqlx::query_as!(
        Episode,
        r#"SELECT c.id, c.slug, c.title, c.description, c.published_at,
                  m.duration_seconds AS "duration_seconds?", m.podcast_bytes AS "podcast_bytes?"
           FROM content c JOIN media m ON m.id = c.media_id
           WHERE m.kind = 'audio' AND m.status = 'ready' AND m.podcast_bytes IS NOT NULL
             AND EXISTS (SELECT 1 FROM live_access a
                         WHERE a.user_id = $1 AND a.content_id = c.id AND a.reason <> 'rented')
           ORDER BY c.published_at DESC NULLS LAST, c.id
           LIMIT $2"#,
        feed.user_id,
        MAX_EPISODES
    )
    .fetch_all(&state.pool)
    .await?;
    let lapsed_member = episodes.is_empty()
        && sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM subscriptions WHERE user_id = $1 AND access_until IS NOT NULL)
                      AND NOT EXISTS (SELECT 1 FROM current_members WHERE user_id = $1) AS "lapsed!""#,
            feed.user_id
        )
        .fetch_one(&state.pool)
        .await?;
    let site = settings::current(state).await?;
    let link = |path: &str| escape(&state.public_url.link(path));
    let author = if site.business_name.is_empty() {
        &site.platform_name
    } else {
        &site.business_name
    };
    let name = escape(&site.platform_name);
    let mut xml = String::with_capacity(1024 + episodes.len() * 700);
    xml.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml.push_str(r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom"><channel>"#);
    let _ = write!(
        xml,
        "<title>{name}</title><link>{home}</link><description>{description}</description>\
         <language>en</language><atom:link href=\"{own}\" rel=\"self\" type=\"application/rss+xml\"/>\
         <itunes:author>{author}</itunes:author><itunes:block>yes</itunes:block>\
         <itunes:explicit>false</itunes:explicit>",
        home = link(paths::LIBRARY),
        description = escape(&format!(
            "Your private feed of {}: keep this link to yourself.",
            site.platform_name
        )),
        own = link(&paths::podcast_feed(token)),
        author = escape(author),
    );
    if let Some(logo) = site.logo_url() {
        let logo = link(&logo);
        let _ = write!(
            xml,
            "<itunes:image href=\"{logo}\"/><image><url>{logo}</url><title>{name}</title><link>{}</link></image>",
            link(paths::LIBRARY)
        );
    }
    for episode in &episodes {
        let published = episode
            .published_at
            .and_then(|at| at.format(&Rfc2822).ok())
            .unwrap_or_default();
        let _ = write!(
            xml,
            "<item><title>{title}</title><guid isPermaLink=\"false\">{id}</guid>\
             <link>{page}</link><description>{description}</description>\
             <enclosure url=\"{audio}\" length=\"{length}\" type=\"audio/mp4\"/>\
             <itunes:duration>{duration}</itunes:duration>",
            title = escape(&episode.title),
            id = episode.id,
            page = link(&paths::content(&episode.slug)),
            description = escape(&episode.description),
            audio = link(&paths::podcast_episode(token, episode.id)),
            length = episode.podcast_bytes.unwrap_or(0),
            duration = episode.duration_seconds.unwrap_or(0.0).round() as i64,
        );
        if !published.is_empty() {
            let _ = write!(xml, "<pubDate>{published}</pubDate>");
        }
        xml.push_str("</item>");
    }
    if lapsed_member {
        let _ = write!(
            xml,
            "<item><title>Your membership has ended</title>\
             <guid isPermaLink=\"false\">membership-ended-{user}</guid><link>{pricing}</link>\
             <description>{text}</description></item>",
            user = feed.user_id,
            pricing = link(paths::PRICING),
            text = escape(&format!(
                "Your episodes of {} are back in this feed as soon as you renew your membership at {}.",
                site.platform_name,
                state.public_url.link(paths::PRICING)
            )),
        );
    }
    xml.push_str("</channel></rss>");
    Ok(xml)
}
