//! What every page shows about the site itself (name, logo, colour, test mode), loaded with
//! the header. Read from the settings row on each page, so an owner's change shows at once
//! on every app server.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub platform_name: String,
    /// `#RRGGBB`, checked when saved.
    pub primary_color: String,
    /// The text colour that reads on `primary_color`.
    pub primary_text: String,
    pub logo_url: Option<String>,
    /// Payments go to Stripe's test mode or the local stand-in: no real money moves.
    pub test_mode: bool,
}

#[server(endpoint = "site_info")]
pub async fn get_site_info() -> Result<SiteInfo, AppError> {
    let state = crate::state::app_state()?;
    let settings = crate::settings::service::load(&state.pool).await?;
    let colour = crate::settings::HexColour::parse(&settings.primary_color)?;
    Ok(SiteInfo {
        logo_url: settings.logo_url(),
        platform_name: settings.platform_name,
        primary_text: colour.text_on().to_string(),
        primary_color: colour.as_str().to_string(),
        test_mode: state.payments.test_mode,
    })
}

/// The owner's colour as the CSS variables every button and link use.
#[component]
pub fn BrandColours(site: SiteInfo) -> impl IntoView {
    let css = format!(
        ":root{{--primary:{};--primary-contrast:{}}}",
        site.primary_color, site.primary_text
    );
    view! { <style>{css}</style> }
}

#[component]
pub fn TestModeBanner() -> impl IntoView {
    view! {
        <div class="banner banner-test" role="note">
            <div class="container banner-inner">
                <strong>"Test mode"</strong>
                <span>"Payments are simulated: pay with the test card 4242 4242 4242 4242. No real money moves."</span>
            </div>
        </div>
    }
}
