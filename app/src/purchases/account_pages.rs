//! `/account/purchases` and `/account/purchases/{id}`: a customer's purchases and receipts.

use domain::paths;
use domain::selling::Offer;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::api::{my_purchases, purchase_receipt};
use super::PurchaseView;
use crate::ui::{LoadError, PageHead};
use domain::content::price_label;

#[component]
pub fn PurchasesPage() -> impl IntoView {
    let purchases = Resource::new(|| (), |_| my_purchases());
    view! {
        <PageHead title="Purchases" description="What you bought, with receipts."/>
        <h1>"Purchases"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || purchases.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! {
                    <p>"No purchases yet. " <a href="/">"Browse the catalog"</a></p>
                }.into_any(),
                Ok(list) => view! { <PurchaseTable list/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PurchaseTable(list: Vec<PurchaseView>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Amount"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Receipt"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|p| view! {
                        <tr class="purchase-row">
                            <td data-label="Item">{p.title.clone()}</td>
                            <td data-label="Amount">{price_label(p.amount_cents)}</td>
                            <td data-label="Date">{p.created_on.clone()}</td>
                            <td data-label="Status"><span class=format!("badge badge-{}", p.status.as_str())>{p.status.label()}</span></td>
                            <td><a href=format!("/account/purchases/{}", p.id) aria-label=format!("Receipt for {}", p.title)>"Receipt"</a></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<Uuid>().ok())
    };
    let receipt = Resource::new(id, |id| async move {
        match id {
            Some(id) => purchase_receipt(id).await,
            None => Err(crate::error::AppError(domain::error::Answer::NotFound)),
        }
    });
    view! {
        <PageHead title="Receipt" description="The receipt of a purchase."/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || receipt.get().map(|result| match result {
                Ok(purchase) => view! { <Receipt purchase/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Receipt(purchase: PurchaseView) -> impl IntoView {
    let kind = match purchase.kind.as_str() {
        "grant" => "Complimentary",
        "free" => "Free item",
        _ => "Card payment",
    };
    view! {
        <section class="card narrow receipt">
            <h1>"Receipt"</h1>
            <dl class="details">
                <dt>"Item"</dt><dd>{purchase.title.clone()}</dd>
                {(purchase.offer == Offer::Rent).then(|| view! { <dt>"Offer"</dt><dd>"Rental"</dd> })}
                {purchase.discount_code.clone().map(|code| view! {
                    <dt>"Discount"</dt>
                    <dd>{format!("{code} (list price {})", price_label(purchase.list_price_cents.unwrap_or(purchase.amount_cents)))}</dd>
                })}
                <dt>"Amount"</dt><dd>{price_label(purchase.amount_cents)}</dd>
                {(purchase.tax_cents > 0).then(|| view! { <dt>"Tax"</dt><dd>{price_label(purchase.tax_cents)}</dd> })}
                <dt>"Date"</dt><dd>{purchase.created_on.clone()}</dd>
                <dt>"Payment"</dt><dd>{purchase.payment_method().unwrap_or_else(|| kind.to_string())}</dd>
                <dt>"Payment id"</dt><dd><code>{purchase.payment_id.clone().unwrap_or_else(|| "—".into())}</code></dd>
                <dt>"Status"</dt><dd>{purchase.status.label()}</dd>
                {purchase.refund_reason.clone().map(|reason| view! { <dt>"Refund reason"</dt><dd>{reason}</dd> })}
            </dl>
            {purchase.stripe_receipt_url.clone().map(|url| view! {
                <p><a href=url rel="external noopener">"Card receipt from Stripe"</a></p>
            })}
            {purchase.gives_access().then(|| view! {
                <p>{if purchase.is_bundle {
                    view! { <a class="button button-primary" href=paths::library_entry(&purchase.slug)>"Open in library"</a> }.into_any()
                } else {
                    view! { <a class="button button-primary" href=paths::watch(&purchase.slug) rel="external">"Watch"</a> }.into_any()
                }}</p>
            })}
            <p><a href="/account/purchases">"All purchases"</a></p>
        </section>
    }
}
