//! The one sender of marketing email: a job on its own runner (a broadcast to thousands
//! never holds up a receipt), one at a time across instances, that mails each due
//! `marketing_emails` row at `EMAIL_SEND_RATE` per minute.
//!
//! Each row is claimed (`sending`, committed) before its SMTP transaction and marked after,
//! so a person is mailed at most once: a row found `sending` when a sender starts belongs
//! to a sender that died mid-email (at most [`IN_FLIGHT`] of them) and is kept as
//! `unknown`, never sent again. Consent, the
//! suppression list and the automation's reason are checked again just before sending;
//! a person who withdrew meanwhile is `skipped`. A refused email is retried with backoff
//! (a hard bounce is not: it suppresses the address).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};

use sqlx::PgPool;
use uuid::Uuid;

use super::compose::{compose, Body, Composed};
use super::{abandoned, automations, links};
use crate::access::{self, Target};
use crate::email::context::EmailContext;
use crate::email::delivery;
use crate::email::suppression;
use crate::error::Error;
use crate::jobs::{self, Job};
use crate::mail::{Letter, Refused, Sender, Transport, Unsubscribe};
use crate::state::AppState;

/// Emails in their SMTP transaction at once (and so, at most, left in doubt by a crash).
pub const IN_FLIGHT: usize = 8;
/// Tries before a refused email is kept as failed.
const MAX_ATTEMPTS: i32 = 5;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SendMarketingEmails;

impl SendMarketingEmails {
    /// The key the periodic run has too: a wake-up while one runs or waits adds nothing.
    fn key() -> String {
        format!("every:{}", Self::KIND)
    }

    /// Queues a run now (unless one waits or runs).
    pub async fn wake(db: impl sqlx::PgExecutor<'_>) -> Result<(), Error> {
        jobs::enqueue(db, &Self, Some(&Self::key()), Duration::ZERO).await?;
        Ok(())
    }
}

impl Job for SendMarketingEmails {
    const KIND: &'static str = "send_marketing_emails";

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        let Some(transport) = state.mail.as_deref() else {
            return Ok(());
        };
        give_up_interrupted(&state.pool).await?;
        let context = crate::settings::service::email_context(state).await?;
        let sender = delivery::sender(&state.pool).await?;
        let run = Run {
            state,
            transport,
            sender: &sender,
            context: &context,
            texts: Mutex::new(HashMap::new()),
        };
        // One email starts every `pace`, up to IN_FLIGHT at once: an SMTP transaction is
        // several round trips, so one at a time would hold the rate to a few a second.
        let pace = Duration::from_secs_f64(60.0 / f64::from(state.email_send_rate.max(1)));
        let pool = &state.pool;
        let mut next = tokio::time::Instant::now();
        let mut in_flight = FuturesUnordered::new();
        let mut drained = false;
        loop {
            if drained || in_flight.len() >= IN_FLIGHT {
                match in_flight.next().await {
                    Some(done) => done?,
                    None => break,
                }
                continue;
            }
            let due_at = next;
            let claiming = async move {
                tokio::time::sleep_until(due_at).await;
                claim(pool).await
            };
            tokio::pin!(claiming);
            // The sends are polled while a claim waits, so a claim waiting for a connection
            // never stops a send from finishing and giving its own back.
            let claimed = loop {
                tokio::select! {
                    claimed = &mut claiming => break claimed?,
                    Some(done) = in_flight.next(), if !in_flight.is_empty() => done?,
                }
            };
            next = tokio::time::Instant::now().max(next) + pace;
            match claimed {
                Some(due) => in_flight.push(run.send_and_record(due)),
                None => drained = true,
            }
        }
        finish_broadcasts(&state.pool).await
    }
}

/// A claimed row.
pub struct Due {
    id: Uuid,
    user_id: Uuid,
    broadcast_id: Option<Uuid>,
    automation: Option<String>,
    step_id: Option<Uuid>,
    content_id: Option<Uuid>,
    category: String,
    attempts: i32,
}

/// What became of one row.
enum Outcome {
    Sent { address: String },
    Skipped(&'static str),
    Bounced { address: String, reason: String },
    Refused { address: String, reason: String },
}

struct Run<'a> {
    state: &'a AppState,
    transport: &'a Transport,
    sender: &'a Sender,
    context: &'a EmailContext,
    /// Each broadcast's and sequence step's subject and body, rendered once per run.
    texts: Mutex<HashMap<Uuid, (String, Body)>>,
}

impl Run<'_> {
    async fn send_and_record(&self, due: Due) -> Result<(), Error> {
        let outcome = self.send(&due).await?;
        record(&self.state.pool, &due, &outcome).await
    }

    async fn send(&self, due: &Due) -> Result<Outcome, Error> {
        let pool = &self.state.pool;
        let person = sqlx::query!(
            r#"SELECT u.email, u.name,
                      CASE $2 WHEN 'news' THEN u.news_emails ELSE u.release_emails END AS "consents!",
                      EXISTS (SELECT 1 FROM email_suppressions s WHERE s.address = lower(u.email)) AS "suppressed!"
               FROM users u WHERE u.id = $1"#,
            due.user_id,
            due.category
        )
        .fetch_one(pool)
        .await?;
        if person.suppressed {
            return Ok(Outcome::Skipped("the address is on the suppression list"));
        }
        if !person.consents {
            return Ok(Outcome::Skipped("no longer consents"));
        }
        let token = links::token(&self.state.link_key, due.user_id);
        let preferences = self
            .context
            .link(&domain::paths::email_preferences_from(&token, due.id));
        let composed = match (due.broadcast_id, due.step_id, due.content_id) {
            (Some(broadcast), _, _) => {
                let (subject, body) = self.text(Text::Broadcast(broadcast)).await?;
                compose(self.context, &subject, &body, &preferences)
            }
            (None, Some(step), _) => {
                if let Some(why) = self.stopped(due).await? {
                    return Ok(Outcome::Skipped(why));
                }
                let (subject, body) = self.text(Text::Step(step)).await?;
                compose(self.context, &subject, &body, &preferences)
            }
            (None, None, Some(content)) => {
                if access::may_play(pool, due.user_id, Target::Content(content)).await? {
                    return Ok(Outcome::Skipped("bought it already"));
                }
                match abandoned::email(pool, self.context, content, &person.name, &preferences)
                    .await?
                {
                    Some(composed) => composed,
                    None => return Ok(Outcome::Skipped("the item is no longer on sale")),
                }
            }
            (None, None, None) => return Ok(Outcome::Skipped("nothing to send")),
        };
        let one_click = self
            .context
            .link(&domain::paths::email_unsubscribe(&token, due.id));
        Ok(self.deliver(due, &person.email, composed, one_click).await)
    }

    async fn deliver(
        &self,
        due: &Due,
        address: &str,
        composed: Composed,
        one_click: String,
    ) -> Outcome {
        let letter = Letter {
            id: due.id,
            kind: "marketing",
            to: address,
            subject: &composed.subject,
            text: composed.text,
            html: composed.html,
            unsubscribe: Some(Unsubscribe { one_click }),
        };
        let address = address.to_string();
        match self.transport.send(&letter, self.sender).await {
            Ok(()) => Outcome::Sent { address },
            Err(Refused {
                reason,
                permanent: true,
            }) => Outcome::Bounced { address, reason },
            Err(Refused { reason, .. }) => Outcome::Refused { address, reason },
        }
    }

    /// Why a sequence's email no longer goes: its reason went away.
    async fn stopped(&self, due: &Due) -> Result<Option<&'static str>, Error> {
        let pool = &self.state.pool;
        Ok(match (due.automation.as_deref(), due.content_id) {
            (Some("after_purchase"), Some(content))
                if !access::may_play(pool, due.user_id, Target::Content(content)).await? =>
            {
                Some("no longer has the item")
            }
            (Some("win_back"), _) if automations::is_member(pool, due.user_id).await? => {
                Some("a member again")
            }
            _ => None,
        })
    }

    async fn text(&self, text: Text) -> Result<(String, Body), Error> {
        let id = match text {
            Text::Broadcast(id) | Text::Step(id) => id,
        };
        let kept = self
            .texts
            .lock()
            .expect("the texts' lock")
            .get(&id)
            .cloned();
        if let Some(rendered) = kept {
            return Ok(rendered);
        }
        let row = match text {
            Text::Broadcast(id) => {
                sqlx::query_as!(
                    Written,
                    "SELECT subject, body_markdown FROM broadcasts WHERE id = $1",
                    id
                )
                .fetch_one(&self.state.pool)
                .await?
            }
            Text::Step(id) => {
                sqlx::query_as!(
                    Written,
                    "SELECT subject, body_markdown FROM automation_steps WHERE id = $1",
                    id
                )
                .fetch_one(&self.state.pool)
                .await?
            }
        };
        let rendered = (row.subject, Body::of_markdown(&row.body_markdown));
        self.texts
            .lock()
            .expect("the texts' lock")
            .insert(id, rendered.clone());
        Ok(rendered)
    }
}

/// Whose words an email carries.
#[derive(Clone, Copy)]
enum Text {
    Broadcast(Uuid),
    Step(Uuid),
}

/// A subject and Markdown body as the owner wrote them.
struct Written {
    subject: String,
    body_markdown: String,
}

/// Rows a dead sender left mid-email: it may or may not have gone, so it never goes again.
async fn give_up_interrupted(pool: &PgPool) -> Result<(), Error> {
    let given_up = sqlx::query!(
        "UPDATE marketing_emails SET status = 'unknown',
                note = 'The sender stopped while sending it; it is not sent again.'
         WHERE status = 'sending'"
    )
    .execute(pool)
    .await?
    .rows_affected();
    if given_up > 0 {
        tracing::warn!(
            given_up,
            "marketing emails interrupted mid-send; not sent again"
        );
    }
    Ok(())
}

async fn claim(pool: &PgPool) -> Result<Option<Due>, Error> {
    Ok(sqlx::query_as!(
        Due,
        r#"UPDATE marketing_emails SET status = 'sending', attempts = attempts + 1
           WHERE id = (SELECT id FROM marketing_emails
                       WHERE status = 'pending' AND due_at <= now()
                       ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING id, user_id, broadcast_id, automation, step_id, content_id, category, attempts"#
    )
    .fetch_optional(pool)
    .await?)
}

async fn record(pool: &PgPool, due: &Due, outcome: &Outcome) -> Result<(), Error> {
    let (status, note, address) = match outcome {
        Outcome::Sent { address } => ("sent", None, Some(address.as_str())),
        Outcome::Skipped(why) => ("skipped", Some(why.to_string()), None),
        Outcome::Bounced { address, reason } => {
            suppression::hard_bounce(pool, address, reason).await?;
            ("bounced", Some(reason.clone()), Some(address.as_str()))
        }
        Outcome::Refused { address, reason } => {
            tracing::warn!(email = %due.id, error = %reason, "marketing email refused");
            let status = if due.attempts < MAX_ATTEMPTS {
                "pending"
            } else {
                "failed"
            };
            (status, Some(reason.clone()), Some(address.as_str()))
        }
    };
    let retry_in = jobs::queue::backoff(Duration::from_secs(30), due.attempts).as_secs_f64();
    sqlx::query!(
        "UPDATE marketing_emails
         SET status = $2, note = $3, address = COALESCE($4, address),
             sent_at = CASE WHEN $2 = 'sent' THEN now() END,
             due_at = CASE WHEN $2 = 'pending' THEN now() + make_interval(secs => $5) ELSE due_at END
         WHERE id = $1",
        due.id,
        status,
        note,
        address,
        retry_in
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Broadcasts with nobody left to mail are sent.
async fn finish_broadcasts(pool: &PgPool) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE broadcasts b SET status = 'sent'
         WHERE status = 'queued'
           AND NOT EXISTS (SELECT 1 FROM marketing_emails m
                           WHERE m.broadcast_id = b.id AND m.status IN ('pending', 'sending'))"
    )
    .execute(pool)
    .await?;
    Ok(())
}
