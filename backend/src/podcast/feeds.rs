//! A customer's feed: its id and an HMAC of it make the URL (`/feeds/{token}`), so the URL
//! is never stored; a reset ends the feed and starts another, and the old URL stops working.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::email::{outbox, templates};
use crate::error::Error;
use crate::keys::LinkKey;
use crate::security_log::{self, NewEvent};
use crate::settings::service::email_context;
use crate::state::AppState;
use domain::email::TOKEN_SLOT;
use domain::paths;
use domain::security::SecurityEventKind;

/// A live feed found from its URL's token.
#[derive(Debug, Clone, Copy)]
pub struct Feed {
    pub id: Uuid,
    pub user_id: Uuid,
}

/// The caller's feed URL (absolute), made on first asking.
pub async fn url_of(state: &AppState, user: &SignedIn) -> Result<String, Error> {
    let mut conn = state.pool.acquire().await?;
    let id = live_or_new(&mut conn, user.id).await?;
    Ok(state
        .public_url
        .link(&paths::podcast_feed(&state.link_key.token(id))))
}

/// Ends the caller's feed (its URL stops working) and gives them a new one.
pub async fn reset(state: &AppState, user: &SignedIn) -> Result<String, Error> {
    let mut tx = state.pool.begin().await?;
    end(&mut tx, user.id, "reset").await?;
    tx.commit().await?;
    url_of(state, user).await
}

/// The live feed a URL's token names, if the token is genuine.
pub async fn find(
    db: impl PgExecutor<'_>,
    key: &LinkKey,
    token: &str,
) -> Result<Option<Feed>, Error> {
    let Some(id) = key.verify_token(token) else {
        return Ok(None);
    };
    Ok(sqlx::query_as!(
        Feed,
        "SELECT id, user_id FROM podcast_feeds WHERE id = $1 AND ended_at IS NULL",
        id
    )
    .fetch_optional(db)
    .await?)
}

/// Counts the network a fetch came from; past the owner's networks per day, the feed is
/// reset, its customer mailed the new link and the owner told in the security log.
/// Whether the feed still stands.
pub async fn note_fetch(state: &AppState, feed: Feed, network: &str) -> Result<bool, Error> {
    let mut tx = state.pool.begin().await?;
    let seen = sqlx::query!(
        r#"WITH noted AS (
               INSERT INTO podcast_feed_networks (feed_id, day, network)
               VALUES ($1, current_date, $2) ON CONFLICT DO NOTHING)
           SELECT (SELECT count(*) FROM podcast_feed_networks
                   WHERE feed_id = $1 AND day = current_date AND network <> $2) + 1 AS "networks!",
                  (SELECT feed_networks_per_day FROM site_settings) AS "allowed!""#,
        feed.id,
        network
    )
    .fetch_one(&mut *tx)
    .await?;
    if seen.networks <= i64::from(seen.allowed) {
        tx.commit().await?;
        return Ok(true);
    }
    if !end(&mut tx, feed.user_id, "shared").await? {
        // Another fetch reset it first.
        return Ok(false);
    }
    let new_feed = live_or_new(&mut tx, feed.user_id).await?;
    let user = crate::auth::users::find_by_id(&mut *tx, feed.user_id).await?;
    if let Some(user) = user {
        let emails = email_context(state).await?;
        let link = state.public_url.link(&paths::podcast_feed(TOKEN_SLOT));
        let message = templates::podcast_feed_reset(
            emails.addressed(&user.email, &user.name),
            &link,
            seen.networks,
        )
        .with_one_time_link(new_feed);
        outbox::enqueue(&mut tx, &emails, &message).await?;
    }
    let detail = format!(
        "private podcast feed of user {} reset: fetched from {} networks today (at most {} allowed)",
        feed.user_id, seen.networks, seen.allowed
    );
    security_log::record(
        &mut *tx,
        &NewEvent {
            kind: SecurityEventKind::AccessRefused,
            actor: Some(feed.user_id),
            ip: "",
            action: "/feeds",
            status: 410,
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::warn!(user_id = %feed.user_id, networks = seen.networks, "podcast feed shared: reset");
    Ok(false)
}

/// The owner's networks per day before a feed counts as shared.
pub async fn networks_per_day(db: impl PgExecutor<'_>) -> Result<i16, Error> {
    Ok(
        sqlx::query_scalar!("SELECT feed_networks_per_day FROM site_settings")
            .fetch_one(db)
            .await?,
    )
}

pub async fn set_networks_per_day(
    state: &AppState,
    _owner: &crate::auth::Owner,
    networks: i16,
) -> Result<(), Error> {
    if !(1..=100).contains(&networks) {
        return Err(Error::validation(
            "Feed networks per day: a whole number from 1 to 100.",
        ));
    }
    sqlx::query!(
        "UPDATE site_settings SET feed_networks_per_day = $1, updated_at = now()",
        networks
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}

async fn live_or_new(conn: &mut PgConnection, user: Uuid) -> Result<Uuid, Error> {
    if let Some(id) = sqlx::query_scalar!(
        "SELECT id FROM podcast_feeds WHERE user_id = $1 AND ended_at IS NULL",
        user
    )
    .fetch_optional(&mut *conn)
    .await?
    {
        return Ok(id);
    }
    // Two first askings at once: the unique index keeps one, and both read it.
    sqlx::query!(
        "INSERT INTO podcast_feeds (user_id) VALUES ($1) ON CONFLICT DO NOTHING",
        user
    )
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar!(
        "SELECT id FROM podcast_feeds WHERE user_id = $1 AND ended_at IS NULL",
        user
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Ends `user`'s live feed; whether there was one.
async fn end(conn: &mut PgConnection, user: Uuid, reason: &str) -> Result<bool, Error> {
    Ok(sqlx::query!(
        "UPDATE podcast_feeds SET ended_at = now(), end_reason = $2
         WHERE user_id = $1 AND ended_at IS NULL",
        user,
        reason
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0)
}

/// Whether `user` has a feed already, or an audio item for one (what the library offers).
pub async fn has_episodes_or_feed(db: impl PgExecutor<'_>, user: Uuid) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM podcast_feeds WHERE user_id = $1 AND ended_at IS NULL)
               OR EXISTS (SELECT 1 FROM live_access a
                          JOIN content c ON c.id = a.content_id
                          JOIN media m ON m.id = c.media_id
                          WHERE a.user_id = $1 AND m.kind = 'audio' AND a.reason <> 'rented')
           AS "offered!""#,
        user
    )
    .fetch_one(db)
    .await?)
}
