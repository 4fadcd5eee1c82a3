//! Broadcasts: the owner writes one (Markdown), picks a category and a segment, sees how
//! many it reaches, previews it, sends a test to themself, and sends it now or at a time.
//! When it is due, `QueueBroadcasts` writes one `marketing_emails` row per recipient in one
//! statement (streamed inside PostgreSQL, whatever the audience), keyed by (broadcast,
//! person) so that a second run or a second click queues nobody twice; `sending` mails them.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::compose::{compose, Body, Composed};
use super::sending::SendMarketingEmails;
use crate::auth::Owner;
use crate::email::context::EmailContext;
use crate::email::outbox;
use crate::email::templates::{EmailKind, OutgoingEmail};
use crate::error::{internal, Error};
use crate::jobs::{self, Job};
use crate::state::AppState;
use domain::error::Answer;
use domain::marketing::{Broadcast, BroadcastDraft, BroadcastSummary, Category, Segment};

/// How many people `segment` reaches now among those who consented to `category`.
pub async fn count(pool: &PgPool, category: Category, segment: &Segment) -> Result<i64, Error> {
    let segment = segment_json(segment)?;
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM broadcast_recipients($1, $2)"#,
        category.as_str(),
        segment
    )
    .fetch_one(pool)
    .await?)
}

fn segment_json(segment: &Segment) -> Result<serde_json::Value, Error> {
    serde_json::to_value(segment).map_err(|e| internal("writing a segment", e))
}

/// The broadcast as its recipients get it (with a stand-in preferences link).
pub fn preview(context: &EmailContext, draft: &BroadcastDraft) -> Composed {
    let preferences = context.link(domain::paths::EMAIL_PREFERENCES);
    compose(
        context,
        &draft.subject,
        &Body::of_markdown(&draft.body_markdown),
        &preferences,
    )
}

/// Sends the broadcast to the owner alone, through the outbox, marked as a test.
pub async fn send_test(
    state: &AppState,
    owner: &Owner,
    context: &EmailContext,
    id: Uuid,
) -> Result<(), Error> {
    let broadcast = find(&state.pool, owner, id).await?;
    let composed = preview(context, &broadcast.draft);
    let email = OutgoingEmail {
        kind: EmailKind::BroadcastTest,
        to: owner.email.clone(),
        subject: format!("[Test] {}", composed.subject),
        text: composed.text,
        html: composed.html,
        one_time_link: None,
    };
    let mut conn = state.pool.acquire().await?;
    outbox::enqueue(&mut conn, context, &email).await?;
    Ok(())
}

/// Saves a draft; its id.
pub async fn create_draft(
    pool: &PgPool,
    _owner: &Owner,
    draft: &BroadcastDraft,
) -> Result<Uuid, Error> {
    let id = Uuid::new_v4();
    let segment = segment_json(&draft.segment)?;
    sqlx::query!(
        "INSERT INTO broadcasts (id, subject, body_markdown, category, segment) VALUES ($1, $2, $3, $4, $5)",
        id,
        draft.subject,
        draft.body_markdown,
        draft.category.as_str(),
        segment
    )
    .execute(pool)
    .await?;
    tracing::info!(broadcast = %id, "broadcast drafted");
    Ok(id)
}

/// One broadcast as written, with its status.
pub async fn find(pool: &PgPool, _owner: &Owner, id: Uuid) -> Result<Broadcast, Error> {
    let row = sqlx::query!(
        "SELECT subject, body_markdown, category, segment, status, send_at FROM broadcasts WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    let segment: Segment =
        serde_json::from_value(row.segment).map_err(|e| internal("reading a segment", e))?;
    Ok(Broadcast {
        id,
        draft: BroadcastDraft {
            subject: row.subject,
            body_markdown: row.body_markdown,
            category: Category::parse(&row.category)?,
            segment,
        },
        status: row.status,
        send_at: row.send_at,
    })
}

/// Sends a draft at `at` (now when `None`). A draft goes once: a second click, or one in
/// another tab, is told it went already.
pub async fn send(
    pool: &PgPool,
    _owner: &Owner,
    id: Uuid,
    at: Option<OffsetDateTime>,
) -> Result<(), Error> {
    if at.is_some_and(|at| at < OffsetDateTime::now_utc() - time::Duration::minutes(5)) {
        return Err(Error::validation("Choose a time that has not passed."));
    }
    let mut tx = pool.begin().await?;
    let send_at = sqlx::query_scalar!(
        r#"UPDATE broadcasts SET status = 'scheduled', send_at = GREATEST(COALESCE($2, now()), now())
           WHERE id = $1 AND status = 'draft' RETURNING send_at AS "send_at!""#,
        id,
        at
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Error::conflict("This broadcast was sent or scheduled already."))?;
    let wait =
        std::time::Duration::try_from(send_at - OffsetDateTime::now_utc()).unwrap_or_default();
    jobs::enqueue(&mut *tx, &QueueBroadcasts, None, wait).await?;
    tx.commit().await?;
    tracing::info!(broadcast = %id, %send_at, "broadcast scheduled");
    Ok(())
}

/// `local` (`2026-12-24T09:00`, as a `datetime-local` field sends it) in the platform's
/// timezone.
pub async fn local_time(pool: &PgPool, local: &str) -> Result<OffsetDateTime, Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let at = time::PrimitiveDateTime::parse(local.get(..16).unwrap_or(local), format)
        .map_err(|_| Error::validation("Send at must be a date and time."))?;
    Ok(sqlx::query_scalar!(
        r#"SELECT ($1::timestamp AT TIME ZONE timezone) AS "at!" FROM site_settings"#,
        at
    )
    .fetch_one(pool)
    .await?)
}

/// Deletes a draft (a broadcast that went, or will, stays for its figures).
pub async fn delete_draft(pool: &PgPool, _owner: &Owner, id: Uuid) -> Result<(), Error> {
    let deleted = sqlx::query!(
        "DELETE FROM broadcasts WHERE id = $1 AND status = 'draft'",
        id
    )
    .execute(pool)
    .await?
    .rows_affected();
    if deleted == 0 {
        return Err(Error::conflict("Only a draft can be deleted."));
    }
    Ok(())
}

/// Every broadcast, newest first, with how its sending went.
pub async fn list(pool: &PgPool) -> Result<Vec<BroadcastSummary>, Error> {
    let rows = sqlx::query!(
        r#"SELECT b.id, b.subject, b.segment, b.status, b.send_at, b.created_at,
                  COALESCE(b.recipients, 0)::bigint AS "recipients!",
                  count(*) FILTER (WHERE m.status = 'sent') AS "sent!",
                  count(*) FILTER (WHERE m.status IN ('failed', 'unknown')) AS "failed!",
                  count(*) FILTER (WHERE m.status = 'bounced') AS "bounced!",
                  count(*) FILTER (WHERE m.status = 'skipped') AS "skipped!",
                  count(m.unsubscribed_at) AS "unsubscribed!"
           FROM broadcasts b LEFT JOIN marketing_emails m ON m.broadcast_id = b.id
           GROUP BY b.id ORDER BY COALESCE(b.send_at, b.created_at) DESC LIMIT 200"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BroadcastSummary {
            id: r.id,
            subject: r.subject,
            segment: serde_json::from_value::<Segment>(r.segment)
                .map(|s| s.describe())
                .unwrap_or_default(),
            status: r.status,
            send_at: r.send_at.unwrap_or(r.created_at),
            recipients: r.recipients,
            sent: r.sent,
            failed: r.failed,
            bounced: r.bounced,
            skipped: r.skipped,
            unsubscribed: r.unsubscribed,
        })
        .collect())
}

/// Writes the recipients of every broadcast that is due (one statement each), then wakes
/// the sender. Periodic, and queued when a broadcast is saved.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct QueueBroadcasts;

impl Job for QueueBroadcasts {
    const KIND: &'static str = "queue_broadcasts";

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        let due = sqlx::query_scalar!(
            "SELECT id FROM broadcasts WHERE status = 'scheduled' AND send_at <= now() ORDER BY send_at"
        )
        .fetch_all(&state.pool)
        .await?;
        for broadcast in &due {
            queue_recipients(&state.pool, *broadcast).await?;
        }
        if !due.is_empty() {
            SendMarketingEmails::wake(&state.pool).await?;
        }
        Ok(())
    }
}

/// One row per recipient, and the broadcast marked queued, in one transaction: either
/// all of its recipients are queued or none is.
async fn queue_recipients(pool: &PgPool, broadcast: Uuid) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    let Some(row) = sqlx::query!(
        "SELECT category, segment FROM broadcasts WHERE id = $1 AND status = 'scheduled' FOR UPDATE",
        broadcast
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    let queued = sqlx::query!(
        "INSERT INTO marketing_emails (broadcast_id, user_id, category)
         SELECT $1, user_id, $2 FROM broadcast_recipients($2, $3)
         ON CONFLICT DO NOTHING",
        broadcast,
        row.category,
        row.segment
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query!(
        "UPDATE broadcasts SET status = CASE WHEN $2 = 0 THEN 'sent' ELSE 'queued' END,
                queued_at = now(), recipients = $2
         WHERE id = $1",
        broadcast,
        i32::try_from(queued).unwrap_or(i32::MAX)
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(%broadcast, recipients = queued, "broadcast queued");
    Ok(())
}
