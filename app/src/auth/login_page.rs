use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::Login;
use super::context::use_auth;
use crate::ui::{action_error, Field, FormAlert, FormCard, PageHead};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    use_auth().refresh_after(login);
    let query = use_query_map();
    let redirect = move || query.read().get("redirect").unwrap_or_default();
    let after_reset = move || query.read().get("reset").is_some();
    view! {
        <PageHead title="Log in" description="Log in to watch what you bought and pick up where you left off."/>
        <FormCard title="Log in">
            {move || after_reset().then(|| view! {
                <p class="alert alert-success" role="status">
                    "Your password was changed. Log in with your new password."
                </p>
            })}
            <ActionForm action=login attr:class="form" attr:novalidate=true>
                <FormAlert error=action_error(login)/>
                <Field label="Email" name="email" kind="email" autocomplete="email"/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password"/>
                <div class="field field-checkbox">
                    <input id="field-remember" type="checkbox" name="remember" value="on"/>
                    <label for="field-remember">"Remember me"</label>
                </div>
                <input type="hidden" name="redirect" prop:value=redirect/>
                <button type="submit" class="button button-primary">"Log in"</button>
            </ActionForm>
            <p><a href="/forgot-password">"Forgot your password?"</a></p>
            <p>"New here? " <a href="/register">"Register"</a></p>
        </FormCard>
    }
}
