//! The background worker that delivers outbox emails: over SMTP, or (development and
//! previews without SMTP) as files in a mail folder, where a developer or a test reads
//! them as a person reads their mail. One-time links are filled in here, at send time.

use std::path::PathBuf;
use std::time::Duration as StdDuration;

use lettre::message::{header::ContentType, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use time::Duration;

use super::outbox::{self, DueEmail};
use crate::auth::tokens::LinkKey;
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
    async fn send(&self, email: &Filled<'_>, sender: &Sender) -> Result<(), String> {
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
                .to
                .parse()
                .map_err(|e| format!("bad recipient: {e}"))?)
            .subject(email.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(email.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(email.html.clone()),
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

/// Where delivered emails go.
pub enum Transport {
    Smtp(Box<Mailer>),
    /// One text file per email (`<time>-<id>.eml`): headers, a blank line, the text body.
    Folder(PathBuf),
}

/// The transport and the key that fills in one-time links.
pub struct Delivery {
    pub transport: Transport,
    pub link_key: LinkKey,
}

/// The sender details from the settings, read for each batch.
pub struct Sender {
    pub from_name: String,
    pub reply_to: String,
}

/// An email as it leaves: its one-time link filled in.
struct Filled<'a> {
    id: uuid::Uuid,
    kind: &'a str,
    to: &'a str,
    subject: &'a str,
    text: String,
    html: String,
}

fn fill<'a>(email: &'a DueEmail, key: &LinkKey) -> Filled<'a> {
    let (text, html) = match email.link_token_id {
        Some(token) => (
            key.fill(&email.body_text, token),
            key.fill(&email.body_html, token),
        ),
        None => (email.body_text.clone(), email.body_html.clone()),
    };
    Filled {
        id: email.id,
        kind: &email.kind,
        to: &email.to_address,
        subject: &email.subject,
        text,
        html,
    }
}

async fn write_to_folder(
    folder: &std::path::Path,
    email: &Filled<'_>,
    sender: &Sender,
) -> Result<(), String> {
    tokio::fs::create_dir_all(folder)
        .await
        .map_err(|e| format!("cannot create the mail folder: {e}"))?;
    let one_line = |text: &str| text.replace(['\r', '\n'], " ");
    let file = format!(
        "From: {}\nReply-To: {}\nTo: {}\nSubject: {}\nX-Codex-Kind: {}\nX-Codex-Email-Id: {}\n\n{}\n",
        one_line(&sender.from_name),
        one_line(&sender.reply_to),
        one_line(email.to),
        one_line(email.subject),
        email.kind,
        email.id,
        email.text
    );
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let path = folder.join(format!("{stamp}-{}.eml", email.id));
    tokio::fs::write(&path, file)
        .await
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Sends every due email once; returns how many were sent.
pub async fn deliver_due(pool: &PgPool, delivery: &Delivery) -> Result<usize, Error> {
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
        let filled = fill(email, &delivery.link_key);
        let result = match &delivery.transport {
            Transport::Smtp(mailer) => mailer.send(&filled, &sender).await,
            Transport::Folder(folder) => write_to_folder(folder, &filled, &sender).await,
        };
        match result {
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
pub async fn run(pool: PgPool, delivery: Delivery) {
    tracing::info!("email delivery worker started");
    loop {
        match deliver_due(&pool, &delivery).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "emails delivered"),
            Ok(_) => {}
            Err(e) => {
                let _ = internal("email delivery round failed", format!("{e:?}"));
            }
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}
