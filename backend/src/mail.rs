//! How emails leave: over SMTP, or (development and previews without SMTP) as files in a
//! mail folder, where a developer or a test reads them as a person reads their mail. Part
//! of the ground floor: what is sent, and when, is `email`'s.

use std::path::PathBuf;

use lettre::message::{header::ContentType, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

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
    async fn send(&self, email: &Letter<'_>, sender: &Sender) -> Result<(), String> {
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

/// An email as it leaves, addressed and complete.
pub struct Letter<'a> {
    /// The outbox row's id, written into the message's headers.
    pub id: uuid::Uuid,
    /// The outbox kind (`verify_email`, `purchase_receipt` …).
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: String,
    pub html: String,
}

impl Transport {
    /// Sends `letter` from `sender`; the reason it could not, to be tried again.
    pub async fn send(&self, letter: &Letter<'_>, sender: &Sender) -> Result<(), String> {
        match self {
            Transport::Smtp(mailer) => mailer.send(letter, sender).await,
            Transport::Folder(folder) => write_to_folder(folder, letter, sender).await,
        }
    }
}

async fn write_to_folder(
    folder: &std::path::Path,
    email: &Letter<'_>,
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
