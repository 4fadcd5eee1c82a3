//! The frame around every page: header with the account menu, the email verification
//! reminder, and the admin sidebar.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::auth::context::use_auth;
use crate::auth::email_verification_page::ResendVerificationForm;
use crate::auth::types::UserView;

pub const PLATFORM_NAME: &str = "Codex";

#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="container header-inner">
                <a class="brand" href="/">{PLATFORM_NAME}</a>
                <nav aria-label="Account" class="account-nav">
                    <Transition fallback=|| ()>
                        {move || auth.user.get().map(|result| match result.ok().flatten() {
                            Some(user) => view! { <SignedInMenu user/> }.into_any(),
                            None => view! {
                                <a href="/login">"Log in"</a>
                                <a class="button button-primary" href="/register">"Create account"</a>
                            }.into_any(),
                        })}
                    </Transition>
                </nav>
            </div>
        </header>
        <Transition fallback=|| ()>
            {move || {
                let unverified = auth.user.get().and_then(Result::ok).flatten().is_some_and(|u| !u.email_verified);
                unverified.then(|| view! {
                    <div class="banner banner-warning">
                        <div class="container banner-inner">
                            <span>"Please verify your email address: you need it to buy content. Check your inbox for the link."</span>
                            <ResendVerificationForm/>
                        </div>
                    </div>
                })
            }}
        </Transition>
    }
}

#[component]
fn SignedInMenu(user: UserView) -> impl IntoView {
    let auth = use_auth();
    view! {
        {user.is_owner().then(|| view! { <a href="/admin">"Admin"</a> })}
        <a href="/library">"Library"</a>
        <a href="/account" title="Your account">{user.name.clone()}</a>
        <ActionForm action=auth.logout attr:class="inline-form">
            <button type="submit" class="button button-small">"Log out"</button>
        </ActionForm>
    }
}

#[component]
pub fn AdminLayout() -> impl IntoView {
    view! {
        <div class="admin">
            <details class="admin-nav-toggle" open>
                <summary>"Admin menu"</summary>
                <nav aria-label="Admin" class="admin-nav">
                    <A href="/admin" exact=true>"Dashboard"</A>
                    <A href="/admin/content">"Content"</A>
                    <A href="/admin/media">"Media"</A>
                    <A href="/admin/emails">"Emails"</A>
                </nav>
            </details>
            <div class="admin-main">
                <Outlet/>
            </div>
        </div>
    }
}
