//! `/admin/discounts`: the owner's discount codes (new code, the list with uses, delete).

use leptos::prelude::*;

use super::api::{list_discounts, CreateDiscount, DeleteDiscount};
use super::item_choice::ItemChoice;
use super::DiscountView;
use crate::ui::{
    action_error, action_succeeded, hydrated, FormAlert, FormNotice, LoadError, PageHead,
};

#[component]
pub fn DiscountsPage() -> impl IntoView {
    let create = ServerAction::<CreateDiscount>::new();
    let delete = ServerAction::<DeleteDiscount>::new();
    let codes = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| list_discounts(),
    );
    let ready = hydrated();
    view! {
        <PageHead title="Discount codes" description="Discount codes, their limits and their use."/>
        <h1>"Discount codes"</h1>
        <section class="card" aria-labelledby="new-code-heading">
            <h2 id="new-code-heading">"New discount code"</h2>
            <ActionForm action=create attr:class="form">
                <div class="field">
                    <label for="discount-code-new">"Code"</label>
                    <input id="discount-code-new" name="code" required maxlength="32" autocomplete="off" placeholder="LAUNCH20"/>
                </div>
                <div class="field">
                    <label for="discount-amount">"Amount off"</label>
                    <input id="discount-amount" name="amount_off" required maxlength="10" placeholder="20% or 5.00"/>
                </div>
                <div class="field">
                    <label for="discount-expires">"Expires on"</label>
                    <input id="discount-expires" name="expires_on" type="date"/>
                </div>
                <div class="field">
                    <label for="discount-max-uses">"Usage limit"</label>
                    <input id="discount-max-uses" name="max_uses" type="number" min="1" max="1000000"/>
                </div>
                <fieldset class="field">
                    <legend>"Items"</legend>
                    <p class="hint">"Tick none for every item."</p>
                    <ItemChoice prefix="discount-item"/>
                </fieldset>
                <FormAlert error=action_error(create)/>
                <FormNotice show=action_succeeded(create) message="Discount code created."/>
                <button type="submit" class="button button-primary" disabled=move || !ready.get()>"Create code"</button>
            </ActionForm>
        </section>
        <FormAlert error=action_error(delete)/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || codes.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p class="empty">"No discount codes yet. Create one above; buyers type it on an item's page or at checkout."</p> }.into_any(),
                Ok(list) => view! { <CodeTable list delete ready/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn CodeTable(
    list: Vec<DiscountView>,
    delete: ServerAction<DeleteDiscount>,
    ready: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" aria-label="Discount codes">
                <thead><tr>
                    <th scope="col">"Code"</th><th scope="col">"Discount"</th><th scope="col">"Items"</th>
                    <th scope="col">"Expires"</th><th scope="col">"Uses"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|code| {
                        let uses = match code.max_uses {
                            Some(max) => format!("{} of {max}", code.used),
                            None => code.used.to_string(),
                        };
                        let items = if code.items.is_empty() { "All items".to_string() } else { code.items.join(", ") };
                        let expires = match (&code.expires_on, code.expired) {
                            (Some(on), true) => format!("Expired {on}"),
                            (Some(on), false) => on.clone(),
                            (None, _) => "Never".to_string(),
                        };
                        let label = format!("Delete {}", code.code);
                        view! {
                            <tr>
                                <td data-label="Code"><code>{code.code.clone()}</code></td>
                                <td data-label="Discount">{code.discount.label()}</td>
                                <td data-label="Items">{items}</td>
                                <td data-label="Expires">{expires}</td>
                                <td data-label="Uses">{uses}</td>
                                <td>
                                    <ActionForm action=delete attr:class="inline-form">
                                        <input type="hidden" name="id" value=code.id.to_string()/>
                                        <button type="submit" class="button button-small button-danger" aria-label=label disabled=move || !ready.get()>"Delete"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
