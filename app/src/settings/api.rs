//! The settings server functions (owner only).
// One argument per form field.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::{EmailPreview, Settings};
#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::auth::guard,
    backend::settings::service::{self, SettingsForm},
};

#[server(endpoint = "get_settings")]
pub async fn get_settings() -> Result<Settings, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::for_owner(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

/// The timezones the settings offer.
#[server(endpoint = "list_timezones")]
pub async fn list_timezones() -> Result<Vec<String>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::timezones(&call.state.pool, &call.caller.owner()?).await
        }
        .await,
    )
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
    #[server(default)] automatic_tax: Option<String>,
    #[server(default)] welcome_text: String,
    #[server(default)] receipt_text: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let form = SettingsForm {
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
                automatic_tax: automatic_tax.is_some(),
                welcome_text,
                receipt_text,
            };
            service::save(&call.state, &call.caller.owner()?, form).await
        }
        .await,
    )
}

/// An email as it would go out with `text` as the owner's wording, for sample data.
#[server(endpoint = "preview_email")]
pub async fn preview_email(kind: String, text: String) -> Result<EmailPreview, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::preview(&call.state, &call.caller.owner()?, kind, text).await
        }
        .await,
    )
}

/// The footer's social links (one per line) and the legal texts.
#[server(endpoint = "save_storefront")]
pub async fn save_storefront(
    #[server(default)] social_links: String,
    #[server(default)] terms_text: String,
    #[server(default)] privacy_text: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let storefront = service::Storefront::parse(&social_links, &terms_text, &privacy_text)?;
            service::save_storefront(&call.state, &owner, &storefront).await
        }
        .await,
    )
}

/// The terms of sale or the privacy policy (anyone; `kind`: `terms` or `privacy`).
#[server(endpoint = "legal_text")]
pub async fn legal_text(kind: String) -> Result<String, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::legal(&call.state, &kind).await
        }
        .await,
    )
}
