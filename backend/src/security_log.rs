//! The security log: failed logins, refused requests and every owner action (refunds,
//! grants, settings, content...), with who did it, from which address and what answered.
//! Written by the server's audit middleware; read by the owner at `/admin/security`.
//! Entries are bounded per address for requests nobody signed in made, and per person for
//! a signed-in customer's (`rate_limit::SECURITY_LOG`); the same entry again within ten
//! minutes is counted on the first (`repeats`); every entry is kept 90 days.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::error::Error;
use domain::security::{SecurityEvent, SecurityEventKind};

pub struct NewEvent<'a> {
    pub kind: SecurityEventKind,
    pub actor: Option<Uuid>,
    pub ip: &'a str,
    /// The server function or route, e.g. `/api/refund_purchase`.
    pub action: &'a str,
    pub status: u16,
    /// Named ids and reasons from the request (never passwords or tokens).
    pub detail: &'a str,
}

/// Writes `event`, or counts it on the same entry written in the last ten minutes.
pub async fn record(db: impl PgExecutor<'_>, event: &NewEvent<'_>) -> Result<(), Error> {
    sqlx::query!(
        "WITH repeated AS (
             UPDATE security_events SET repeats = repeats + 1, last_at = now()
             WHERE id = (SELECT id FROM security_events
                         WHERE at > now() - interval '10 minutes' AND kind = $1
                           AND actor_id IS NOT DISTINCT FROM $2 AND ip = $3 AND action = $4
                           AND status = $5 AND detail = $6
                         ORDER BY at DESC LIMIT 1)
             RETURNING id)
         INSERT INTO security_events (kind, actor_id, ip, action, status, detail)
         SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM repeated)",
        event.kind.as_str(),
        event.actor,
        event.ip,
        event.action,
        i32::from(event.status),
        event.detail
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The newest events, with the actor's email when there was one.
pub async fn recent(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<SecurityEvent>, Error> {
    Ok(sqlx::query_as!(
        SecurityEvent,
        r#"SELECT e.at, e.kind, u.email AS "actor?", e.ip, e.action, e.status, e.detail,
                  e.repeats
           FROM security_events e LEFT JOIN users u ON u.id = e.actor_id
           ORDER BY e.at DESC, e.id DESC LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await?)
}

/// The periodic job that drops old events (`prune`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PruneSecurityLog;

impl crate::jobs::Job for PruneSecurityLog {
    const KIND: &'static str = "prune_security_log";

    async fn run(&self, state: &crate::state::AppState) -> Result<(), Error> {
        prune(&state.pool).await.map(|_| ())
    }
}

/// Drops events older than 90 days.
pub async fn prune(db: impl PgExecutor<'_>) -> Result<u64, Error> {
    let result = sqlx::query!("DELETE FROM security_events WHERE at < now() - interval '90 days'")
        .execute(db)
        .await?;
    Ok(result.rows_affected())
}
