//! The background worker that sends outbox emails over SMTP.

use std::time::Duration as StdDuration;

use lettre::message::{header::ContentType, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use time::Duration;

use super::outbox::{self, DueEmail};
use crate::error::{internal, Error};

const BATCH: i64 = 10;
const LEASE: Duration = Duration::minutes(5);
const POLL_EVERY: StdDuration = StdDuration::from_secs(5);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    /// `smtp_url` as lettre reads it, e.g. `smtps://user:pass@smtp.example.com:465`.
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("SMTP_URL is not valid: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("EMAIL_FROM is not a valid address: {e}"))?;
        Ok(Self { transport, from })
    }

    /// `sender`: the owner's from-name and reply-to (either may be empty).
    async fn send(&self, email: &DueEmail, sender: &Sender) -> Result<(), String> {
        let mut from = self.from.clone();
        if !sender.from_name.is_empty() {
            from.name = Some(sender.from_name.clone());
        }
        let mut builder = Message::builder().from(from);
        if let Ok(reply_to) = sender.reply_to.parse() {
            builder = builder.reply_to(reply_to);
        }
        let message = builder
            .to(email
                .to_address
                .parse()
                .map_err(|e| format!("bad recipient: {e}"))?)
            .subject(&email.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(email.body_text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(email.body_html.clone()),
                    ),
            )
            .map_err(|e| format!("could not build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP error: {e}"))
    }
}

/// The sender details from the settings, read for each batch.
pub struct Sender {
    pub from_name: String,
    pub reply_to: String,
}

/// Sends every due email once; returns how many were sent.
pub async fn deliver_due(pool: &PgPool, mailer: &Mailer) -> Result<usize, Error> {
    let mut tx = pool.begin().await?;
    let due = outbox::claim_due(&mut tx, BATCH, LEASE).await?;
    tx.commit().await?;
    if due.is_empty() {
        return Ok(0);
    }
    let sender = sqlx::query_as!(
        Sender,
        "SELECT email_from_name AS from_name, email_reply_to AS reply_to FROM site_settings"
    )
    .fetch_one(pool)
    .await?;

    let mut sent = 0;
    for email in &due {
        match mailer.send(email, &sender).await {
            Ok(()) => {
                outbox::mark_sent(pool, email.id).await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(email_id = %email.id, attempt = email.attempts, %error, "email delivery failed");
                outbox::mark_attempt_failed(pool, email, &error).await?;
            }
        }
    }
    Ok(sent)
}

/// Runs until the process stops.
pub async fn run(pool: PgPool, mailer: Mailer) {
    tracing::info!("email delivery worker started");
    loop {
        match deliver_due(&pool, &mailer).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "emails delivered"),
            Ok(_) => {}
            Err(e) => {
                let _ = internal("email delivery round failed", format!("{e:?}"));
            }
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}
