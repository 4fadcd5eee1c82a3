//! "Selling options" on the item editor: pay what you want (the price becomes the minimum)
//! with a suggested price, and renting with its terms.

use leptos::prelude::*;

use super::api::SaveSellingOptions;
use super::RentalTerms;
use crate::content::types::ContentDetail;
use crate::ui::{action_error, action_succeeded, hydrated, FormAlert, FormNotice};

fn dollars(cents: Option<i32>) -> String {
    cents
        .map(|c| format!("{}.{:02}", c / 100, c % 100))
        .unwrap_or_default()
}

#[component]
pub fn SellingOptionsSection(detail: ContentDetail) -> impl IntoView {
    let save = ServerAction::<SaveSellingOptions>::new();
    let ready = hydrated();
    let minimum = domain::content::price_label(detail.price_cents);
    view! {
        <section class="card" aria-labelledby="selling-heading">
            <h2 id="selling-heading">"Selling options"</h2>
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="id" value=detail.id.to_string()/>
                <div class="field field-checkbox">
                    <input id="selling-pwyw" type="checkbox" name="pay_what_you_want" value="on" checked=detail.pay_what_you_want/>
                    <label for="selling-pwyw">"Pay what you want"</label>
                </div>
                <p class="hint">{format!("Customers choose their price; the item's price ({minimum}) is the least they can pay.")}</p>
                <div class="field">
                    <label for="selling-suggested">"Suggested price"</label>
                    <input id="selling-suggested" name="suggested_price" inputmode="decimal" maxlength="10" value=dollars(detail.suggested_price_cents)/>
                </div>
                <div class="field">
                    <label for="selling-rental-price">"Rental price"</label>
                    <input id="selling-rental-price" name="rental_price" inputmode="decimal" maxlength="10" value=dollars(detail.rental_price_cents)/>
                </div>
                <p class="hint">"Leave it empty not to offer renting."</p>
                <div class="field">
                    <label for="selling-window">"Days to start watching"</label>
                    <input id="selling-window" name="rental_window_days" type="number" min="1" max="365" value=detail.rental_window_days.to_string() placeholder=RentalTerms::DEFAULT_WINDOW_DAYS.to_string()/>
                </div>
                <div class="field">
                    <label for="selling-hours">"Hours to watch"</label>
                    <input id="selling-hours" name="rental_viewing_hours" type="number" min="1" max="720" value=detail.rental_viewing_hours.to_string() placeholder=RentalTerms::DEFAULT_VIEWING_HOURS.to_string()/>
                </div>
                <p class="hint">"A rental can be started for this many days after paying, and then watched for this many hours."</p>
                <FormAlert error=action_error(save)/>
                <FormNotice show=action_succeeded(save) message="Selling options saved."/>
                <button type="submit" class="button button-primary" disabled=move || !ready.get()>"Save selling options"</button>
            </ActionForm>
        </section>
    }
}
