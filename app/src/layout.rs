//! The frame around every page: header with the account menu, the email verification
//! reminder, the footer, and the admin sidebar.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::auth::context::use_auth;
use crate::auth::email_verification_page::ResendVerificationForm;
use crate::auth::types::UserView;
use crate::branding::{get_site_info, site_identity, BrandColours, SiteInfo, TestModeBanner};
use domain::settings::SocialLink;

pub const PLATFORM_NAME: &str = "Codex";

/// The header, the test-mode banner and, for unverified users, the reminder banner. One
/// `<Transition>` reads the user and the site for all three: a resource read by several suspense boundaries outside the routes makes
/// the hydration of the page's own boundaries go wrong.
#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    let site = Resource::new(|| (), |_| get_site_info());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Transition fallback=|| view! { <SiteHeader site=None user=None/> }>
            {move || {
                let site = site.get().and_then(Result::ok);
                auth.user.get().map(|result| {
                    let user = result.ok().flatten();
                    let unverified = user.as_ref().is_some_and(|u| !u.email_verified);
                    let test_mode = site.as_ref().is_some_and(|s| s.test_mode);
                    view! {
                        {site.clone().map(|site| view! { <BrandColours site/> })}
                        {test_mode.then(|| view! { <TestModeBanner/> })}
                        <SiteHeader site=site.clone() user=Some(user)/>
                        {unverified.then(|| view! { <VerifyBanner/> })}
                    }
                })
            }}
        </Transition>
    }
}

/// `user`: `None` while not known yet (the menu stays empty), then who is signed in.
#[component]
fn SiteHeader(site: Option<SiteInfo>, user: Option<Option<UserView>>) -> impl IntoView {
    let name = site
        .as_ref()
        .map(|s| s.platform_name.clone())
        .unwrap_or_else(|| PLATFORM_NAME.to_string());
    let logo = site.and_then(|s| s.logo_url);
    view! {
        <header class="site-header">
            <div class="container header-inner">
                <a class="brand" href="/">
                    {logo.map(|src| view! { <img class="brand-logo" src=src alt="" height="32"/> })}
                    <span>{name}</span>
                </a>
                <nav aria-label="Account" class="account-nav">
                    <a href="/pricing">"Pricing"</a>
                    {user.map(|user| match user {
                        Some(user) => view! { <SignedInMenu user/> }.into_any(),
                        None => view! {
                            <a href="/login">"Log in"</a>
                            <a class="button button-primary" href="/register">"Create account"</a>
                        }.into_any(),
                    })}
                </nav>
            </div>
        </header>
    }
}

/// Who runs the site and how to reach them, from the settings (the business name, else the
/// site's name; the contact email, the terms and privacy policy and the social links when
/// the owner gave them).
#[component]
pub fn Footer() -> impl IntoView {
    let identity = site_identity();
    let owner = if identity.business_name.is_empty() {
        identity.platform_name
    } else {
        identity.business_name
    };
    let contact = (!identity.contact_email.is_empty()).then_some(identity.contact_email);
    let legal = [
        identity.has_terms.then_some(("/terms", "Terms of sale")),
        identity
            .has_privacy
            .then_some(("/privacy", "Privacy policy")),
    ];
    let social = identity.social_links;
    view! {
        <footer class="site-footer">
            <div class="container footer-inner">
                <div class="footer-who">
                    <p>{format!("© {owner}")}</p>
                    {contact.map(|email| view! {
                        <p>"Questions? Write to "<a href=format!("mailto:{email}")>{email.clone()}</a></p>
                    })}
                </div>
                {legal.iter().any(Option::is_some).then(|| view! {
                    <nav aria-label="Policies" class="footer-links">
                        {legal.into_iter().flatten().map(|(href, label)| view! { <a href=href>{label}</a> }).collect_view()}
                    </nav>
                })}
                {(!social.is_empty()).then(|| view! {
                    <nav aria-label="Follow" class="footer-links">
                        {social.into_iter().filter_map(|url| SocialLink::parse(&url).ok()).map(|link| {
                            let label = link.label();
                            view! { <a href=link.as_str().to_string() rel="me">{label}</a> }
                        }).collect_view()}
                    </nav>
                })}
            </div>
        </footer>
    }
}

#[component]
fn VerifyBanner() -> impl IntoView {
    view! {
        <div class="banner banner-warning">
            <div class="container banner-inner">
                <span>"Please verify your email address: you need it to buy content. Check your inbox for the link."</span>
                <ResendVerificationForm/>
            </div>
        </div>
    }
}

#[component]
fn SignedInMenu(user: UserView) -> impl IntoView {
    let auth = use_auth();
    view! {
        {user.is_owner().then(|| view! { <a href="/admin">"Admin"</a> })}
        <a href="/library">"Library"</a>
        {(!user.is_owner()).then(|| view! { <a href="/account/purchases">"Purchases"</a> })}
        <a href="/account" title="Your account">{user.name.clone()}</a>
        <ActionForm action=auth.logout attr:class="inline-form">
            <button type="submit" class="button button-small">"Log out"</button>
        </ActionForm>
    }
}

#[component]
pub fn AdminLayout() -> impl IntoView {
    // On phones the menu folds away again once a page is chosen (wider screens always show it).
    let location = leptos_router::hooks::use_location();
    let closed_on_navigation = move || {
        location.pathname.track();
        false
    };
    view! {
        <div class="admin">
            <details class="admin-nav-toggle" prop:open=closed_on_navigation>
                <summary>"Admin menu"</summary>
                <nav aria-label="Admin" class="admin-nav">
                    <A href="/admin" exact=true>"Dashboard"</A>
                    <A href="/admin/content">"Content"</A>
                    <A href="/admin/media">"Media"</A>
                    <A href="/admin/purchases">"Purchases"</A>
                    <A href="/admin/customers">"Customers"</A>
                    <A href="/admin/analytics">"Analytics"</A>
                    <A href="/admin/discounts">"Discounts"</A>
                    <A href="/admin/memberships">"Memberships"</A>
                    <A href="/admin/settings">"Settings"</A>
                    <A href="/admin/emails" exact=true>"Emails"</A>
                    <A href="/admin/emails/broadcasts">"Broadcasts"</A>
                    <A href="/admin/security">"Security log"</A>
                    <A href="/admin/jobs">"Background work"</A>
                </nav>
            </details>
            <div class="admin-main">
                <Outlet/>
            </div>
        </div>
    }
}
