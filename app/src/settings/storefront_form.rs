//! The settings' "Storefront" card: the creator's introduction and the featured item above
//! the catalog, the footer's social links and the texts of `/terms` and `/privacy`.

use leptos::prelude::*;

use super::api::SaveStorefront;
use super::types::{MAX_INTRODUCTION_CHARS, MAX_LEGAL_CHARS, MAX_SOCIAL_LINKS};
use super::Settings;
use crate::content::api::list_content;
use crate::ui::{action_error, action_succeeded, FormAlert, FormNotice};

#[component]
pub fn StorefrontForm(settings: Settings) -> impl IntoView {
    let save = ServerAction::<SaveStorefront>::new();
    let max_legal = MAX_LEGAL_CHARS.to_string();
    let featured = settings.featured_content_id;
    let published = Resource::new(|| (), |_| list_content(Some("published".to_string())));
    view! {
        <ActionForm action=save attr:class="form card">
            <h2>"Storefront"</h2>
            <div class="field">
                <label for="settings-introduction">"Introduction"</label>
                <textarea id="settings-introduction" name="introduction" rows="3" maxlength=MAX_INTRODUCTION_CHARS.to_string()
                    aria-describedby="introduction-hint">{settings.introduction.clone()}</textarea>
                <p class="hint" id="introduction-hint">"A few words about you and what you make, shown with your name and picture above the catalog."</p>
            </div>
            <Suspense fallback=|| ()>
                {move || published.get().and_then(Result::ok).map(|items| view! {
                    <div class="field">
                        <label for="settings-featured">"Featured item"</label>
                        <select id="settings-featured" name="featured" aria-describedby="featured-hint">
                            <option value="" selected=featured.is_none()>"None"</option>
                            {items.into_iter().map(|item| view! {
                                <option value=item.id.to_string() selected=featured == Some(item.id)>{item.title}</option>
                            }).collect_view()}
                        </select>
                        <p class="hint" id="featured-hint">"One of your published items, shown large at the top of the catalog."</p>
                    </div>
                })}
            </Suspense>
            <div class="field">
                <label for="settings-social_links">"Social links"</label>
                <textarea id="settings-social_links" name="social_links" rows="3" maxlength="1300"
                    aria-describedby="social-links-hint" placeholder="https://www.youtube.com/@you">{settings.social_links.join("\n")}</textarea>
                <p class="hint" id="social-links-hint">{format!("Up to {MAX_SOCIAL_LINKS} https:// addresses, one per line. The footer of every page links to them.")}</p>
            </div>
            <div class="field">
                <label for="settings-terms_text">"Terms of sale"</label>
                <textarea id="settings-terms_text" name="terms_text" rows="6" maxlength=max_legal.clone()
                    aria-describedby="legal-hint">{settings.terms_text.clone()}</textarea>
            </div>
            <div class="field">
                <label for="settings-privacy_text">"Privacy policy"</label>
                <textarea id="settings-privacy_text" name="privacy_text" rows="6" maxlength=max_legal
                    aria-describedby="legal-hint">{settings.privacy_text.clone()}</textarea>
                <p class="hint" id="legal-hint">"Plain text; a blank line starts a new paragraph. Shown at /terms and /privacy and linked from the footer once written."</p>
            </div>
            <FormAlert error=action_error(save)/>
            <FormNotice show=action_succeeded(save) message="Storefront saved. The footer shows it on the next page you open."/>
            <button type="submit" class="button button-primary">"Save storefront"</button>
        </ActionForm>
    }
}
