//! What every page shows about the site itself, loaded once per page with the header.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// Payments go to Stripe's test mode or the local stand-in: no real money moves.
    pub test_mode: bool,
}

#[server(endpoint = "site_info")]
pub async fn get_site_info() -> Result<SiteInfo, AppError> {
    let state = crate::state::app_state()?;
    Ok(SiteInfo {
        test_mode: state.payments.test_mode,
    })
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
