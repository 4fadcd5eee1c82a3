//! `/admin/memberships`: the owner's tiers (new tier, the list with members, retire).

use leptos::prelude::*;

use super::api::{flagged_memberships, list_tiers, CreateTier, RetireTier};
use super::{FlaggedMembership, TierView};
use crate::selling::item_choice::ItemChoice;
use crate::streams::api::SaveTierStreams;
use crate::ui::{
    action_error, action_succeeded, hydrated, FormAlert, FormNotice, LoadError, PageHead,
};

#[component]
pub fn MembershipsPage() -> impl IntoView {
    let create = ServerAction::<CreateTier>::new();
    let retire = ServerAction::<RetireTier>::new();
    let tiers = Resource::new(
        move || (create.version().get(), retire.version().get()),
        |_| list_tiers(),
    );
    let flagged = Resource::new(|| (), |_| flagged_memberships());
    let ready = hydrated();
    view! {
        <PageHead title="Memberships" description="Membership tiers, their prices and their members."/>
        <h1>"Memberships"</h1>
        <Transition fallback=|| ()>
            {move || flagged.get().map(|result| match result {
                Ok(list) if list.is_empty() => ().into_any(),
                Ok(list) => view! { <FlaggedTable list/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
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

/// Memberships billed otherwise than sold: they keep only what was paid for at the tier's
/// price until the owner sorts them out in Stripe.
#[component]
fn FlaggedTable(list: Vec<FlaggedMembership>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="flagged-heading">
            <h2 id="flagged-heading">"Memberships to check"</h2>
            <p class="hint">"Stripe bills these otherwise than the tier was sold (a plan switched in Stripe, a promotion code). Their items play only as long as was paid at the tier's price; change them back in Stripe, or cancel them."</p>
            <div class="table-wrap" tabindex="0">
                <table class="table" aria-label="Memberships to check">
                    <thead><tr>
                        <th scope="col">"Customer"</th><th scope="col">"Tier"</th>
                        <th scope="col">"What differs"</th><th scope="col">"Plays until"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|m| view! {
                            <tr>
                                <td data-label="Customer">{m.customer_email}</td>
                                <td data-label="Tier">{m.tier_name}</td>
                                <td data-label="What differs">{m.mismatch}</td>
                                <td data-label="Plays until">{m.access_until_on.unwrap_or_else(|| "Not at all".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn TierTable(
    list: Vec<TierView>,
    retire: ServerAction<RetireTier>,
    ready: Signal<bool>,
) -> impl IntoView {
    let streams = ServerAction::<SaveTierStreams>::new();
    view! {
        <FormAlert error=action_error(streams)/>
        <FormNotice show=action_succeeded(streams) message="The tier's streams at once were saved."/>
        <div class="table-wrap" tabindex="0">
            <table class="table" aria-label="Tiers">
                <thead><tr>
                    <th scope="col">"Tier"</th><th scope="col">"Price"</th><th scope="col">"Unlocks"</th>
                    <th scope="col">"Members"</th><th scope="col">"Streams at once"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|tier| {
                        let label = format!("Retire {}", tier.name);
                        let streams_id = format!("tier-streams-{}", tier.id);
                        let save_label = format!("Save streams at once for {}", tier.name);
                        view! {
                            <tr>
                                <td data-label="Tier">{tier.name.clone()}</td>
                                <td data-label="Price">{tier.prices()}</td>
                                <td data-label="Unlocks">{tier.unlocks()}</td>
                                <td data-label="Members">{tier.active_members}</td>
                                <td data-label="Streams at once">
                                    <ActionForm action=streams attr:class="inline-form">
                                        <input type="hidden" name="tier" value=tier.id.to_string()/>
                                        <label class="visually-hidden" for=streams_id.clone()>{format!("Streams at once for {}", tier.name)}</label>
                                        <input id=streams_id name="streams" type="number" min="0" max="20" class="input-small"
                                            value=tier.max_streams.field() placeholder="Site's"/>
                                        <button type="submit" class="button button-small" aria-label=save_label disabled=move || !ready.get()>"Save"</button>
                                    </ActionForm>
                                </td>
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
        <p class="hint">"A retired tier is no longer sold; its members keep it until they cancel. \
            Streams at once: how many devices a member may play on at once; blank for the limit in Settings."</p>
    }
}
