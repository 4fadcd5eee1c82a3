use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{ForgotPassword, ResetPassword};
use crate::ui::{action_error, Field, FormAlert, FormCard, PageHead};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    view! {
        <PageHead title="Forgot your password?" description="Get an email with a link to set a new password."/>
        <FormCard title="Forgot your password?">
            {move || sent().then(|| view! {
                <p class="alert alert-success" role="status">
                    "If an account exists for that email, a reset link is on its way. It is valid for 1 hour."
                </p>
            })}
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=action_error(action)/>
                <Field label="Email" name="email" kind="email" autocomplete="email"/>
                <button type="submit" class="button button-primary">"Send reset link"</button>
            </ActionForm>
            <p><a href="/login">"Back to log in"</a></p>
        </FormCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <PageHead title="Set a new password" description="Choose a new password for your account."/>
        <FormCard title="Set a new password">
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=action_error(action)/>
                // An attribute, so the server renders it: the form posts the token before
                // the page hydrates (or without JavaScript) too.
                <input type="hidden" name="token" value=token/>
                <Field label="Password" name="password" kind="password" autocomplete="new-password" maxlength=128/>
                <Field label="Confirm password" name="confirm_password" kind="password" autocomplete="new-password" maxlength=128/>
                <button type="submit" class="button button-primary">"Set new password"</button>
            </ActionForm>
        </FormCard>
    }
}
