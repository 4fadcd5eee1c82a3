use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::api::{list_customers, load_customer};
use super::{CustomerDetail, CustomerList};
use crate::analytics::pages::CustomerWatched;
use crate::error::AppError;
use crate::purchases::admin_page::GrantForm;
use crate::purchases::api::GrantAccess;
use crate::purchases::PurchaseKind;
use crate::ui::{urlencode, LoadError, PageHead};
use domain::content::price_label;
use domain::money::signed_label as money;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q");
    let page = move || query.read().get("page").and_then(|p| p.parse::<i64>().ok());
    let list = Resource::new(
        move || (search(), page()),
        |(q, page)| list_customers(q, page),
    );
    let export = move || match search() {
        Some(q) if !q.is_empty() => format!("/admin/customers.csv?q={}", urlencode(&q)),
        _ => "/admin/customers.csv".to_string(),
    };
    view! {
        <PageHead title="Customers" description="The people who bought or subscribed, and what each spent."/>
        <h1>"Customers"</h1>
        <form method="get" action="/admin/customers" class="search-form" role="search">
            <label for="customer-search">"Search customers"</label>
            <input id="customer-search" name="q" type="search" placeholder="Email or name" value=move || search().unwrap_or_default()/>
            <button type="submit" class="button">"Search"</button>
            <a class="button" href=export rel="external" download>"Export CSV"</a>
        </form>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || list.get().map(|result| match result {
                Ok(list) if list.rows.is_empty() => view! { <p>"No customers match."</p> }.into_any(),
                Ok(list) => view! { <CustomerTable list search=search()/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn CustomerTable(list: CustomerList, search: Option<String>) -> impl IntoView {
    let link = move |page: i64| {
        let q = search
            .clone()
            .filter(|q| !q.is_empty())
            .map(|q| format!("&q={}", urlencode(&q)))
            .unwrap_or_default();
        format!("/admin/customers?page={page}{q}")
    };
    view! {
        <p class="hint">{format!("{} customers", list.total)}</p>
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Joined"</th>
                        <th scope="col">"Verified"</th>
                        <th scope="col">"Purchases"</th>
                        <th scope="col">"Total spent"</th>
                    </tr>
                </thead>
                <tbody>
                    {list.rows.into_iter().map(|c| view! {
                        <tr class="customer-row">
                            <td data-label="Customer"><a href=format!("/admin/customers/{}", c.id)>{c.email.clone()}</a><br/><small>{c.name.clone()}</small></td>
                            <td data-label="Joined">{c.joined_on.clone()}</td>
                            <td data-label="Verified">{if c.verified { "Yes" } else { "No" }}</td>
                            <td data-label="Purchases">{c.purchases}</td>
                            <td data-label="Total spent">{money(c.total_spent_cents)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="Pages">
            {(list.page > 1).then(|| view! { <a href=link(list.page - 1) rel="prev">"Previous"</a> })}
            <span>{format!("Page {} of {}", list.page, list.pages)}</span>
            {(list.page < list.pages).then(|| view! { <a href=link(list.page + 1) rel="next">"Next"</a> })}
        </nav>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<Uuid>().ok())
    };
    let grant = ServerAction::<GrantAccess>::new();
    let detail = Resource::new(
        move || (id(), grant.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_customer(id).await,
                None => Err(AppError(domain::error::Answer::NotFound)),
            }
        },
    );
    view! {
        <PageHead title="Customer" description="One customer: purchases, memberships and activity."/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) => view! { <CustomerDetails detail grant/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn CustomerDetails(detail: CustomerDetail, grant: ServerAction<GrantAccess>) -> impl IntoView {
    let c = detail.customer;
    view! {
        <p><a href="/admin/customers">"All customers"</a></p>
        <h1>{c.name.clone()}</h1>
        <section class="card">
            <dl class="details">
                <dt>"Email"</dt><dd>{c.email.clone()}</dd>
                <dt>"Joined"</dt><dd>{c.joined_on.clone()}</dd>
                <dt>"Email verified"</dt><dd>{if c.verified { "Yes" } else { "Not yet" }}</dd>
                <dt>"Purchases"</dt><dd>{c.purchases}</dd>
                <dt>"Total spent"</dt><dd>{money(c.total_spent_cents)}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>"Owned items"</h2>
            {if detail.owned.is_empty() {
                view! { <p class="empty">"Nothing yet. Grant access below to give this customer an item."</p> }.into_any()
            } else {
                view! {
                    <ul class="owned">
                        {detail.owned.into_iter().map(|item| view! {
                            <li>{item.title}" "<span class="badge">{item.reason}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card">
            <h2>"Purchases"</h2>
            {if detail.purchases.is_empty() {
                view! { <p>"No purchases yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0"><table class="table">
                        <thead><tr><th scope="col">"Item"</th><th scope="col">"Amount"</th><th scope="col">"Date"</th><th scope="col">"Status"</th></tr></thead>
                        <tbody>
                            {detail.purchases.into_iter().map(|p| view! {
                                <tr class="purchase-row">
                                    <td data-label="Item">{p.title.clone()}</td>
                                    <td data-label="Amount">{price_label(p.amount_cents)}{(p.kind == PurchaseKind::Grant).then_some(" (granted)")}</td>
                                    <td data-label="Date">{p.created_at.clone()}</td>
                                    <td data-label="Status">{p.status.label()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
        <CustomerWatched id=c.id/>
        <crate::marketing::customer_emails::CustomerEmails id=c.id/>
        <GrantForm grant customer=c.email.clone()/>
    }
}
