//! A lease per open player. Opening a player takes one (`start`), each token renewal keeps
//! it (`renew`) for two token lifetimes more, and "Stop watching there" ends every lease of
//! that device (`stop`). The limit counts devices, not tabs: one browser session is one
//! device, so a reload or a second item in the same browser takes no second slot.

use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::Duration;
use uuid::Uuid;

use super::limit;
use crate::auth::sign_ins::Client;
use crate::error::{Answer, Error};
use domain::streams::ActiveStream;

/// The device a player opens on: a one-way key of its browser session, named from its
/// user agent, with its network (never its address).
#[derive(Debug, Clone)]
pub struct Device {
    key: Vec<u8>,
    label: String,
    network: String,
}

impl Device {
    /// `session_id`: the browser's session id (its hash is kept, never the id itself).
    pub fn new(session_id: &str, client: &Client) -> Self {
        Self {
            key: Sha256::digest(format!("codex-device:{session_id}").as_bytes()).to_vec(),
            label: client.device(),
            network: client.network(),
        }
    }

    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

/// Opening a player: its lease, or the live streams when the limit is reached.
#[derive(Debug)]
pub enum Start {
    Lease(Uuid),
    TooMany {
        limit: u16,
        streams: Vec<ActiveStream>,
    },
}

/// Why a renewal was refused: the message the player shows.
const STOPPED_ELSEWHERE: &str = "Playback stopped: you chose \"Stop watching there\" for this device. Reload the page to watch here again.";
const OVER_THE_LIMIT: &str = "Playback stopped: your account is watching on as many devices as it may at once. Reload the page to see them.";

/// A lease for `user` playing `content` on `device`, unless the account's limit of devices
/// with a live lease is reached without this one. Serialised per account, so two players
/// opened at once cannot both take the last slot.
pub async fn start(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    device: &Device,
    token_lifetime: Duration,
) -> Result<Start, Error> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    if let Some(refused) = admit(&mut tx, user, &device.key).await? {
        return Ok(refused);
    }
    // A reload of the same item on the same device takes over that device's lease.
    sqlx::query!(
        "UPDATE stream_leases SET ended_at = now(), end_reason = 'replaced'
         WHERE user_id = $1 AND device_key = $2 AND content_id = $3 AND ended_at IS NULL",
        user,
        device.key,
        content
    )
    .execute(&mut *tx)
    .await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO stream_leases (user_id, content_id, device_key, device, network, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
         RETURNING id",
        user,
        content,
        device.key,
        device.label,
        device.network,
        lease_seconds(token_lifetime)
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Start::Lease(id))
}

/// Keeps `lease` live for two more token lifetimes. A lease stopped from another device is
/// refused; one that lapsed (a tab asleep) comes back if the account is within its limit.
pub async fn renew(
    conn: &mut PgConnection,
    user: Uuid,
    lease: Uuid,
    token_lifetime: Duration,
) -> Result<(), Error> {
    let seconds = lease_seconds(token_lifetime);
    let renewed = sqlx::query!(
        "UPDATE stream_leases SET renewed_at = now(), expires_at = now() + make_interval(secs => $3)
         WHERE id = $1 AND user_id = $2 AND ended_at IS NULL AND expires_at > now()",
        lease,
        user,
        seconds
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if renewed == 1 {
        return Ok(());
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let Some(row) = sqlx::query!(
        "SELECT device_key, end_reason FROM stream_leases WHERE id = $1 AND user_id = $2",
        lease,
        user
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(Error::Answer(Answer::Forbidden));
    };
    match row.end_reason.as_deref() {
        Some("stopped") => return Err(Error::conflict(STOPPED_ELSEWHERE)),
        Some(_) => {
            return Err(Error::conflict(
                "Playback stopped: this device opened the player again. Reload the page to continue here.",
            ))
        }
        None => {}
    }
    if admit(&mut tx, user, &row.device_key).await?.is_some() {
        return Err(Error::conflict(OVER_THE_LIMIT));
    }
    sqlx::query!(
        "UPDATE stream_leases SET renewed_at = now(), expires_at = now() + make_interval(secs => $2)
         WHERE id = $1",
        lease,
        seconds
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "Stop watching there": ends every live lease of the device `lease` plays on. Stopping
/// a stream that already ended is no error; someone else's lease is not found.
pub async fn stop(conn: &mut PgConnection, user: Uuid, lease: Uuid) -> Result<(), Error> {
    let device = sqlx::query_scalar!(
        "SELECT device_key FROM stream_leases WHERE id = $1 AND user_id = $2",
        lease,
        user
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    sqlx::query!(
        "UPDATE stream_leases SET ended_at = now(), end_reason = 'stopped'
         WHERE user_id = $1 AND device_key = $2 AND ended_at IS NULL",
        user,
        device
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The account's live streams, one per device (its latest player), the most recent first.
pub async fn live(
    conn: &mut PgConnection,
    user: Uuid,
    this_device: Option<&[u8]>,
) -> Result<Vec<ActiveStream>, Error> {
    let rows = sqlx::query!(
        r#"SELECT * FROM (
               SELECT DISTINCT ON (l.device_key) l.id, c.title, l.device, l.network, l.device_key,
                      l.renewed_at,
                      GREATEST(0, extract(epoch FROM now() - l.renewed_at))::bigint AS "ago!"
               FROM stream_leases l JOIN content c ON c.id = l.content_id
               WHERE l.user_id = $1 AND l.ended_at IS NULL AND l.expires_at > now()
               ORDER BY l.device_key, l.renewed_at DESC) latest
           ORDER BY renewed_at DESC, id"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ActiveStream {
            id: row.id,
            item_title: row.title,
            device: row.device,
            network: row.network,
            last_active_seconds_ago: row.ago.max(0) as u64,
            this_device: this_device == Some(row.device_key.as_slice()),
        })
        .collect())
}

/// Whether `device` may hold a live lease: `None` when it may (the account's lock held
/// until the transaction ends), else the refusal with the account's live streams.
async fn admit(tx: &mut PgConnection, user: Uuid, device: &[u8]) -> Result<Option<Start>, Error> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('stream_leases:' || $1::uuid::text, 0))",
        user
    )
    .execute(&mut *tx)
    .await?;
    let Some(limit) = limit::of_user(&mut *tx, user).await?.get() else {
        return Ok(None);
    };
    let others = sqlx::query_scalar!(
        r#"SELECT count(DISTINCT device_key) AS "n!" FROM stream_leases
           WHERE user_id = $1 AND ended_at IS NULL AND expires_at > now() AND device_key <> $2"#,
        user,
        device
    )
    .fetch_one(&mut *tx)
    .await?;
    if others < i64::from(limit) {
        return Ok(None);
    }
    Ok(Some(Start::TooMany {
        limit,
        streams: live(tx, user, Some(device)).await?,
    }))
}

/// Two token lifetimes: a player renews at half its token's life, so a live one renews
/// three times before its lease could lapse.
fn lease_seconds(token_lifetime: Duration) -> f64 {
    token_lifetime.as_seconds_f64() * 2.0
}

/// Removes leases that ended more than 30 days ago.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PruneStreamLeases;

impl crate::jobs::Job for PruneStreamLeases {
    const KIND: &'static str = "prune_stream_leases";

    async fn run(&self, state: &crate::state::AppState) -> Result<(), Error> {
        sqlx::query!(
            "DELETE FROM stream_leases
             WHERE COALESCE(ended_at, expires_at) < now() - interval '30 days'"
        )
        .execute(&state.pool)
        .await?;
        Ok(())
    }
}
