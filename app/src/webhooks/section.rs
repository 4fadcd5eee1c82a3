//! The "Webhooks" section of `/admin/settings`: endpoints, their secrets (shown once), and
//! the delivery log with Resend. Its buttons wait for hydration: a secret shown once must
//! not be lost to a plain form post.

use leptos::prelude::*;

use super::api::{
    list_webhook_endpoints, webhook_deliveries, AddWebhookEndpoint, RemoveWebhookEndpoint,
    ResendWebhookDelivery, RollWebhookSecret,
};
use super::{DeliveryView, EndpointView, EventType, RevealedSecret};
use crate::ui::{action_error, hydrated, FormAlert, LoadError};

#[component]
pub fn WebhooksSection() -> impl IntoView {
    let add = ServerAction::<AddWebhookEndpoint>::new();
    let roll = ServerAction::<RollWebhookSecret>::new();
    let remove = ServerAction::<RemoveWebhookEndpoint>::new();
    let resend = ServerAction::<ResendWebhookDelivery>::new();
    let changes = move || {
        (
            add.version().get(),
            roll.version().get(),
            remove.version().get(),
            resend.version().get(),
        )
    };
    let endpoints = Resource::new(changes, |_| list_webhook_endpoints());
    let deliveries = Resource::new(changes, |_| webhook_deliveries());
    let revealed = move || {
        let from = |value: Option<Result<RevealedSecret, _>>| value.and_then(Result::ok);
        from(roll.value().get()).or_else(|| from(add.value().get()))
    };
    let ready = hydrated();
    let events = EventType::ALL
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="card form" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">"Webhooks"</h2>
            <p class="hint">{format!("Codex posts these events to your endpoints as JSON: {events}. Each request carries Codex-Signature: t=<time>,v1=<HMAC-SHA256 of \"<time>.<body>\" with the endpoint's secret>, as Stripe signs; failed deliveries are retried for about four hours.")}</p>
            <ActionForm action=add attr:class="form">
                <div class="field">
                    <label for="webhook-url">"Endpoint URL"</label>
                    <input id="webhook-url" name="url" type="url" required placeholder="https://tools.example.com/codex"/>
                </div>
                <FormAlert error=action_error(add)/>
                <button type="submit" class="button button-primary" disabled=move || !ready.get()>"Add endpoint"</button>
            </ActionForm>
            <FormAlert error=action_error(roll)/>
            <FormAlert error=action_error(resend)/>
            {move || revealed().map(|shown| view! {
                <div class="alert alert-success" role="status">
                    <p>{format!("Signing secret for {} (shown this once; keep it in your tool):", shown.url)}</p>
                    <p><code class="secret" data-testid="webhook-secret">{shown.secret}</code></p>
                </div>
            })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || endpoints.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p>"No endpoints yet."</p> }.into_any(),
                    Ok(list) => view! { <EndpointTable list roll remove ready/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
            <h3>"Deliveries"</h3>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || deliveries.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p>"Nothing sent yet."</p> }.into_any(),
                    Ok(list) => view! { <DeliveryTable list resend ready/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EndpointTable(
    list: Vec<EndpointView>,
    roll: ServerAction<RollWebhookSecret>,
    remove: ServerAction<RemoveWebhookEndpoint>,
    ready: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" aria-label="Webhook endpoints">
                <thead><tr><th scope="col">"Endpoint"</th><th scope="col">"Added"</th><th scope="col">"Delivered"</th><th scope="col">"Failed"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|endpoint| {
                        let (roll_id, remove_id) = (endpoint.id.to_string(), endpoint.id.to_string());
                        view! {
                            <tr>
                                <td data-label="Endpoint"><code>{endpoint.url.clone()}</code></td>
                                <td data-label="Added">{endpoint.created_at}</td>
                                <td data-label="Delivered">{endpoint.delivered}</td>
                                <td data-label="Failed">{endpoint.failing}</td>
                                <td>
                                    <ActionForm action=roll attr:class="inline-form">
                                        <input type="hidden" name="id" value=roll_id/>
                                        <button type="submit" class="button button-small" disabled=move || !ready.get()>"Roll secret"</button>
                                    </ActionForm>
                                    <ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="id" value=remove_id/>
                                        <button type="submit" class="button button-small button-danger" disabled=move || !ready.get()>"Remove"</button>
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

#[component]
fn DeliveryTable(
    list: Vec<DeliveryView>,
    resend: ServerAction<ResendWebhookDelivery>,
    ready: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" aria-label="Webhook deliveries">
                <thead><tr><th scope="col">"Time"</th><th scope="col">"Event"</th><th scope="col">"Endpoint"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|delivery| {
                        let resendable = delivery.resendable();
                        let answer = match (&delivery.last_status, &delivery.last_error) {
                            (_, Some(error)) => format!(" ({} attempts: {error})", delivery.attempts),
                            (Some(code), None) => format!(" (HTTP {code})"),
                            (None, None) => String::new(),
                        };
                        view! {
                            <tr class="delivery-row">
                                <td data-label="Time">{delivery.created_at}</td>
                                <td data-label="Event"><code>{delivery.event_type}</code></td>
                                <td data-label="Endpoint"><code>{delivery.url}</code></td>
                                <td data-label="Status"><span class=format!("badge badge-{}", delivery.status)>{delivery.status.clone()}</span>{answer}</td>
                                <td>
                                    {resendable.then(|| view! {
                                        <ActionForm action=resend attr:class="inline-form">
                                            <input type="hidden" name="id" value=delivery.id.to_string()/>
                                            <button type="submit" class="button button-small" disabled=move || !ready.get()>"Resend"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
