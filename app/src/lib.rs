//! Codex's pages: the components of every feature and the `#[server]` functions they call.
//!
//! Each feature keeps its pages and its server functions together in one module; a server
//! function reads its caller (`auth::guard`) and runs the operation in the `backend` crate,
//! which does the work. Types both sides use come from the `domain` crate.

pub mod account;
pub mod analytics;
pub mod auth;
pub mod branding;
pub mod catalog;
pub mod content;
pub mod customers;
pub mod dashboard;
pub mod email;
pub mod error;
pub mod jobs;
pub mod layout;
pub mod library;
pub mod marketing;
pub mod media;
pub mod memberships;
pub mod playback;
pub mod podcast;
pub mod purchases;
pub mod security_log;
pub mod selling;
pub mod settings;
pub mod streams;
pub mod ui;
pub mod webhooks;

#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use leptos_router::SsrMode;

use account::page::AccountPage;
use analytics::pages::{AnalyticsPage, ItemAnalyticsPage};
use auth::context::provide_auth;
use auth::email_verification_page::VerifyEmailPage;
use auth::login_page::LoginPage;
use auth::password_reset_pages::{ForgotPasswordPage, ResetPasswordPage};
use auth::register_page::{RegisterPage, SetupPage};
use catalog::{CatalogPage, ContentPage};
use content::admin_pages::{ContentListPage, EditContentPage, NewContentPage};
use customers::pages::{CustomerPage, CustomersPage};
use dashboard::page::AdminDashboardPage;
use email::outbox_page::EmailsPage;
use jobs::page::JobsPage;
use layout::{AdminLayout, Footer, Header};
use library::page::LibraryPage;
use media::page::MediaPage;
use memberships::{admin_page::MembershipsPage, pricing_page::PricingPage};
use playback::watch_page::WatchPage;
use purchases::account_pages::{PurchasesPage, ReceiptPage};
use purchases::admin_page::AdminPurchasesPage;
use purchases::success_page::CheckoutSuccessPage;
use security_log::page::SecurityLogPage;
use selling::discounts_page::DiscountsPage;
use settings::legal_pages::{PrivacyPage, TermsPage};
use settings::page::SettingsPage;
use ui::NotFound;

/// The HTML document every page is rendered into.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <branding::SiteIdentityMeta/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Marks the body once the client has taken over, so tests (and styles) can tell.
fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// The document title of a page. leptos_meta writes the server's `<title>` without escaping
/// it, so the server escapes it here (the browser sets `document.title` as plain text).
fn page_title(title: &str, site_name: &str) -> String {
    let full = format!("{title} · {site_name}");
    #[cfg(feature = "ssr")]
    let full = backend::email::templates::escape_html(&full);
    full
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth();
    mark_hydrated();
    let site_name = branding::site_name();
    view! {
        <Stylesheet id="leptos" href="/pkg/codex.css"/>
        <Title formatter=move |title: String| page_title(&title, &site_name)/>
        <Router>
            <Header/>
            <main id="main" class="container page">
                <Routes fallback=NotFound>
                    // Pages that show data render in `SsrMode::Async`: complete before any script runs (out
                    // of order, the data would come in templates only a script puts in place), and with
                    // the head, the status and the signed-in user known before anything is sent.
                    <Route path=path!("/") view=CatalogPage ssr=SsrMode::Async/>
                    <Route path=path!("/content/:slug") view=ContentPage ssr=SsrMode::Async/>
                    <Route path=path!("/watch/:slug") view=WatchPage ssr=SsrMode::Async/>
                    <Route path=path!("/setup") view=SetupPage/>
                    <Route path=path!("/register") view=RegisterPage/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/verify-email") view=VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage/>
                    <Route path=path!("/reset-password") view=ResetPasswordPage/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/library") view=LibraryPage ssr=SsrMode::Async/>
                    <Route path=path!("/pricing") view=PricingPage ssr=SsrMode::Async/>
                    <Route path=path!("/terms") view=TermsPage ssr=SsrMode::Async/>
                    <Route path=path!("/privacy") view=PrivacyPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/purchases") view=PurchasesPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/purchases/:id") view=ReceiptPage ssr=SsrMode::Async/>
                    <Route path=path!("/email/preferences") view=marketing::preferences_page::PreferencesPage ssr=SsrMode::Async/>
                    <Route path=path!("/checkout/success") view=CheckoutSuccessPage ssr=SsrMode::Async/>
                    <ParentRoute path=path!("/admin") view=AdminLayout>
                        <Route path=path!("") view=AdminDashboardPage/>
                        <Route path=path!("content") view=ContentListPage/>
                        <Route path=path!("content/new") view=NewContentPage/>
                        <Route path=path!("content/:id") view=EditContentPage/>
                        <Route path=path!("media") view=MediaPage/>
                        <Route path=path!("emails") view=EmailsPage/>
                        <Route path=path!("emails/broadcasts") view=marketing::broadcasts_page::BroadcastsPage/>
                        <Route path=path!("emails/broadcasts/:id") view=marketing::broadcast_page::BroadcastPage/>
                        <Route path=path!("security") view=SecurityLogPage/>
                        <Route path=path!("jobs") view=JobsPage/>
                        <Route path=path!("purchases") view=AdminPurchasesPage/>
                        <Route path=path!("settings") view=SettingsPage/>
                        <Route path=path!("discounts") view=DiscountsPage/>
                        <Route path=path!("memberships") view=MembershipsPage/>
                        <Route path=path!("customers") view=CustomersPage/>
                        <Route path=path!("customers/:id") view=CustomerPage/>
                        <Route path=path!("analytics") view=AnalyticsPage/>
                        <Route path=path!("analytics/:id") view=ItemAnalyticsPage/>
                    </ParentRoute>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
