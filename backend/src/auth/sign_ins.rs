//! Signed-in devices: each sign-in is a row named in its session (`session::SessionAuth`),
//! with the device it came from (named from the user agent) and its network (never the
//! address). `/account` lists a user's live sign-ins and ends any of them; the session that
//! holds an ended one is signed out on its next request (`session::current_user`).

use std::net::IpAddr;

use sqlx::PgExecutor;
use time::Duration;
use uuid::Uuid;

use super::users::UserRecord;
use crate::error::{Answer, Error};
use domain::devices::{device_label, network_of, SignedInDevice};

/// Where a request comes from: its user agent and address, as the server resolved them.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub user_agent: String,
    pub ip: Option<IpAddr>,
}

impl Client {
    pub fn device(&self) -> String {
        device_label(&self.user_agent)
    }

    pub fn network(&self) -> String {
        self.ip
            .map(network_of)
            .unwrap_or_else(|| "unknown".to_string())
    }
}

/// A new sign-in of `user` from `client`, for a session living `lifetime`.
pub async fn record(
    db: impl PgExecutor<'_>,
    user: &UserRecord,
    client: &Client,
    lifetime: Duration,
) -> Result<Uuid, Error> {
    Ok(sqlx::query_scalar!(
        "INSERT INTO sign_ins (user_id, device, network, epoch, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id",
        user.id,
        client.device(),
        client.network(),
        user.session_epoch,
        lifetime.as_seconds_f64()
    )
    .fetch_one(db)
    .await?)
}

/// The user a session names, if its sign-in (when it has one) has not ended; the sign-in's
/// "last active" moves at most every 5 minutes, so a page view rarely writes.
pub async fn user_of(
    db: impl PgExecutor<'_> + Copy,
    user: Uuid,
    sign_in: Option<Uuid>,
) -> Result<Option<UserRecord>, Error> {
    let Some(row) = sqlx::query!(
        r#"SELECT u.id, u.email, u.name, u.password_hash, u.role, u.email_verified_at,
                  u.session_epoch, s.last_seen_at < now() - interval '5 minutes' AS "stale?"
           FROM users u
           LEFT JOIN sign_ins s ON s.id = $2 AND s.user_id = u.id AND s.ended_at IS NULL
           WHERE u.id = $1 AND ($2::uuid IS NULL OR s.id IS NOT NULL)"#,
        user,
        sign_in
    )
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    if let (Some(true), Some(sign_in)) = (row.stale, sign_in) {
        sqlx::query!(
            "UPDATE sign_ins SET last_seen_at = now() WHERE id = $1",
            sign_in
        )
        .execute(db)
        .await?;
    }
    Ok(Some(UserRecord {
        id: row.id,
        email: row.email,
        name: row.name,
        password_hash: row.password_hash,
        role: row.role,
        email_verified_at: row.email_verified_at,
        session_epoch: row.session_epoch,
    }))
}

/// Keeps a sign-in live across its own password change (the epoch moved under it).
pub async fn adopt_epoch(db: impl PgExecutor<'_>, sign_in: Uuid, epoch: i32) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE sign_ins SET epoch = $2 WHERE id = $1",
        sign_in,
        epoch
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Ends a sign-in of `user`'s; someone else's is not found.
pub async fn end(db: impl PgExecutor<'_>, user: Uuid, sign_in: Uuid) -> Result<(), Error> {
    let ended = sqlx::query!(
        "UPDATE sign_ins SET ended_at = COALESCE(ended_at, now()) WHERE id = $1 AND user_id = $2",
        sign_in,
        user
    )
    .execute(db)
    .await?
    .rows_affected();
    if ended == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

/// `user`'s live sign-ins (not ended, not expired, not from before a password change), the
/// most recently active first; `this` is the caller's own.
pub async fn live(
    db: impl PgExecutor<'_>,
    user: Uuid,
    this: Option<Uuid>,
) -> Result<Vec<SignedInDevice>, Error> {
    let rows = sqlx::query!(
        r#"SELECT s.id, s.device, s.network,
                  GREATEST(0, extract(epoch FROM now() - s.signed_in_at))::bigint AS "signed_in!",
                  GREATEST(0, extract(epoch FROM now() - s.last_seen_at))::bigint AS "seen!"
           FROM sign_ins s JOIN users u ON u.id = s.user_id
           WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > now()
             AND s.epoch = u.session_epoch
           ORDER BY s.last_seen_at DESC, s.id
           LIMIT 50"#,
        user
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SignedInDevice {
            id: row.id,
            device: row.device,
            network: row.network,
            signed_in_seconds_ago: row.signed_in.max(0) as u64,
            last_active_seconds_ago: row.seen.max(0) as u64,
            this_device: Some(row.id) == this,
        })
        .collect())
}

/// Deletes sign-ins a month after they ended or expired.
pub async fn prune(db: impl PgExecutor<'_>) -> Result<(), Error> {
    sqlx::query!(
        "DELETE FROM sign_ins WHERE LEAST(COALESCE(ended_at, expires_at), expires_at)
                                    < now() - interval '30 days'"
    )
    .execute(db)
    .await?;
    Ok(())
}
