//! The item page of a bundle: what it holds, what the items cost one by one, what the
//! bundle saves, and which items the customer already has.

use domain::content::price_label;
use domain::paths;
use leptos::prelude::*;
use uuid::Uuid;

use super::api::load_bundle_contents;
use crate::ui::LoadError;

#[component]
pub fn BundleContentsList(bundle: Uuid, price_cents: i32) -> impl IntoView {
    let contents = Resource::new(move || bundle, load_bundle_contents);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || contents.get().map(|result| match result {
                Ok(contents) => {
                    let savings = contents.savings_cents(price_cents);
                    let count = contents.items.len();
                    let worth = price_label(contents.worth_cents());
                    view! {
                        <section class="bundle-contents" aria-labelledby="bundle-contents-heading">
                            <h2 id="bundle-contents-heading">{format!("This bundle holds {count} items")}</h2>
                            <ul aria-label="In this bundle">
                                {contents.items.into_iter().map(|entry| {
                                    let title = match entry.slug {
                                        Some(slug) => view! { <a href=paths::content(&slug)>{entry.title}</a> }.into_any(),
                                        None => view! { <span>{entry.title}</span> }.into_any(),
                                    };
                                    view! {
                                        <li>
                                            {title}
                                            " · " <span class="price">{price_label(entry.price_cents)}</span>
                                            {entry.owned.then(|| view! { " · " <strong class="owned">"You already have this"</strong> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <p class="hint">
                                {format!("Worth {worth} bought one by one.")}
                                {savings.map(|s| view! { " " <strong>{format!("You save {}.", price_label(s))}</strong> })}
                            </p>
                        </section>
                    }.into_any()
                }
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}
