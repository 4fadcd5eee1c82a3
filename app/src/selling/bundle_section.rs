//! "Bundle" on the item editor: the items this one holds. An item without media of its own
//! becomes a bundle by holding two or more of the owner's other items.

use leptos::prelude::*;

use super::api::SaveBundleItems;
use crate::content::api::list_content;
use crate::content::types::ContentDetail;
use crate::ui::{action_error, action_succeeded, hydrated, FormAlert, FormNotice, LoadError};

#[component]
pub fn BundleSection(detail: ContentDetail) -> impl IntoView {
    let save = ServerAction::<SaveBundleItems>::new();
    let ready = hydrated();
    let items = Resource::new(|| (), |_| list_content(None));
    let own_id = detail.id;
    let chosen = detail.bundle_items.clone();
    view! {
        <section class="card" aria-labelledby="bundle-heading">
            <h2 id="bundle-heading">"Bundle"</h2>
            <p class="hint">"A bundle has no media of its own: it sells the items ticked here together, in one checkout. Tick none for a plain item."</p>
            <p class="hint">"Once it has sold: people who bought it get the published items you add at once, and keep every item they bought it with, even one you untick. Buyers and members see published items only."</p>
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="id" value=detail.id.to_string()/>
                <fieldset class="field">
                    <legend>"Items in this bundle"</legend>
                    <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                        {move || {
                            let chosen = chosen.clone();
                            items.get().map(move |result| match result {
                                Ok(list) => list
                                    .into_iter()
                                    .filter(|item| item.id != own_id)
                                    .enumerate()
                                    .map(|(i, item)| {
                                        let id = format!("bundle-item-{i}");
                                        let checked = chosen.contains(&item.id);
                                        view! {
                                            <div class="field-checkbox">
                                                <input id=id.clone() type="checkbox" name=format!("items[{i}]") value=item.id.to_string() checked=checked/>
                                                <label for=id>{item.title}</label>
                                            </div>
                                        }
                                    })
                                    .collect_view()
                                    .into_any(),
                                Err(error) => view! { <LoadError error/> }.into_any(),
                            })
                        }}
                    </Suspense>
                </fieldset>
                <FormAlert error=action_error(save)/>
                <FormNotice show=action_succeeded(save) message="Bundle saved."/>
                <button type="submit" class="button button-primary" disabled=move || !ready.get()>"Save bundle"</button>
            </ActionForm>
        </section>
    }
}
