//! The owner's sequences: welcome (after the address is verified), after the purchase of an
//! item, and win-back (after a membership ends), each up to five emails with delays in days.
//! A person's reason enrols them (one row per step, keyed by step and person, so an event
//! seen twice enrols once), only if they consented to news; each email is checked again as
//! it goes: it stops as soon as its reason goes away (the item refunded, a member again) or
//! they withdrew consent.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::compose::{compose, Body};
use crate::auth::Owner;
use crate::email::context::EmailContext;
use crate::error::{Answer, Error};
use domain::marketing::{Automation, NewStep, StepView, MAX_STEPS};

/// Every step, by sequence, item and delay, each previewed under the brand.
pub async fn steps(
    pool: &PgPool,
    _owner: &Owner,
    context: &EmailContext,
) -> Result<Vec<StepView>, Error> {
    let preferences = context.link(domain::paths::EMAIL_PREFERENCES);
    let rows = sqlx::query!(
        r#"SELECT s.id, s.automation, c.title AS "item?", s.delay_days, s.subject, s.body_markdown,
                  count(*) FILTER (WHERE m.status = 'sent') AS "sent!",
                  count(*) FILTER (WHERE m.status = 'skipped') AS "stopped!"
           FROM automation_steps s
           LEFT JOIN content c ON c.id = s.content_id
           LEFT JOIN marketing_emails m ON m.step_id = s.id
           GROUP BY s.id, c.title
           ORDER BY s.automation, c.title, s.delay_days, s.created_at"#
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let preview = compose(
                context,
                &r.subject,
                &Body::of_markdown(&r.body_markdown),
                &preferences,
            );
            Ok(StepView {
                preview_html: preview.html,
                id: r.id,
                automation: Automation::parse(&r.automation)?,
                item: r.item,
                delay_days: r.delay_days,
                subject: r.subject,
                sent: r.sent,
                stopped: r.stopped,
            })
        })
        .collect()
}

/// Adds a step; a sequence has at most [`MAX_STEPS`].
pub async fn add_step(pool: &PgPool, _owner: &Owner, step: &NewStep) -> Result<Uuid, Error> {
    let mut tx = pool.begin().await?;
    // One sequence's steps are counted and added one at a time.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('automation_steps:' || $1 || ':' || COALESCE($2::uuid::text, '')))",
        step.automation.as_str(),
        step.content_id
    )
    .execute(&mut *tx)
    .await?;
    let existing = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM automation_steps
           WHERE automation = $1 AND content_id IS NOT DISTINCT FROM $2"#,
        step.automation.as_str(),
        step.content_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if existing >= MAX_STEPS {
        return Err(Error::conflict(format!(
            "A sequence has at most {MAX_STEPS} emails: delete one first."
        )));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO automation_steps (automation, content_id, delay_days, subject, body_markdown)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        step.automation.as_str(),
        step.content_id,
        step.delay_days,
        step.subject,
        step.body_markdown
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a step; its emails not yet sent go with it.
pub async fn delete_step(pool: &PgPool, _owner: &Owner, id: Uuid) -> Result<(), Error> {
    let deleted = sqlx::query!("DELETE FROM automation_steps WHERE id = $1", id)
        .execute(pool)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

/// `user`'s reason for `automation` happened now (about item `content` after a purchase):
/// each of its steps is queued for them, `delay_days` from now, if they consented to news.
pub async fn enrol(
    conn: &mut PgConnection,
    automation: Automation,
    user: Uuid,
    content: Option<Uuid>,
) -> Result<(), Error> {
    let queued = sqlx::query!(
        "INSERT INTO marketing_emails (automation, step_id, content_id, user_id, category, due_at)
         SELECT s.automation, s.id, s.content_id, u.id, 'news', now() + make_interval(days => s.delay_days)
         FROM automation_steps s JOIN users u ON u.id = $2
         WHERE s.automation = $1 AND s.content_id IS NOT DISTINCT FROM $3 AND u.news_emails
         ON CONFLICT DO NOTHING",
        automation.as_str(),
        user,
        content
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if queued > 0 {
        tracing::info!(user_id = %user, automation = automation.as_str(), queued, "automation emails queued");
    }
    Ok(())
}

/// Whether `user` is a member of any tier now (a win-back stops then).
pub async fn is_member(pool: &PgPool, user: Uuid) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM current_members WHERE user_id = $1) AS "member!""#,
        user
    )
    .fetch_one(pool)
    .await?)
}
