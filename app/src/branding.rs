//! The branding every page shows (name, logo, colour, test mode), loaded with
//! the header. Read from the settings row on each page, so an owner's change shows at once
//! on every app server.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use domain::settings::{HexColour, Palette};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub platform_name: String,
    /// `#RRGGBB`, checked when saved.
    pub primary_color: String,
    pub logo_url: Option<String>,
    /// Payments go to Stripe's test mode or the local stand-in: no real money moves.
    pub test_mode: bool,
}

/// Who the site is, for the browser tab and the footer. The server reads it before rendering
/// a page (`name_pages`) and writes it into the head as `<meta>` tags; the browser reads it
/// back from there. Both render the same title and footer at once, without waiting for
/// `get_site_info`, so hydration sees no difference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteIdentity {
    pub platform_name: String,
    /// The business behind the site (settings), empty when not given.
    pub business_name: String,
    /// Where customers write to (settings), empty when not given.
    pub contact_email: String,
    /// The uploaded logo, also the browser tab's icon (server only: the head is not hydrated).
    pub logo_url: Option<String>,
    /// The owner's profiles elsewhere (`https://` addresses, checked when saved).
    pub social_links: Vec<String>,
    /// Whether the owner wrote terms of sale (`/terms`) and a privacy policy (`/privacy`).
    pub has_terms: bool,
    pub has_privacy: bool,
}

/// The tab's icon when the owner has no logo.
const DEFAULT_ICON: &str = "/favicon.svg";

/// The `<meta name>` of each part of `SiteIdentity` in the head.
const NAME_META: &str = "application-name";
const BUSINESS_META: &str = "codex-business-name";
const CONTACT_META: &str = "codex-contact-email";
/// Space-separated: addresses have no spaces.
const SOCIAL_META: &str = "codex-social-links";
/// `terms`, `privacy`, both or neither, space-separated.
const LEGAL_META: &str = "codex-legal";

/// What `name_pages` put on this request (server) or page (browser); "Codex" and nothing
/// else without it.
pub fn site_identity() -> SiteIdentity {
    #[cfg(feature = "ssr")]
    let identity = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SiteIdentity>().cloned());
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let identity = {
        let meta = |name: &str| {
            document()
                .query_selector(&format!(r#"meta[name="{name}"]"#))
                .ok()
                .flatten()
                .and_then(|meta| meta.get_attribute("content"))
        };
        let legal = meta(LEGAL_META).unwrap_or_default();
        meta(NAME_META).map(|platform_name| SiteIdentity {
            platform_name,
            business_name: meta(BUSINESS_META).unwrap_or_default(),
            contact_email: meta(CONTACT_META).unwrap_or_default(),
            logo_url: None,
            social_links: meta(SOCIAL_META)
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            has_terms: legal.split_whitespace().any(|part| part == "terms"),
            has_privacy: legal.split_whitespace().any(|part| part == "privacy"),
        })
    };
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let identity: Option<SiteIdentity> = None;
    identity.unwrap_or_else(|| SiteIdentity {
        platform_name: crate::layout::PLATFORM_NAME.to_string(),
        ..SiteIdentity::default()
    })
}

/// The site's name for the browser tab.
pub fn site_name() -> String {
    site_identity().platform_name
}

/// The head's tags `site_identity` reads back in the browser, and the tab's icon: the
/// owner's logo when there is one.
#[component]
pub fn SiteIdentityMeta() -> impl IntoView {
    let identity = site_identity();
    let legal = [
        identity.has_terms.then_some("terms"),
        identity.has_privacy.then_some("privacy"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    view! {
        {match identity.logo_url {
            Some(logo) => view! { <link rel="icon" href=logo/> }.into_any(),
            None => view! { <link rel="icon" href=DEFAULT_ICON type="image/svg+xml"/> }.into_any(),
        }}
        <meta name=NAME_META content=identity.platform_name/>
        <meta name=BUSINESS_META content=identity.business_name/>
        <meta name=CONTACT_META content=identity.contact_email/>
        <meta name=SOCIAL_META content=identity.social_links.join(" ")/>
        <meta name=LEGAL_META content=legal/>
    }
}

/// Reads who the site is for page requests (a GET asking for HTML, as browsers navigate);
/// other requests never render a title and skip the query.
#[cfg(feature = "ssr")]
pub async fn name_pages(
    axum::extract::State(state): axum::extract::State<backend::AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header::ACCEPT, Method};
    let wants_page = request.method() == Method::GET
        && request
            .headers()
            .get(ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if wants_page {
        match backend::settings::service::current(&state).await {
            Ok(settings) => {
                request.extensions_mut().insert(SiteIdentity {
                    logo_url: settings.logo_url(),
                    has_terms: !settings.terms_text.is_empty(),
                    has_privacy: !settings.privacy_text.is_empty(),
                    platform_name: settings.platform_name.clone(),
                    business_name: settings.business_name.clone(),
                    contact_email: settings.contact_email.clone(),
                    social_links: settings.social_links.clone(),
                });
            }
            // The page still renders (with the default name); its own queries report the fault.
            Err(error) => tracing::warn!(%error, "site name not read"),
        }
    }
    next.run(request).await
}

#[server(endpoint = "site_info")]
pub async fn get_site_info() -> Result<SiteInfo, AppError> {
    let state = crate::state::app_state()?;
    let settings = backend::settings::service::current(&state).await?;
    let colour = HexColour::parse(&settings.primary_color)?;
    Ok::<_, AppError>(SiteInfo {
        logo_url: settings.logo_url(),
        platform_name: settings.platform_name.clone(),
        primary_color: colour.as_str().to_string(),
        test_mode: state.payments.test_mode,
    })
}

/// The owner's colour as the CSS variables every button and link use: the palette made from
/// it (`Palette`), with each colour's contrast checked.
#[component]
pub fn BrandColours(site: SiteInfo) -> impl IntoView {
    let css = HexColour::parse(&site.primary_color)
        .map(|colour| format!(":root{{{}}}", Palette::of(&colour).css_variables()))
        .unwrap_or_default();
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
