//! `/admin/memberships`: the owner's tiers (new tier, the list with members, retire).

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{list_tiers, CreateTier, RetireTier};
use super::TierView;
use crate::selling::item_choice::ItemChoice;
use crate::ui::{action_error, action_succeeded, hydrated, FormAlert, FormNotice, LoadError};

#[component]
pub fn MembershipsPage() -> impl IntoView {
    let create = ServerAction::<CreateTier>::new();
    let retire = ServerAction::<RetireTier>::new();
    let tiers = Resource::new(
        move || (create.version().get(), retire.version().get()),
        |_| list_tiers(),
    );
    let ready = hydrated();
    view! {
        <Title text="Memberships"/>
        <h1>"Memberships"</h1>
        <section class="card" aria-labelledby="new-tier-heading">
            <h2 id="new-tier-heading">"New tier"</h2>
            <ActionForm action=create attr:class="form">
                <div class="field">
                    <label for="tier-name">"Name"</label>
                    <input id="tier-name" name="name" required maxlength="80" placeholder="All access"/>
                </div>
                <div class="field">
                    <label for="tier-description">"Description"</label>
                    <textarea id="tier-description" name="description" maxlength="2000" rows="2"></textarea>
                </div>
                <div class="field">
                    <label for="tier-monthly">"Monthly price"</label>
                    <input id="tier-monthly" name="monthly_price" inputmode="decimal" maxlength="10" placeholder="5.00"/>
                </div>
                <div class="field">
                    <label for="tier-yearly">"Yearly price"</label>
                    <input id="tier-yearly" name="yearly_price" inputmode="decimal" maxlength="10" placeholder="50.00"/>
                </div>
                <p class="hint">"Leave a price empty to not sell at that interval."</p>
                <fieldset class="field">
                    <legend>"Unlocks"</legend>
                    <div class="field-checkbox">
                        <input id="tier-all-items" type="checkbox" name="all_items" value="on"/>
                        <label for="tier-all-items">"Every item"</label>
                    </div>
                    <p class="hint">"Or tick the items (a bundle unlocks its items):"</p>
                    <ItemChoice prefix="tier-item"/>
                </fieldset>
                <FormAlert error=action_error(create)/>
                <FormNotice show=action_succeeded(create) message="Tier created."/>
                <button type="submit" class="button button-primary" disabled=move || !ready.get()>"Create tier"</button>
            </ActionForm>
        </section>
        <FormAlert error=action_error(retire)/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || tiers.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p class="empty">"No tiers yet. Create one above to sell a monthly or yearly membership that unlocks items."</p> }.into_any(),
                Ok(list) => view! { <TierTable list retire ready/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn TierTable(
    list: Vec<TierView>,
    retire: ServerAction<RetireTier>,
    ready: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" aria-label="Tiers">
                <thead><tr>
                    <th scope="col">"Tier"</th><th scope="col">"Price"</th><th scope="col">"Unlocks"</th>
                    <th scope="col">"Members"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|tier| {
                        let label = format!("Retire {}", tier.name);
                        view! {
                            <tr>
                                <td data-label="Tier">{tier.name.clone()}</td>
                                <td data-label="Price">{tier.prices()}</td>
                                <td data-label="Unlocks">{tier.unlocks()}</td>
                                <td data-label="Members">{tier.active_members}</td>
                                <td>
                                    <ActionForm action=retire attr:class="inline-form">
                                        <input type="hidden" name="id" value=tier.id.to_string()/>
                                        <button type="submit" class="button button-small button-danger" aria-label=label disabled=move || !ready.get()>"Retire"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="hint">"A retired tier is no longer sold; its members keep it until they cancel."</p>
    }
}
