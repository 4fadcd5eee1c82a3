//! The settings server functions (owner only, checked in `service`).
// One argument per form field.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::service::{self, SettingsForm};
use super::{EmailPreview, Settings};
#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;

#[server(endpoint = "get_settings")]
pub async fn get_settings() -> Result<Settings, AppError> {
    respond(service::for_owner().await)
}

/// Checkboxes are sent only when ticked.
#[server(endpoint = "save_settings")]
pub async fn save_settings(
    platform_name: String,
    primary_color: String,
    #[server(default)] contact_email: String,
    #[server(default)] business_name: String,
    timezone: String,
    #[server(default)] email_from_name: String,
    #[server(default)] email_reply_to: String,
    #[server(default)] send_welcome: Option<String>,
    #[server(default)] send_receipt: Option<String>,
    #[server(default)] send_sale_notification: Option<String>,
    #[server(default)] send_refund: Option<String>,
    #[server(default)] welcome_text: String,
    #[server(default)] receipt_text: String,
) -> Result<(), AppError> {
    respond(
        service::save(SettingsForm {
            platform_name,
            primary_color,
            contact_email,
            business_name,
            timezone,
            email_from_name,
            email_reply_to,
            send_welcome: send_welcome.is_some(),
            send_receipt: send_receipt.is_some(),
            send_sale_notification: send_sale_notification.is_some(),
            send_refund: send_refund.is_some(),
            welcome_text,
            receipt_text,
        })
        .await,
    )
}

/// An email as it would go out with `text` as the owner's wording, for sample data.
#[server(endpoint = "preview_email")]
pub async fn preview_email(kind: String, text: String) -> Result<EmailPreview, AppError> {
    respond(service::preview(kind, text).await)
}
