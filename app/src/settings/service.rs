//! Reading and saving the settings. They are read from the database on every use (one row
//! by primary key), so a change shows on every app server at once.

use sqlx::PgExecutor;

use super::types::{HexColour, Settings};
use crate::auth::guard::require_owner;
use crate::auth::types::Email;
use crate::email::templates::EmailKind;
use crate::error::AppError;

const MAX_NAME_CHARS: usize = 80;
const MAX_BUSINESS_CHARS: usize = 120;

pub async fn load(db: impl PgExecutor<'_>) -> Result<Settings, AppError> {
    Ok(sqlx::query_as!(
        Settings,
        r#"SELECT platform_name, primary_color, contact_email, business_name, timezone,
                  email_from_name, email_reply_to, send_welcome, send_receipt,
                  send_sale_notification, send_refund, logo_type,
                  extract(epoch FROM updated_at)::bigint AS "version!"
           FROM site_settings"#
    )
    .fetch_one(db)
    .await?)
}

/// The platform's name, as emails and pages show it.
pub async fn platform_name(db: impl PgExecutor<'_>) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar!("SELECT platform_name FROM site_settings")
            .fetch_one(db)
            .await?,
    )
}

/// Whether emails of `kind` go out. Verification and password emails always do.
pub async fn email_enabled(db: impl PgExecutor<'_>, kind: EmailKind) -> Result<bool, AppError> {
    let settings = sqlx::query!(
        "SELECT send_welcome, send_receipt, send_sale_notification, send_refund FROM site_settings"
    )
    .fetch_one(db)
    .await?;
    Ok(match kind {
        EmailKind::Welcome => settings.send_welcome,
        EmailKind::PurchaseReceipt => settings.send_receipt,
        EmailKind::SaleNotification => settings.send_sale_notification,
        EmailKind::RefundConfirmation => settings.send_refund,
        EmailKind::VerifyEmail | EmailKind::PasswordReset | EmailKind::PasswordChanged => true,
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
}

/// A one-line text field: trimmed, at most `max` characters, no line breaks.
fn line(label: &str, value: &str, max: usize, required: bool) -> Result<String, AppError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(AppError::validation(format!("{label} is required.")));
    }
    if value.chars().count() > max {
        return Err(AppError::validation(format!(
            "{label}: at most {max} characters."
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::validation(format!(
            "{label}: one line of plain text."
        )));
    }
    Ok(value.to_string())
}

fn optional_email(label: &str, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    Email::parse(value)
        .map(|e| e.as_str().to_string())
        .map_err(|_| AppError::validation(format!("{label}: enter a valid email address.")))
}

impl SettingsForm {
    pub fn parse(mut self) -> Result<Self, AppError> {
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
        Ok(self)
    }
}

pub async fn save(form: SettingsForm) -> Result<(), AppError> {
    let form = form.parse()?;
    let (state, _) = require_owner().await?;
    let known_zone = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS "known!""#,
        form.timezone
    )
    .fetch_one(&state.pool)
    .await?;
    if !known_zone {
        return Err(AppError::validation(
            "Timezone: use a name such as Europe/Paris or America/New_York.",
        ));
    }
    sqlx::query!(
        "UPDATE site_settings SET platform_name = $1, primary_color = $2, contact_email = $3,
                business_name = $4, timezone = $5, email_from_name = $6, email_reply_to = $7,
                send_welcome = $8, send_receipt = $9, send_sale_notification = $10,
                send_refund = $11, updated_at = now()",
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
        form.send_refund
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}

pub async fn for_owner() -> Result<Settings, AppError> {
    let (state, _) = require_owner().await?;
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
