//! The settings server functions (owner only).

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

/// The settings form's fields as posted; checkboxes are sent only when ticked.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SettingsFields {
    pub platform_name: String,
    pub primary_color: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub business_name: String,
    pub timezone: String,
    #[serde(default)]
    pub email_from_name: String,
    #[serde(default)]
    pub email_reply_to: String,
    #[serde(default)]
    pub send_welcome: Option<String>,
    #[serde(default)]
    pub send_receipt: Option<String>,
    #[serde(default)]
    pub send_sale_notification: Option<String>,
    #[serde(default)]
    pub send_refund: Option<String>,
    #[serde(default)]
    pub automatic_tax: Option<String>,
    #[serde(default)]
    pub welcome_text: String,
    #[serde(default)]
    pub receipt_text: String,
}

#[cfg(feature = "ssr")]
impl From<SettingsFields> for SettingsForm {
    fn from(fields: SettingsFields) -> Self {
        SettingsForm {
            platform_name: fields.platform_name,
            primary_color: fields.primary_color,
            contact_email: fields.contact_email,
            business_name: fields.business_name,
            timezone: fields.timezone,
            email_from_name: fields.email_from_name,
            email_reply_to: fields.email_reply_to,
            send_welcome: fields.send_welcome.is_some(),
            send_receipt: fields.send_receipt.is_some(),
            send_sale_notification: fields.send_sale_notification.is_some(),
            send_refund: fields.send_refund.is_some(),
            automatic_tax: fields.automatic_tax.is_some(),
            welcome_text: fields.welcome_text,
            receipt_text: fields.receipt_text,
        }
    }
}

#[server(endpoint = "save_settings")]
pub async fn save_settings(#[server(flatten)] fields: SettingsFields) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::save(&call.state, &call.caller.owner()?, fields.into()).await
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

/// The creator's introduction and featured item above the catalog, the footer's social
/// links (one per line) and the legal texts.
#[server(endpoint = "save_storefront")]
pub async fn save_storefront(
    #[server(default)] introduction: String,
    #[server(default)] featured: String,
    #[server(default)] social_links: String,
    #[server(default)] terms_text: String,
    #[server(default)] privacy_text: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let storefront = service::Storefront::parse(service::StorefrontForm {
                introduction: &introduction,
                featured: &featured,
                social_links: &social_links,
                terms_text: &terms_text,
                privacy_text: &privacy_text,
            })?;
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
