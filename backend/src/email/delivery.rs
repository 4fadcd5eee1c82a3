//! Delivering an outbox email, as a job of the one runner (`crate::jobs`): over SMTP, or
//! (development and previews without SMTP) as a file in a mail folder, where a developer or
//! a test reads it as a person reads their mail. One-time links are filled in here, at send
//! time. A refused email is tried again with the runner's backoff (30 s, 1 min, 2 min … an
//! hour), then marked failed for the owner, who may resend it.

use std::path::PathBuf;

use lettre::message::{header::ContentType, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use uuid::Uuid;

use super::outbox::{self, DueEmail};
use crate::auth::tokens::LinkKey;
use crate::error::Error;
use crate::jobs::Job;
use crate::state::AppState;

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

/// Sending one outbox email.
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
        let sender = sqlx::query_as!(
            Sender,
            "SELECT email_from_name AS from_name, email_reply_to AS reply_to FROM site_settings"
        )
        .fetch_one(&state.pool)
        .await?;
        let filled = fill(&email, &state.link_key);
        match transport {
            Transport::Smtp(mailer) => mailer.send(&filled, &sender).await,
            Transport::Folder(folder) => write_to_folder(folder, &filled, &sender).await,
        }
        .map_err(Error::Unprocessable)?;
        outbox::mark_sent(&state.pool, email.id).await
    }

    async fn failed(&self, state: &AppState, error: &str, retrying: bool) -> Result<(), Error> {
        tracing::warn!(email_id = %self.email, retrying, %error, "email delivery failed");
        outbox::mark_attempt_failed(&state.pool, self.email, error, retrying).await
    }
}
