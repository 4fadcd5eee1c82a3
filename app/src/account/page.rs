use leptos::prelude::*;

use super::api::{my_avatar, ChangeEmail, ChangePassword, UpdateName};
use super::devices::SignedInDevices;
use crate::auth::context::use_auth;
use crate::auth::email_verification_page::ResendVerificationForm;
use crate::auth::types::UserView;
use crate::streams::stream_list::AccountStreams;
use crate::ui::{
    action_error, action_succeeded, Field, FormAlert, FormNotice, LoadError, PageHead,
    UploadOutcome,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <PageHead title="Your account" description="Your name, email address, password and avatar."/>
        <h1>"Your account"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || auth.user.get().map(|result| match result {
                Ok(Some(user)) => view! { <AccountForms user/> }.into_any(),
                Ok(None) => view! { <LoadError error=crate::error::AppError(domain::error::Answer::Unauthorized)/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn AccountForms(user: UserView) -> impl IntoView {
    let update_name = ServerAction::<UpdateName>::new();
    let change_email = ServerAction::<ChangeEmail>::new();
    let change_password = ServerAction::<ChangePassword>::new();
    let name = Signal::derive({
        let name = user.name.clone();
        move || name.clone()
    });
    let status = if user.email_verified {
        "verified"
    } else {
        "not verified yet"
    };
    view! {
        <div class="stack">
            <AvatarForm/>
            <section class="card">
                <h2>"Profile"</h2>
                <ActionForm action=update_name attr:class="form" attr:novalidate=true>
                    <FormAlert error=action_error(update_name)/>
                    <FormNotice show=action_succeeded(update_name) message="Your name was saved."/>
                    <Field label="Name" name="name" form="profile" autocomplete="name" maxlength=100 value=name/>
                    <button type="submit" class="button button-primary">"Save"</button>
                </ActionForm>
            </section>
            <section class="card">
                <h2>"Email"</h2>
                <p>{format!("Your email is {} ({status}).", user.email)}</p>
                <ResendVerificationForm/>
                <ActionForm action=change_email attr:class="form" attr:novalidate=true>
                    <FormAlert error=action_error(change_email)/>
                    <FormNotice
                        show=action_succeeded(change_email)
                        message="Your email was changed. Check your inbox to verify the new address."
                    />
                    <Field label="New email" name="email" form="email" kind="email" autocomplete="email"/>
                    <Field label="Current password" name="current_password" form="email" kind="password" autocomplete="current-password"/>
                    <button type="submit" class="button">"Change email"</button>
                </ActionForm>
            </section>
            <SignedInDevices/>
            <AccountStreams/>
            <section class="card">
                <h2>"News and new releases"</h2>
                <p>"Choose which marketing emails you get, or unsubscribe: "<a href=domain::paths::EMAIL_PREFERENCES>"Email preferences"</a></p>
            </section>
            <section class="card">
                <h2>"Password"</h2>
                <ActionForm action=change_password attr:class="form" attr:novalidate=true>
                    <FormAlert error=action_error(change_password)/>
                    <FormNotice
                        show=action_succeeded(change_password)
                        message="Your password was changed. Your other sessions were signed out."
                    />
                    <Field label="Current password" name="current_password" form="password" kind="password" autocomplete="current-password"/>
                    <Field label="New password" name="password" form="password" kind="password" autocomplete="new-password" maxlength=128/>
                    <Field label="Confirm password" name="confirm_password" form="password" kind="password" autocomplete="new-password" maxlength=128/>
                    <button type="submit" class="button">"Change password"</button>
                </ActionForm>
            </section>
        </div>
    }
}

/// The avatar and its upload form (a plain multipart form; the server resizes the image).
#[component]
fn AvatarForm() -> impl IntoView {
    let avatar = Resource::new(|| (), |_| my_avatar());
    view! {
        <section class="card">
            <h2>"Avatar"</h2>
            <Transition fallback=|| ()>
                {move || avatar.get().and_then(Result::ok).flatten().map(|src| view! {
                    <img class="avatar" src=src alt="Your avatar" width="96" height="96"/>
                })}
            </Transition>
            <UploadOutcome param="avatar" noun="Avatar" types="JPEG, PNG or WebP" limit="5 MB"/>
            <form method="post" enctype="multipart/form-data" action="/account/avatar" class="form">
                <div class="field">
                    <label for="avatar-file">"Avatar image"</label>
                    <input id="avatar-file" type="file" name="avatar" accept="image/jpeg,image/png,image/webp" required/>
                </div>
                <p class="hint">"JPEG, PNG or WebP up to 5 MB; it is cropped to a square."</p>
                <button type="submit" class="button">"Upload avatar"</button>
            </form>
        </section>
    }
}
