//! The email outbox: every email is a row, written in the transaction of the action that
//! causes it, and delivered later by the delivery worker.

use sqlx::{PgConnection, PgExecutor};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::context::EmailContext;
use super::templates::OutgoingEmail;
use crate::error::Error;
use domain::email::OutboxEntry;

/// After this many failed attempts an email is marked failed and left for the owner.
pub const MAX_ATTEMPTS: i32 = 6;

/// Writes `email` to the outbox, unless the owner switched its kind off in the settings.
/// Returns its id, or `None` when it is not sent.
pub async fn enqueue(
    conn: &mut PgConnection,
    context: &EmailContext,
    email: &OutgoingEmail,
) -> Result<Option<Uuid>, Error> {
    insert(conn, context, email, None).await
}

/// `enqueue`, once per `key` ever: what a retried webhook or a second event would send
/// again (`receipt:<purchase>`) is written the first time only. `None` when it was not
/// written now.
pub async fn enqueue_once(
    conn: &mut PgConnection,
    context: &EmailContext,
    email: &OutgoingEmail,
    key: &str,
) -> Result<Option<Uuid>, Error> {
    insert(conn, context, email, Some(key)).await
}

async fn insert(
    conn: &mut PgConnection,
    context: &EmailContext,
    email: &OutgoingEmail,
    dedupe_key: Option<&str>,
) -> Result<Option<Uuid>, Error> {
    if !context.sends(email.kind) {
        tracing::info!(
            kind = email.kind.as_str(),
            "email switched off in the settings; not sent"
        );
        return Ok(None);
    }
    let id = Uuid::new_v4();
    let written = sqlx::query!(
        r#"INSERT INTO email_outbox (id, kind, to_address, subject, body_text, body_html, link_token_id, dedupe_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING"#,
        id,
        email.kind.as_str(),
        email.to,
        email.subject,
        email.text,
        email.html,
        email.one_time_link,
        dedupe_key
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok((written == 1).then_some(id))
}

pub async fn recent(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<OutboxEntry>, Error> {
    Ok(sqlx::query_as!(
        OutboxEntry,
        r#"SELECT id, kind, to_address, subject, body_text, status, attempts, last_error, created_at,
                  link_token_id IS NOT NULL AS "one_time_link!"
           FROM email_outbox ORDER BY created_at DESC LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await?)
}

pub struct DueEmail {
    pub id: Uuid,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i32,
    /// The token whose link the bodies carry as a slot, to fill in as it is sent.
    pub link_token_id: Option<Uuid>,
}

/// Claims up to `limit` due emails for this worker. The claim pushes `next_attempt_at`
/// forward, so a worker that dies mid-send releases them after the lease.
pub async fn claim_due(
    conn: &mut PgConnection,
    limit: i64,
    lease: Duration,
) -> Result<Vec<DueEmail>, Error> {
    let lease_until = OffsetDateTime::now_utc() + lease;
    Ok(sqlx::query_as!(
        DueEmail,
        r#"UPDATE email_outbox SET next_attempt_at = $2, attempts = attempts + 1
           WHERE id IN (
               SELECT id FROM email_outbox
               WHERE status = 'pending' AND next_attempt_at <= now()
               ORDER BY next_attempt_at
               LIMIT $1
               FOR UPDATE SKIP LOCKED)
           RETURNING id, kind, to_address, subject, body_text, body_html, attempts, link_token_id"#,
        limit,
        lease_until
    )
    .fetch_all(conn)
    .await?)
}

pub async fn mark_sent(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE email_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1",
        id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// What the owner's "Resend" did.
#[derive(Debug, PartialEq, Eq)]
pub enum Resent {
    Queued,
    /// Not failed or sent (or no such email).
    NotResendable,
    /// It carried a one-time link: its person asks for a new one instead.
    OneTimeLink,
}

/// Queues an email again (a failed one, or a sent one the recipient lost): delivered on
/// the worker's next round, with a fresh count of attempts. An email with a one-time link
/// is not sent twice: the link may be spent, and a new one is a new email.
pub async fn resend(db: impl PgExecutor<'_>, id: Uuid) -> Result<Resent, Error> {
    let row = sqlx::query!(
        r#"WITH target AS (SELECT id, link_token_id IS NOT NULL AS one_time_link, status
                           FROM email_outbox WHERE id = $1),
                queued AS (UPDATE email_outbox e SET status = 'pending', attempts = 0,
                                  next_attempt_at = now(), last_error = NULL, sent_at = NULL
                           FROM target t
                           WHERE e.id = t.id AND NOT t.one_time_link AND t.status IN ('failed', 'sent')
                           RETURNING e.id)
           SELECT (SELECT one_time_link FROM target) AS "one_time_link?",
                  EXISTS (SELECT 1 FROM queued) AS "queued!""#,
        id
    )
    .fetch_one(db)
    .await?;
    Ok(match (row.queued, row.one_time_link) {
        (true, _) => Resent::Queued,
        (false, Some(true)) => Resent::OneTimeLink,
        (false, _) => Resent::NotResendable,
    })
}

/// Records a failed attempt: retried with exponential backoff, failed after the last one.
pub async fn mark_attempt_failed(
    db: impl PgExecutor<'_>,
    email: &DueEmail,
    error: &str,
) -> Result<(), Error> {
    let give_up = email.attempts >= MAX_ATTEMPTS;
    let next_attempt_at = OffsetDateTime::now_utc() + backoff(email.attempts);
    sqlx::query!(
        r#"UPDATE email_outbox
           SET status = CASE WHEN $2 THEN 'failed' ELSE 'pending' END,
               last_error = $3, next_attempt_at = $4
           WHERE id = $1"#,
        email.id,
        give_up,
        error,
        next_attempt_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// 30 s, 1 min, 2 min, 4 min, ... capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exponent).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(20), Duration::seconds(3600));
    }
}
