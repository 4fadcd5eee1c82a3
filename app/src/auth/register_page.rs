use leptos::prelude::*;

use super::api::{setup_needs_token, Register, SetupOwner};
use super::context::use_auth;
use crate::ui::{action_error, Field, FormAlert, FormCard, PageHead};

/// Name, email and a confirmed password: the fields of both registration and first-run setup.
#[component]
pub fn AccountFields() -> impl IntoView {
    view! {
        <Field label="Name" name="name" autocomplete="name" maxlength=100/>
        <Field label="Email" name="email" kind="email" autocomplete="email"/>
        <Field label="Password" name="password" kind="password" autocomplete="new-password" maxlength=128/>
        <Field label="Confirm password" name="confirm_password" kind="password" autocomplete="new-password" maxlength=128/>
        <p class="hint">"At least 8 characters, with an upper case letter, a lower case letter and a digit."</p>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    use_auth().refresh_after(register);
    view! {
        <PageHead title="Create your account" description="Create an account to buy, stream and keep films and audio."/>
        <FormCard title="Create your account">
            <ActionForm action=register attr:class="form" attr:novalidate=true>
                <FormAlert error=action_error(register)/>
                <AccountFields/>
                <crate::marketing::consent::NewsConsent/>
                <button type="submit" class="button button-primary">"Create account"</button>
            </ActionForm>
            <p>"Already have an account? " <a href="/login">"Log in"</a></p>
        </FormCard>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<SetupOwner>::new();
    use_auth().refresh_after(setup);
    let needs_token = Resource::new(|| (), |_| setup_needs_token());
    view! {
        <PageHead title="Set up your platform" description="Create the owner account of this platform."/>
        <FormCard title="Set up your platform">
            <p>"Create the owner account. You will use it to upload media, set prices and see your sales."</p>
            <ActionForm action=setup attr:class="form" attr:novalidate=true>
                <FormAlert error=action_error(setup)/>
                <Suspense>
                    {move || Suspend::new(async move {
                        needs_token.await.unwrap_or(false).then(|| view! {
                            <Field label="Setup token" name="setup_token" kind="password"/>
                            <p class="hint">"The SETUP_TOKEN this server was started with."</p>
                        })
                    })}
                </Suspense>
                <AccountFields/>
                <div class="field-checkbox">
                    <input id="samples" type="checkbox" name="samples" value="on"/>
                    <label for="samples">"Add sample content (three short generated clips, marked as samples)"</label>
                </div>
                <button type="submit" class="button button-primary">"Create account"</button>
            </ActionForm>
        </FormCard>
    }
}
