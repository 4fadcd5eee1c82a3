//! The email outbox: every email is a row, written in the transaction of the action that
//! causes it with the job that delivers it (`delivery::DeliverEmail`), so an email is queued
//! exactly when its action commits.

use sqlx::{PgConnection, PgExecutor, PgPool};
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
    // `next_attempt_at` out of reach: an old release's worker, still running during a
    // rollout, leaves the email to its job.
    let written = sqlx::query!(
        r#"INSERT INTO email_outbox (id, kind, to_address, subject, body_text, body_html, link_token_id, dedupe_key, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'infinity')
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
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if written == 0 {
        return Ok(None);
    }
    queue_delivery(conn, id).await?;
    Ok(Some(id))
}

/// Sending one outbox email: a job of the one runner, run by `delivery`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DeliverEmail {
    pub email: Uuid,
}

impl DeliverEmail {
    /// Its `unique_key`: one delivery at a time per email.
    pub fn key(email: Uuid) -> String {
        crate::jobs::unique_key::<Self>(email)
    }
}

async fn queue_delivery(conn: &mut PgConnection, email: Uuid) -> Result<(), Error> {
    let job = DeliverEmail { email };
    let key = DeliverEmail::key(email);
    crate::jobs::enqueue(conn, &job, Some(&key), std::time::Duration::ZERO).await?;
    Ok(())
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

/// An attempt at sending `id` begins: its count goes up, and it is read to be sent. `None`
/// when it is no longer waiting (sent by a run whose completion was lost, or gone).
pub async fn start_attempt(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<DueEmail>, Error> {
    Ok(sqlx::query_as!(
        DueEmail,
        r#"UPDATE email_outbox SET attempts = attempts + 1
           WHERE id = $1 AND status = 'pending'
           RETURNING id, kind, to_address, subject, body_text, body_html, attempts, link_token_id"#,
        id
    )
    .fetch_optional(db)
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

/// Queues an email again (a failed one, or a sent one the recipient lost): delivered by
/// the next free runner, with a fresh count of attempts. An email with a one-time link is
/// not sent twice: the link may be spent, and a new one is a new email.
pub async fn resend(pool: &PgPool, id: Uuid) -> Result<Resent, Error> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"WITH target AS (SELECT id, link_token_id IS NOT NULL AS one_time_link, status
                           FROM email_outbox WHERE id = $1 FOR UPDATE),
                queued AS (UPDATE email_outbox e SET status = 'pending', attempts = 0,
                                  last_error = NULL, sent_at = NULL, next_attempt_at = 'infinity'
                           FROM target t
                           WHERE e.id = t.id AND NOT t.one_time_link AND t.status IN ('failed', 'sent')
                           RETURNING e.id)
           SELECT (SELECT one_time_link FROM target) AS "one_time_link?",
                  EXISTS (SELECT 1 FROM queued) AS "queued!""#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if row.queued {
        queue_delivery(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(match (row.queued, row.one_time_link) {
        (true, _) => Resent::Queued,
        (false, Some(true)) => Resent::OneTimeLink,
        (false, _) => Resent::NotResendable,
    })
}

/// Records a failed attempt: `retrying`, it waits for the job's next try; otherwise it is
/// failed, for the owner to see and resend.
pub async fn mark_attempt_failed(
    db: impl PgExecutor<'_>,
    id: Uuid,
    error: &str,
    retrying: bool,
) -> Result<(), Error> {
    sqlx::query!(
        r#"UPDATE email_outbox
           SET status = CASE WHEN $2 THEN 'pending' ELSE 'failed' END, last_error = $3
           WHERE id = $1 AND status = 'pending'"#,
        id,
        retrying,
        error
    )
    .execute(db)
    .await?;
    Ok(())
}
