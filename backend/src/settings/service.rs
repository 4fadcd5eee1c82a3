//! Reading and saving the settings. Pages and emails read them from memory
//! ([`current`]); every change forgets that copy, here at once and on every other app
//! server through the `site_settings_changed` notification (a trigger on the table).

use std::sync::Arc;

use domain::paths;
use sqlx::PgExecutor;

use crate::auth::Owner;
use crate::email::context::EmailContext;
use crate::email::templates::{self, Brand};
use crate::error::{Answer, Error};
use crate::state::{AppState, PublicUrl};
use domain::auth::Email;
use domain::settings::{
    parse_social_links, EmailPreview, HexColour, Settings, MAX_INTRODUCTION_CHARS, MAX_LEGAL_CHARS,
};
use uuid::Uuid;

const MAX_NAME_CHARS: usize = 80;
const MAX_BUSINESS_CHARS: usize = 120;
const MAX_TEXT_CHARS: usize = 1000;

/// The channel the table's trigger notifies on every change.
pub const CHANGED_CHANNEL: &str = "site_settings_changed";

/// The settings, from memory when they have not changed since they were last read.
pub async fn current(state: &AppState) -> Result<Arc<Settings>, Error> {
    state.settings.get_or_load(|| load(&state.pool)).await
}

/// Keeps `state.settings` in step with changes made by any process (given to
/// [`crate::cached::listen`]).
pub fn follower(state: &AppState) -> crate::cached::Follower {
    (CHANGED_CHANNEL, state.settings.clone())
}

/// The settings as the database has them now (in a transaction: as it sees them).
pub async fn load(db: impl PgExecutor<'_>) -> Result<Settings, Error> {
    Ok(sqlx::query_as!(
        Settings,
        r#"SELECT platform_name, primary_color, contact_email, business_name, timezone,
                  email_from_name, email_reply_to, send_welcome, send_receipt,
                  send_sale_notification, send_refund, automatic_tax, logo_type, welcome_text, receipt_text,
                  social_links, terms_text, privacy_text, introduction, featured_content_id,
                  extract(epoch FROM updated_at)::bigint AS "version!"
           FROM site_settings"#
    )
    .fetch_one(db)
    .await?)
}

/// What the emails of one action need from the settings (the kept ones, see [`current`]),
/// and where their links point. Call it before a transaction, not inside one: when the
/// settings are not kept it reads them on a connection of its own.
pub async fn email_context(state: &AppState) -> Result<EmailContext, Error> {
    emails_of(&*current(state).await?, state.public_url.clone())
}

/// What the emails need of `settings`, with links to `public_url`.
pub fn emails_of(settings: &Settings, public_url: Arc<PublicUrl>) -> Result<EmailContext, Error> {
    Ok(EmailContext {
        brand: Brand {
            logo_url: settings.logo_url().map(|path| public_url.link(&path)),
            colour: HexColour::parse(&settings.primary_color)?,
            name: settings.platform_name.clone(),
            business: settings.business_name.clone(),
            contact_email: settings.contact_email.clone(),
        },
        welcome_text: settings.welcome_text.clone(),
        receipt_text: settings.receipt_text.clone(),
        send_welcome: settings.send_welcome,
        send_receipt: settings.send_receipt,
        send_sale_notification: settings.send_sale_notification,
        send_refund: settings.send_refund,
        links: public_url,
    })
}

/// The form as sent; `parse` checks every field.
#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    pub platform_name: String,
    pub primary_color: String,
    pub contact_email: String,
    pub business_name: String,
    pub timezone: String,
    pub email_from_name: String,
    pub email_reply_to: String,
    pub send_welcome: bool,
    pub send_receipt: bool,
    pub send_sale_notification: bool,
    pub send_refund: bool,
    pub automatic_tax: bool,
    pub welcome_text: String,
    pub receipt_text: String,
}

/// A one-line text field: trimmed, at most `max` characters, no line breaks.
fn line(label: &str, value: &str, max: usize, required: bool) -> Result<String, Error> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(Error::validation(format!("{label} is required.")));
    }
    if value.chars().count() > max {
        return Err(Error::validation(format!(
            "{label}: at most {max} characters."
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::validation(format!(
            "{label}: one line of plain text."
        )));
    }
    Ok(value.to_string())
}

/// A text the owner writes: trimmed, at most `max` characters (1,000 for an email's
/// paragraph).
fn paragraph(label: &str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::validation(format!(
            "{label}: at most {max} characters."
        )));
    }
    Ok(value.to_string())
}

fn optional_email(label: &str, value: &str) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    Email::parse(value)
        .map(|e| e.as_str().to_string())
        .map_err(|_| Error::validation(format!("{label}: enter a valid email address.")))
}

impl SettingsForm {
    pub fn parse(mut self) -> Result<Self, Error> {
        self.platform_name = line("Platform name", &self.platform_name, MAX_NAME_CHARS, true)?;
        self.primary_color = HexColour::parse(&self.primary_color)?.as_str().to_string();
        self.contact_email = optional_email("Contact email", &self.contact_email)?;
        self.business_name = line(
            "Business name",
            &self.business_name,
            MAX_BUSINESS_CHARS,
            false,
        )?;
        self.timezone = line("Timezone", &self.timezone, 64, true)?;
        self.email_from_name = line(
            "Email from-name",
            &self.email_from_name,
            MAX_NAME_CHARS,
            false,
        )?;
        self.email_reply_to = optional_email("Reply-to", &self.email_reply_to)?;
        self.welcome_text = paragraph("Welcome email text", &self.welcome_text, MAX_TEXT_CHARS)?;
        self.receipt_text = paragraph("Receipt email text", &self.receipt_text, MAX_TEXT_CHARS)?;
        Ok(self)
    }
}

/// The timezones the owner picks from: PostgreSQL's own names, so each one saves, without
/// its POSIX, `Etc/` and System V aliases.
pub async fn timezones(db: impl PgExecutor<'_>, _owner: &Owner) -> Result<Vec<String>, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT name AS "name!" FROM pg_timezone_names
           WHERE (name LIKE '%/%' AND name !~ '^(posix|Etc|SystemV)/') OR name = 'UTC'
           ORDER BY name"#
    )
    .fetch_all(db)
    .await?)
}

pub async fn save(state: &AppState, _owner: &Owner, form: SettingsForm) -> Result<(), Error> {
    let form = form.parse()?;
    let known_zone = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS "known!""#,
        form.timezone
    )
    .fetch_one(&state.pool)
    .await?;
    if !known_zone {
        return Err(Error::validation(
            "Timezone: use a name such as Europe/Paris or America/New_York.",
        ));
    }
    sqlx::query!(
        "UPDATE site_settings SET platform_name = $1, primary_color = $2, contact_email = $3,
                business_name = $4, timezone = $5, email_from_name = $6, email_reply_to = $7,
                send_welcome = $8, send_receipt = $9, send_sale_notification = $10,
                send_refund = $11, welcome_text = $12, receipt_text = $13, automatic_tax = $14,
                updated_at = now()",
        form.platform_name,
        form.primary_color,
        form.contact_email,
        form.business_name,
        form.timezone,
        form.email_from_name,
        form.email_reply_to,
        form.send_welcome,
        form.send_receipt,
        form.send_sale_notification,
        form.send_refund,
        form.welcome_text,
        form.receipt_text,
        form.automatic_tax
    )
    .execute(&state.pool)
    .await?;
    state.settings.forget();
    Ok(())
}

/// The storefront form, parsed: the creator's introduction and featured item above the
/// catalog, the footer's social links and the legal texts.
pub struct Storefront {
    pub introduction: String,
    pub featured: Option<Uuid>,
    pub social_links: Vec<String>,
    pub terms_text: String,
    pub privacy_text: String,
}

/// The storefront form's fields as posted.
pub struct StorefrontForm<'a> {
    pub introduction: &'a str,
    /// An item's id, or '' for none.
    pub featured: &'a str,
    /// One link per line.
    pub social_links: &'a str,
    pub terms_text: &'a str,
    pub privacy_text: &'a str,
}

impl Storefront {
    /// The form's fields: links one per line, texts as their textareas send them.
    pub fn parse(form: StorefrontForm<'_>) -> Result<Self, Error> {
        let featured = match form.featured.trim() {
            "" => None,
            id => Some(Uuid::parse_str(id).map_err(|_| not_featurable())?),
        };
        Ok(Self {
            introduction: lines("Introduction", form.introduction, MAX_INTRODUCTION_CHARS)?,
            featured,
            social_links: parse_social_links(form.social_links)?
                .into_iter()
                .map(|link| link.as_str().to_string())
                .collect(),
            terms_text: lines("Terms of sale", form.terms_text, MAX_LEGAL_CHARS)?,
            privacy_text: lines("Privacy policy", form.privacy_text, MAX_LEGAL_CHARS)?,
        })
    }
}

pub async fn save_storefront(
    state: &AppState,
    _owner: &Owner,
    storefront: &Storefront,
) -> Result<(), Error> {
    let Storefront {
        introduction,
        featured,
        social_links: links,
        terms_text,
        privacy_text,
    } = storefront;
    // Only a published item is featured; the catalog checks again when it shows it.
    let saved = sqlx::query!(
        "UPDATE site_settings SET introduction = $1, featured_content_id = $2, social_links = $3,
                terms_text = $4, privacy_text = $5, updated_at = now()
         WHERE $2::uuid IS NULL
            OR EXISTS (SELECT 1 FROM content WHERE id = $2 AND status = 'published' AND deleted_at IS NULL)",
        introduction,
        *featured,
        links,
        terms_text,
        privacy_text
    )
    .execute(&state.pool)
    .await?;
    if saved.rows_affected() == 0 {
        return Err(not_featurable());
    }
    state.settings.forget();
    Ok(())
}

/// A text of several lines as the form sends it (a textarea's lines end in CRLF), stored
/// with `\n`.
fn lines(label: &str, value: &str, max: usize) -> Result<String, Error> {
    Ok(paragraph(label, value, max)?.replace("\r\n", "\n"))
}

fn not_featurable() -> Error {
    Error::validation("Featured item: choose one of your published items.")
}

/// The terms of sale or the privacy policy (`kind`: `terms` or `privacy`), '' when the
/// owner has written none.
pub async fn legal(state: &AppState, kind: &str) -> Result<String, Error> {
    let settings = current(state).await?;
    match kind {
        "terms" => Ok(settings.terms_text.clone()),
        "privacy" => Ok(settings.privacy_text.clone()),
        _ => Err(Error::Answer(Answer::NotFound)),
    }
}

/// The welcome or receipt email with `text`, for a made-up customer and purchase.
pub async fn preview(
    state: &AppState,
    _owner: &Owner,
    kind: String,
    text: String,
) -> Result<EmailPreview, Error> {
    let text = paragraph("Text", &text, MAX_TEXT_CHARS)?;
    let context = email_context(state).await?;
    let alex = context.addressed("alex@example.com", "Alex");
    let email = match kind.as_str() {
        "welcome" => templates::welcome(alex, &state.public_url.link(paths::LIBRARY), &text),
        "receipt" => templates::purchase_receipt(
            alex,
            &templates::PurchaseFacts {
                title: "Sample film",
                amount: "$12.34",
                payment_id: "pi_sample",
                date: "27 Nov 2026",
                payment_method: Some("Visa •••• 4242"),
                tax: None,
                stripe_receipt_url: None,
            },
            &state.public_url.link("/account/purchases"),
            &text,
        ),
        _ => {
            return Err(Error::validation(
                "Choose the welcome or the receipt email.",
            ))
        }
    };
    Ok(EmailPreview {
        subject: email.subject,
        text: email.text,
        html: email.html,
    })
}

pub async fn for_owner(state: &AppState, _owner: &Owner) -> Result<Settings, Error> {
    load(&state.pool).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            platform_name: " My Films ".into(),
            primary_color: "#10b981".into(),
            timezone: "Europe/Paris".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_form_is_cleaned() {
        let parsed = form().parse().unwrap();
        assert_eq!(parsed.platform_name, "My Films");
        assert_eq!(parsed.primary_color, "#10B981");
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = |f: SettingsForm| f.parse().unwrap_err().to_string();
        assert!(bad(SettingsForm {
            primary_color: "blue".into(),
            ..form()
        })
        .starts_with("Primary colour"));
        assert!(bad(SettingsForm {
            platform_name: " ".into(),
            ..form()
        })
        .starts_with("Platform name"));
        assert!(bad(SettingsForm {
            contact_email: "nope".into(),
            ..form()
        })
        .starts_with("Contact email"));
        assert!(bad(SettingsForm {
            email_from_name: "a\r\nBcc: x".into(),
            ..form()
        })
        .starts_with("Email from-name"));
    }
}
