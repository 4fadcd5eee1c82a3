//! `/checkout/success?session_id=`: where Stripe sends the customer after paying. It
//! confirms the session (the webhook may not have arrived yet) and offers "Watch" as soon
//! as access exists; until then it says the payment is processing and looks again.

use domain::paths;
use leptos::prelude::*;

use super::PurchaseStatus;
use leptos_meta::Meta;
use leptos_router::hooks::use_query_map;

use super::api::confirm_checkout;
use super::CheckoutState;
use crate::ui::{LoadError, PageHead};

/// Seconds between looks while the payment is processing.
const REFRESH_SECS: &str = "2";

#[component]
pub fn CheckoutSuccessPage() -> impl IntoView {
    let query = use_query_map();
    let session_id = move || query.read().get("session_id").unwrap_or_default();
    let state = Resource::new(session_id, confirm_checkout);
    view! {
        <PageHead title="Thank you" description="Your payment is being confirmed; your purchase is in your library."/>
        <section class="card narrow">
            <Suspense fallback=|| view! { <p>"Confirming your payment…"</p> }>
                {move || state.get().map(|result| match result {
                    Ok(state) => view! { <Outcome state/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Outcome(state: CheckoutState) -> impl IntoView {
    let watch = paths::watch(&state.slug);
    let receipt = paths::purchase_receipt(state.purchase_id);
    let play = if state.is_bundle {
        view! { <a class="button button-primary" href=paths::library_entry(&state.slug)>"Open in library"</a> }.into_any()
    } else {
        view! { <a class="button button-primary" href=watch rel="external">"Watch"</a> }.into_any()
    };
    let item = paths::content(&state.slug);
    match state.status {
        PurchaseStatus::Completed => view! {
            <h1>"Payment received"</h1>
            <p>{format!("“{}” is in your library now.", state.title)}</p>
            <p class="actions">
                {play}
                <a class="button" href=receipt>"View receipt"</a>
            </p>
        }
        .into_any(),
        PurchaseStatus::Pending => view! {
            <Meta http_equiv="refresh" content=REFRESH_SECS/>
            <h1>"Processing your payment…"</h1>
            <p role="status">{format!("We are waiting for the payment service to confirm your purchase of “{}”. This page updates by itself.", state.title)}</p>
        }
        .into_any(),
        PurchaseStatus::Disputed | PurchaseStatus::DisputeLost => view! {
            <h1>"Payment disputed"</h1>
            <p role="status">{format!("Your bank has disputed this payment, so “{}” is not available while the dispute lasts. If this is a mistake, tell your bank you recognise the payment.", state.title)}</p>
            <p><a class="button" href=receipt>"View receipt"</a></p>
        }
        .into_any(),
        PurchaseStatus::Refunded => view! {
            <h1>"Payment refunded"</h1>
            <p role="status">{format!("Your payment for “{}” has been refunded.", state.title)}</p>
            <p><a class="button" href=receipt>"View receipt"</a></p>
        }
        .into_any(),
        _ => view! {
            <h1>"Payment not completed"</h1>
            <p role="alert" class="alert alert-error">"This checkout did not go through, and you have not been charged."</p>
            <p><a href=item>"Back to the item"</a></p>
        }
        .into_any(),
    }
}
