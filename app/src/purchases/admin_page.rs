//! `/admin/purchases`: every purchase, filtered by status and searched by email or payment
//! id; refunds (with a reason and a confirmation), complimentary grants and their revocation.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{admin_purchases, GrantAccess, RefundPurchase, RevokeGrant};
use super::{AdminPurchase, PurchaseKind};
use crate::content::api::list_content;
use crate::memberships::payments_table::MembershipPayments;
use crate::ui::{
    action_error, action_succeeded, urlencode, Field, FormAlert, FormNotice, LoadError, PageHead,
    StatusFilter,
};
use domain::content::price_label;

#[component]
pub fn AdminPurchasesPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.read().get("status");
    let search = move || query.read().get("q");
    let from = move || query.read().get("from");
    let to = move || query.read().get("to");
    let refund = ServerAction::<RefundPurchase>::new();
    let grant = ServerAction::<GrantAccess>::new();
    let revoke = ServerAction::<RevokeGrant>::new();
    let purchases = Resource::new(
        move || {
            (
                status(),
                search(),
                from(),
                to(),
                refund.version().get(),
                grant.version().get(),
                revoke.version().get(),
            )
        },
        |(status, search, from, to, ..)| admin_purchases(status, search, from, to),
    );
    view! {
        <PageHead title="Purchases" description="Every sale, refund and dispute, searchable and exportable."/>
        <h1>"Purchases"</h1>
        <StatusFilter path="/admin/purchases" options=&[
            ("", "All"), ("completed", "Completed"), ("pending", "Pending"),
            ("refunded", "Refunded"), ("failed", "Failed"), ("revoked", "Revoked"),
        ]/>
        <form method="get" action="/admin/purchases" class="search-form" role="search">
            {move || status().map(|s| view! { <input type="hidden" name="status" value=s/> })}
            <label for="purchase-search">"Search purchases"</label>
            <input id="purchase-search" name="q" type="search" placeholder="Email or payment id" value=move || search().unwrap_or_default()/>
            <label for="purchase-from">"From"</label>
            <input id="purchase-from" name="from" type="date" value=move || from().unwrap_or_default()/>
            <label for="purchase-to">"To"</label>
            <input id="purchase-to" name="to" type="date" value=move || to().unwrap_or_default()/>
            <button type="submit" class="button">"Search"</button>
            <a class="button" href=move || format!("/admin/purchases.csv?{}", export_query(status(), search(), from(), to())) rel="external" download>"Export CSV"</a>
        </form>
        <FormAlert error=action_error(refund)/>
        <FormNotice show=action_succeeded(refund) message="Refunded. The customer no longer has access and has been emailed."/>
        <FormAlert error=action_error(revoke)/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || purchases.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p>"No purchases match."</p> }.into_any(),
                Ok(list) => view! { <PurchaseTable list refund revoke/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        <MembershipPayments/>
        <GrantForm grant/>
    }
}

/// The page's filters as the CSV link's query string.
fn export_query(
    status: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> String {
    [("status", status), ("q", q), ("from", from), ("to", to)]
        .into_iter()
        .filter_map(|(key, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| format!("{key}={}", urlencode(&v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[component]
fn PurchaseTable(
    list: Vec<AdminPurchase>,
    refund: ServerAction<RefundPurchase>,
    revoke: ServerAction<RevokeGrant>,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Amount"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Payment id"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|p| view! {
                        <tr class="purchase-row">
                            <td data-label="Customer">{p.customer_email.clone()}<br/><small>{p.customer_name.clone()}</small></td>
                            <td data-label="Item">{p.title.clone()}{p.how_sold().map(|how| view! { <br/><span class="hint">{how}</span> })}</td>
                            <td data-label="Amount">{price_label(p.amount_cents)}{(p.kind == PurchaseKind::Grant).then_some(" (granted)")}</td>
                            <td data-label="Date">{p.created_at.clone()}</td>
                            <td data-label="Status">
                                <span class=format!("badge badge-{}", p.status.as_str())>{p.status.label()}</span>
                                {p.refund_reason.clone().map(|r| view! { <br/><small>{r}</small> })}
                            </td>
                            <td data-label="Payment id"><code>{p.payment_id.clone().unwrap_or_default()}</code></td>
                            <td><PurchaseActions purchase=p refund revoke/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Refund asks for a reason and an explicit confirmation before anything is sent to Stripe.
#[component]
fn PurchaseActions(
    purchase: AdminPurchase,
    refund: ServerAction<RefundPurchase>,
    revoke: ServerAction<RevokeGrant>,
) -> impl IntoView {
    let id = purchase.id.to_string();
    if purchase.refundable() {
        let reason_id = format!("refund-reason-{id}");
        let confirm_id = format!("refund-confirm-{id}");
        let confirm = format!(
            "Refund {} to {} and end their access",
            price_label(purchase.amount_cents),
            purchase.customer_email
        );
        view! {
            <details class="refund">
                <summary>"Refund…"</summary>
                <ActionForm action=refund attr:class="stack-form">
                    <input type="hidden" name="purchase_id" value=id/>
                    <label for=reason_id.clone()>"Reason"</label>
                    <textarea id=reason_id.clone() name="reason" required maxlength="500" rows="2"></textarea>
                    <label class="checkbox" for=confirm_id.clone()>
                        <input id=confirm_id.clone() type="checkbox" required/>
                        {confirm}
                    </label>
                    <button type="submit" class="button button-danger">"Refund"</button>
                </ActionForm>
            </details>
        }
        .into_any()
    } else if purchase.revocable() {
        view! {
            <ActionForm action=revoke attr:class="inline-form">
                <input type="hidden" name="purchase_id" value=id/>
                <button type="submit" class="button button-small">"Revoke"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        ().into_any()
    }
}

/// "Grant access": for any customer by email, or for `customer` (their detail page).
#[component]
pub fn GrantForm(
    grant: ServerAction<GrantAccess>,
    #[prop(optional)] customer: Option<String>,
) -> impl IntoView {
    let items = Resource::new(|| (), |_| list_content(None));
    view! {
        <section class="card">
            <h2>"Grant access"</h2>
            <p class="hint">"Give an item to a customer free of charge. It appears in their library at once."</p>
            <ActionForm action=grant attr:class="stack-form">
                {match customer {
                    Some(email) => view! { <input type="hidden" name="email" value=email/> }.into_any(),
                    None => view! { <Field label="Customer email" name="email" kind="email" form="grant"/> }.into_any(),
                }}
                <div class="field">
                    <label for="grant-content">"Item"</label>
                    <Transition fallback=|| view! { <select id="grant-content" name="content_id" required></select> }>
                        {move || items.get().map(|result| view! {
                            <select id="grant-content" name="content_id" required>
                                {result.unwrap_or_default().into_iter().map(|item| view! {
                                    <option value=item.id.to_string()>{item.title}</option>
                                }).collect_view()}
                            </select>
                        })}
                    </Transition>
                </div>
                <button type="submit" class="button button-primary">"Grant access"</button>
            </ActionForm>
            <FormAlert error=action_error(grant)/>
            <FormNotice show=action_succeeded(grant) message="Access granted."/>
        </section>
    }
}
