//! `/admin/settings`: branding, business details, timezone, tax and emails, with a live
//! preview of the name and colour; the logo; categories; the storefront's footer; the
//! webhook endpoints.

use leptos::prelude::*;

use super::api::{get_settings, list_timezones, preview_email, SaveSettings};
use super::storefront_form::StorefrontForm;
use super::types::{HexColour, Palette, DEFAULT_PRIMARY};
use super::Settings;
use crate::content::categories::CategoriesSection;
use crate::podcast::networks_form::FeedNetworksForm;
use crate::streams::limit_form::StreamLimitForm;
use crate::ui::{
    action_error, action_succeeded, FormAlert, FormNotice, LoadError, PageHead, UploadOutcome,
};
use crate::webhooks::section::WebhooksSection;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_settings());
    let timezones = Resource::new(|| (), |_| list_timezones());
    view! {
        <PageHead title="Settings" description="The platform name, colours, logo, emails and storefront."/>
        <h1>"Settings"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Some(match (settings.get()?, timezones.get()?) {
                (Ok(settings), Ok(timezones)) => {
                    let logo = settings.logo_url();
                    view! {
                        <SettingsForm settings=settings.clone() timezones/>
                        <LogoForm logo/>
                        <CategoriesSection/>
                        <StorefrontForm settings/>
                        <StreamLimitForm/>
                        <FeedNetworksForm/>
                        <WebhooksSection/>
                    }.into_any()
                }
                (Err(error), _) | (_, Err(error)) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Text(
    label: &'static str,
    name: &'static str,
    value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    let id = format!("settings-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name type=kind value=value required=required maxlength="120"/>
        </div>
    }
}

/// The timezone, picked from `zones`; a saved zone missing from them stays first.
#[component]
fn TimezoneSelect(current: String, zones: Vec<String>) -> impl IntoView {
    let missing = (!zones.contains(&current)).then(|| current.clone());
    view! {
        <div class="field">
            <label for="settings-timezone">"Timezone"</label>
            <select id="settings-timezone" name="timezone" required>
                {missing.into_iter().chain(zones).map(|zone| {
                    let selected = zone == current;
                    let label = zone.clone();
                    view! { <option value=zone selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Switch(label: &'static str, name: &'static str, on: bool) -> impl IntoView {
    let id = format!("settings-{name}");
    view! {
        <div class="field-checkbox">
            <input id=id.clone() type="checkbox" name=name value="on" checked=on/>
            <label for=id>{label}</label>
        </div>
    }
}

#[component]
fn SettingsForm(settings: Settings, timezones: Vec<String>) -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let name = RwSignal::new(settings.platform_name.clone());
    let colour = RwSignal::new(settings.primary_color.clone());
    // The preview uses the colour only once it is valid, as the site would.
    let preview = move || {
        HexColour::parse(&colour.get())
            .unwrap_or_else(|_| HexColour::parse(DEFAULT_PRIMARY).expect("default"))
    };
    view! {
        <ActionForm action=save attr:class="form card settings-form">
            <h2>"Branding"</h2>
            <div class="field">
                <label for="settings-platform_name">"Platform name"</label>
                <input id="settings-platform_name" name="platform_name" required maxlength="80"
                    value=settings.platform_name.clone() on:input=move |ev| name.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="settings-primary_color">"Primary colour"</label>
                <div class="colour-row">
                    <input id="settings-primary_color" name="primary_color" required pattern="#[0-9A-Fa-f]{6}"
                        value=settings.primary_color.clone() on:input=move |ev| colour.set(event_target_value(&ev))/>
                    <input type="color" aria-label="Pick the primary colour" prop:value=move || preview().as_str().to_ascii_lowercase()
                        on:input=move |ev| colour.set(event_target_value(&ev).to_ascii_uppercase())/>
                </div>
                <p class="hint">"#RRGGBB. Buttons and links use it."</p>
            </div>
            <div class="settings-preview" aria-label="Preview" role="group"
                style=move || Palette::of(&preview()).css_variables()>
                <span class="brand">{move || name.get()}</span>
                <a href="#" class="preview-link" on:click=|ev| ev.prevent_default()>"A link"</a>
                <span class="button button-primary">"A button"</span>
            </div>
            <h2>"Business"</h2>
            <Text label="Business name" name="business_name" value=settings.business_name.clone()/>
            <Text label="Contact email" name="contact_email" kind="email" value=settings.contact_email.clone()/>
            <TimezoneSelect current=settings.timezone.clone() zones=timezones/>
            <p class="hint">"For the dashboard's days and months."</p>
            <h2>"Payments"</h2>
            <fieldset class="switches">
                <legend>"Tax"</legend>
                <Switch label="Add tax with Stripe Tax" name="automatic_tax" on=settings.automatic_tax/>
                <p class="hint">"Stripe computes the tax from the buyer's address and adds it to your price; receipts show it. Turn on Stripe Tax in your Stripe dashboard first."</p>
            </fieldset>
            <h2>"Emails"</h2>
            <Text label="Email from-name" name="email_from_name" value=settings.email_from_name.clone()/>
            <Text label="Reply-to" name="email_reply_to" kind="email" value=settings.email_reply_to.clone()/>
            <fieldset class="switches">
                <legend>"Send these emails"</legend>
                <Switch label="Welcome email" name="send_welcome" on=settings.send_welcome/>
                <Switch label="Purchase receipt" name="send_receipt" on=settings.send_receipt/>
                <Switch label="Sale notification (to you)" name="send_sale_notification" on=settings.send_sale_notification/>
                <Switch label="Refund confirmation" name="send_refund" on=settings.send_refund/>
                <p class="hint">"Email verification and password emails are always sent."</p>
            </fieldset>
            <EmailText label="Welcome email text" name="welcome_text" kind="welcome" value=settings.welcome_text.clone()/>
            <EmailText label="Receipt email text" name="receipt_text" kind="receipt" value=settings.receipt_text.clone()/>
            <FormAlert error=action_error(save)/>
            <FormNotice show=action_succeeded(save) message="Settings saved. Every page shows them now."/>
            <button type="submit" class="button button-primary">"Save"</button>
        </ActionForm>
    }
}

/// The owner's wording of one email, with a preview of the email it makes.
#[component]
fn EmailText(
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    value: String,
) -> impl IntoView {
    let id = format!("settings-{name}");
    let text = RwSignal::new(value.clone());
    let preview = Action::new(move |text: &String| preview_email(kind.to_string(), text.clone()));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea id=id name=name rows="3" maxlength="1000" on:input=move |ev| text.set(event_target_value(&ev))>{value}</textarea>
            <p class="hint">"Leave empty for the default wording. Placeholders: {name}, {platform}"{(kind == "receipt").then_some(", {item}, {amount}")}"."</p>
            <button type="button" class="button button-small" on:click=move |_| { preview.dispatch(text.get_untracked()); }>
                {format!("Preview the {kind} email")}
            </button>
            {move || preview.value().get().map(|result| match result {
                Ok(email) => view! {
                    <div class="email-preview" role="region" aria-label=format!("Preview of the {kind} email")>
                        <p><strong>"Subject: "</strong>{email.subject}</p>
                        <pre class="email-body">{email.text}</pre>
                        <iframe title="HTML version" sandbox="" srcdoc=email.html class="email-frame"></iframe>
                    </div>
                }.into_any(),
                Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn LogoForm(logo: Option<String>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Logo"</h2>
            {logo.map(|src| view! { <img class="logo-preview" src=src alt="Current logo" height="48"/> })}
            <UploadOutcome param="logo" noun="Logo" types="PNG, JPEG or SVG" limit="2 MB"/>
            <form method="post" enctype="multipart/form-data" action="/admin/settings/logo" class="form">
                <div class="field">
                    <label for="logo-file">"Logo image"</label>
                    <input id="logo-file" type="file" name="logo" accept="image/png,image/jpeg,image/svg+xml" required/>
                </div>
                <p class="hint">"PNG, JPEG or SVG, up to 2 MB; a PNG or JPEG 100 to 2000 pixels on its longer side."</p>
                <button type="submit" class="button">"Upload logo"</button>
            </form>
        </section>
    }
}
