//! How emails leave: over SMTP, or (development and previews without SMTP) as files in a
//! mail folder, where a developer or a test reads them as a person reads their mail. Part
//! of the ground floor: what is sent, and when, is `email`'s.

use std::path::PathBuf;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{MultiPart, SinglePart};
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
    async fn send(&self, email: &Letter<'_>, sender: &Sender) -> Result<(), Refused> {
        let message = self.message(email, sender).map_err(Refused::permanent)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| Refused {
                permanent: e.is_permanent(),
                reason: format!("SMTP error: {e}"),
            })
    }

    fn message(&self, email: &Letter<'_>, sender: &Sender) -> Result<Message, String> {
        let mut from = self.from.clone();
        if !sender.from_name.is_empty() {
            from.name = Some(sender.from_name.clone());
        }
        let mut builder = Message::builder().from(from);
        if let Ok(reply_to) = sender.reply_to.parse() {
            builder = builder.reply_to(reply_to);
        }
        builder = builder.message_id(Some(message_id(email.id, self.from.email.as_ref())));
        if let Some(unsubscribe) = &email.unsubscribe {
            let mailto = sender
                .reply_to
                .parse::<lettre::Address>()
                .unwrap_or(self.from.email.clone());
            for (name, value) in unsubscribe.headers(mailto.as_ref()) {
                builder = builder.raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str(name),
                    value,
                ));
            }
        }
        builder
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
            .map_err(|e| format!("could not build the message: {e}"))
    }
}

/// `<id@domain>`, on the domain of the sending address, as DKIM signing on that domain
/// expects.
fn message_id(id: uuid::Uuid, from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map_or("localhost", |(_, domain)| domain);
    format!("<{}@{domain}>", id.simple())
}

/// Why an email did not leave: `permanent` when the server refused it for good (SMTP 5xx,
/// a hard bounce), so that trying again cannot help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub reason: String,
    pub permanent: bool,
}

impl Refused {
    fn permanent(reason: String) -> Self {
        Self {
            reason,
            permanent: true,
        }
    }

    fn transient(reason: String) -> Self {
        Self {
            reason,
            permanent: false,
        }
    }
}

/// How the recipient of a marketing email leaves its list (RFC 2369 and RFC 8058).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    /// The HTTPS link a mail client posts `List-Unsubscribe=One-Click` to.
    pub one_click: String,
}

impl Unsubscribe {
    /// The headers, with `mailto` the address that takes requests by email.
    fn headers(&self, mailto: &str) -> [(&'static str, String); 2] {
        [
            (
                "List-Unsubscribe",
                format!(
                    "<{}>, <mailto:{mailto}?subject=unsubscribe>",
                    self.one_click
                ),
            ),
            (
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".to_string(),
            ),
        ]
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
    /// Set on marketing email only.
    pub unsubscribe: Option<Unsubscribe>,
}

impl Transport {
    /// Sends `letter` from `sender`; the reason it could not, to be tried again.
    pub async fn send(&self, letter: &Letter<'_>, sender: &Sender) -> Result<(), Refused> {
        match self {
            Transport::Smtp(mailer) => mailer.send(letter, sender).await,
            Transport::Folder(folder) => write_to_folder(folder, letter, sender)
                .await
                .map_err(Refused::transient),
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
    let list_headers: String = email
        .unsubscribe
        .iter()
        .flat_map(|unsubscribe| unsubscribe.headers(&sender.reply_to))
        .map(|(name, value)| format!("{name}: {}\n", one_line(&value)))
        .collect();
    let file = format!(
        "From: {}\nReply-To: {}\nTo: {}\nSubject: {}\nMessage-ID: {}\n{list_headers}X-Codex-Kind: {}\nX-Codex-Email-Id: {}\n\n{}\n",
        one_line(&sender.from_name),
        one_line(&sender.reply_to),
        one_line(email.to),
        one_line(email.subject),
        message_id(email.id, "localhost"),
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
