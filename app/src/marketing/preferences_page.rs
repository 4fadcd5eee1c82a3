//! `/email/preferences?token=…`: what marketing email a person gets, reached from the link
//! in every marketing email without signing in (or from the account page, signed in).
//! Opening it changes nothing: "Unsubscribe" is a button, so a mail scanner following the
//! link unsubscribes nobody.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{email_preferences, SaveEmailPreferences, Unsubscribe};
use super::Preferences;
use crate::ui::{action_error, action_succeeded, FormAlert, FormCard, FormNotice, PageHead};

#[component]
pub fn PreferencesPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let email = move || query.read().get("email").unwrap_or_default();
    let save = ServerAction::<SaveEmailPreferences>::new();
    let unsubscribe = ServerAction::<Unsubscribe>::new();
    let preferences = Resource::new(
        move || (token(), save.version().get(), unsubscribe.version().get()),
        |(token, _, _)| email_preferences(Some(token)),
    );
    view! {
        <PageHead title="Email preferences" description="Choose the emails you get from us."/>
        <FormCard title="Email preferences">
            <FormNotice show=action_succeeded(unsubscribe) message="You are unsubscribed: no more news or new releases. Receipts and account emails still come."/>
            <FormNotice show=action_succeeded(save) message="Your email preferences were saved."/>
            <FormAlert error=action_error(save)/>
            <FormAlert error=action_error(unsubscribe)/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || preferences.get().map(|result| match result {
                    Ok(preferences) => view! { <PreferencesForms preferences token=token() email=email() save unsubscribe/> }.into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </FormCard>
    }
}

#[component]
fn PreferencesForms(
    preferences: Preferences,
    token: String,
    /// The email whose link opened the page.
    email: String,
    save: ServerAction<SaveEmailPreferences>,
    unsubscribe: ServerAction<Unsubscribe>,
) -> impl IntoView {
    let subscribed = preferences.news || preferences.releases;
    let unsubscribe_token = token.clone();
    view! {
        <p>{format!("For {}.", preferences.address)}</p>
        {preferences.suppressed.clone().map(|why| view! { <p class="hint">{why}" Tick a box below to get emails again."</p> })}
        <ActionForm action=save attr:class="form">
            <input type="hidden" name="token" value=token/>
            <fieldset class="field">
                <legend>"Send me"</legend>
                <div class="field-checkbox">
                    <input id="pref-news" type="checkbox" name="news" value="on" checked=preferences.news/>
                    <label for="pref-news">"News"</label>
                </div>
                <div class="field-checkbox">
                    <input id="pref-releases" type="checkbox" name="releases" value="on" checked=preferences.releases/>
                    <label for="pref-releases">"New releases"</label>
                </div>
            </fieldset>
            <button type="submit" class="button button-primary">"Save"</button>
        </ActionForm>
        {subscribed.then(move || view! {
            <ActionForm action=unsubscribe attr:class="form">
                <input type="hidden" name="token" value=unsubscribe_token/>
                <input type="hidden" name="email" value=email/>
                <p class="hint">"Receipts and account emails are not marketing: they still come."</p>
                <button type="submit" class="button">"Unsubscribe"</button>
            </ActionForm>
        })}
    }
}
