//! Delivering an outbox email, as a job of the one runner (`crate::jobs`), through the
//! state's mail transport (`crate::mail`: SMTP or the mail folder). One-time links are
//! filled in here, at send time. A refused email is tried again with the runner's backoff (30 s, 1 min, 2 min … an
//! hour), then marked failed for the owner, who may resend it.

pub use super::outbox::DeliverEmail;
use super::outbox::{self, DueEmail};
use super::suppression;
use crate::error::Error;
use crate::jobs::Job;
use crate::keys::LinkKey;
use crate::mail::{Letter, Sender};
use crate::state::AppState;

fn fill<'a>(email: &'a DueEmail, key: &LinkKey) -> Letter<'a> {
    let (text, html) = match email.link_token_id {
        Some(token) => (
            key.fill(&email.body_text, token),
            key.fill(&email.body_html, token),
        ),
        None => (email.body_text.clone(), email.body_html.clone()),
    };
    Letter {
        id: email.id,
        kind: &email.kind,
        to: &email.to_address,
        subject: &email.subject,
        text,
        html,
        unsubscribe: None,
    }
}

/// Who emails come from, as the owner set it now.
pub async fn sender(db: impl sqlx::PgExecutor<'_>) -> Result<Sender, Error> {
    Ok(sqlx::query_as!(
        Sender,
        "SELECT email_from_name AS from_name, email_reply_to AS reply_to FROM site_settings"
    )
    .fetch_one(db)
    .await?)
}

impl Job for DeliverEmail {
    const KIND: &'static str = "deliver_email";
    const MAX_ATTEMPTS: i32 = outbox::MAX_ATTEMPTS;

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        let Some(transport) = state.mail.as_deref() else {
            return Err(Error::Unprocessable(
                "email delivery is not configured".into(),
            ));
        };
        // Sent already (a run whose completion was lost), or no longer there.
        let Some(email) = outbox::start_attempt(&state.pool, self.email).await? else {
            return Ok(());
        };
        let sender = sender(&state.pool).await?;
        let filled = fill(&email, &state.link_key);
        match transport.send(&filled, &sender).await {
            Ok(()) => outbox::mark_sent(&state.pool, email.id).await,
            // A hard bounce: trying again cannot help, and marketing email stops too.
            Err(refused) if refused.permanent => {
                tracing::warn!(email_id = %email.id, error = %refused.reason, "email bounced");
                suppression::hard_bounce(&state.pool, &email.to_address, &refused.reason).await?;
                outbox::mark_attempt_failed(&state.pool, email.id, &refused.reason, false).await
            }
            Err(refused) => Err(Error::Unprocessable(refused.reason)),
        }
    }

    async fn failed(&self, state: &AppState, error: &str, retrying: bool) -> Result<(), Error> {
        tracing::warn!(email_id = %self.email, retrying, %error, "email delivery failed");
        outbox::mark_attempt_failed(&state.pool, self.email, error, retrying).await
    }
}
