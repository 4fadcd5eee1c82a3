use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{verify_email, ResendVerification};
use super::context::use_auth;
use crate::ui::{action_error, action_succeeded, FormAlert, FormCard, FormNotice, PageHead};

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let outcome = Resource::new(token, verify_email);
    view! {
        <PageHead title="Verify your email" description="Confirm your email address to finish creating your account."/>
        <FormCard title="Verify your email">
            <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                {move || outcome.get().map(|result| match result {
                    Ok(back_to) => view! {
                        <p class="alert alert-success" role="status">"Your email address is verified. Thank you!"</p>
                        {match back_to {
                            Some(path) => view! { <p><a class="button button-primary" href=path>"Back to the item"</a></p> }.into_any(),
                            None => view! { <p><a href="/">"Go to the catalog"</a></p> }.into_any(),
                        }}
                    }.into_any(),
                    Err(error) => {
                        let unverified = auth.user.get().and_then(Result::ok).flatten().is_some_and(|u| !u.email_verified);
                        view! {
                            <p class="alert alert-error" role="alert">{error.to_string()}</p>
                            {unverified.then(|| view! { <ResendVerificationForm/> })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </FormCard>
    }
}

/// The "send the link again" button; callers show it to signed-in users whose email is not
/// verified.
#[component]
pub fn ResendVerificationForm() -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    view! {
        <ActionForm action=resend attr:class="inline-form">
            <button type="submit" class="button button-small">"Resend verification email"</button>
        </ActionForm>
        <FormNotice show=action_succeeded(resend) message="A new verification link is on its way."/>
        <FormAlert error=action_error(resend)/>
    }
}
