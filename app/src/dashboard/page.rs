use leptos::prelude::*;

use super::api::load_dashboard;
use super::chart::RevenueChart;
use super::Dashboard;
use crate::purchases::PurchaseStatus;
use crate::ui::{LoadError, PageHead};
use domain::content::price_label;
use domain::dashboard::{ReconciliationRun, Sales};
// Revenue can pass $999.99 and can be negative in a month.
use domain::money::signed_label as money;

#[component]
pub fn AdminDashboardPage() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| load_dashboard());
    view! {
        <PageHead title="Dashboard" description="Revenue, sales and customers at a glance."/>
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || dashboard.get().map(|result| match result {
                Ok(d) => view! { <Figures d/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Figures(d: Dashboard) -> impl IntoView {
    view! {
        <section class="stats" aria-label="Key figures">
            <div class="stat card"><span class="stat-label">"Revenue, all time"</span><span class="stat-value" data-figure="revenue-all-time">{money(d.revenue_all_time_cents)}</span></div>
            <div class="stat card"><span class="stat-label">"Revenue, this month"</span><span class="stat-value" data-figure="revenue-month">{money(d.revenue_this_month_cents)}</span></div>
            <div class="stat card"><span class="stat-label">"Customers"</span><span class="stat-value" data-figure="customers">{d.customers}</span></div>
            <div class="stat card"><span class="stat-label">"Purchases"</span><span class="stat-value" data-figure="purchases">{d.completed_purchases}</span></div>
            <div class="stat card"><span class="stat-label">"Active members"</span><span class="stat-value" data-figure="members">{d.active_members}</span></div>
            <div class="stat card"><span class="stat-label">"MRR"</span><span class="stat-value" data-figure="mrr">{money(d.mrr_cents)}</span></div>
            <div class="stat card"><span class="stat-label">"Subscribers"</span><span class="stat-value" data-figure="subscribers">{d.audience.subscribers}</span></div>
            <div class="stat card"><span class="stat-label">"Recovered checkouts"</span><span class="stat-value" data-figure="recovered">{d.audience.recovered_checkouts}</span></div>
        </section>
        <p class="hint">{format!("Net of refunds and lost disputes. Days and months in {}.", d.timezone)}</p>
        <SalesFigures sales=d.sales/>
        <Reconciliation run=d.reconciliation.clone()/>
        <section class="card">
            <h2>"Revenue per day"</h2>
            <RevenueChart days=d.daily.clone()/>
            {d.daily.iter().all(|day| day.cents == 0).then(|| view! {
                <p class="hint">"No sales in the last 30 days yet. Publish an item in Content and share its page: each sale shows here the day it is paid."</p>
            })}
        </section>
        <div class="two-columns">
            <section class="card">
                <h2>"Top content"</h2>
                {if d.top_content.is_empty() {
                    view! { <p class="empty">"No sales yet. Your best-selling items show here."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0"><table class="table">
                            <thead><tr><th scope="col">"Item"</th><th scope="col">"Purchases"</th><th scope="col">"Revenue"</th></tr></thead>
                            <tbody>
                                {d.top_content.iter().map(|t| view! {
                                    <tr><td data-label="Item">{t.title.clone()}</td><td data-label="Purchases">{t.purchases}</td><td data-label="Revenue">{money(t.revenue_cents)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any()
                }}
            </section>
            <section class="card">
                <h2>"Latest purchases"</h2>
                {if d.recent.is_empty() {
                    view! { <p class="empty">"No purchases yet. Each one shows here as it is paid."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0"><table class="table">
                            <thead><tr><th scope="col">"Customer"</th><th scope="col">"Item"</th><th scope="col">"Amount"</th><th scope="col">"Time"</th></tr></thead>
                            <tbody>
                                {d.recent.iter().map(|p| view! {
                                    <tr>
                                        <td data-label="Customer">{p.customer_email.clone()}</td>
                                        <td data-label="Item">{p.title.clone()}</td>
                                        <td data-label="Amount">{price_label(p.amount_cents)}{(p.status != PurchaseStatus::Completed).then(|| format!(" ({})", p.status.label()))}</td>
                                        <td data-label="Time">{p.at.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

/// Gross sales, what went back (refunds, lost disputes) and net, all time.
#[component]
fn SalesFigures(sales: Sales) -> impl IntoView {
    view! {
        <section class="stats" aria-label="Sales">
            <div class="stat card"><span class="stat-label">"Gross sales"</span><span class="stat-value" data-figure="gross">{money(sales.gross_cents)}</span></div>
            <div class="stat card">
                <span class="stat-label">"Refunds"</span>
                <span class="stat-value" data-figure="refunds">{format!("{} · {}", sales.refunds, money(sales.refunds_cents))}</span>
            </div>
            <div class="stat card">
                <span class="stat-label">"Disputes"</span>
                <span class="stat-value" data-figure="disputes">{format!("{} ({} open) · {} lost", sales.disputes, sales.disputes_open, money(sales.disputes_lost_cents))}</span>
            </div>
            <div class="stat card"><span class="stat-label">"Net"</span><span class="stat-value" data-figure="net">{money(sales.net_cents)}</span></div>
        </section>
    }
}

/// Whether sales and access agree with Stripe, as the latest reconciliation found.
#[component]
fn Reconciliation(run: Option<ReconciliationRun>) -> impl IntoView {
    let body = match run {
        None => view! {
            <p>"Not run yet. It runs daily, or now with "<code>"server reconcile"</code>"."</p>
        }
        .into_any(),
        Some(run) => {
            let state = if run.failed {
                "stopped early (see the server log)"
            } else if run.finished {
                "finished"
            } else {
                "running"
            };
            view! {
                <p>{format!("Last run {} ({state}): {} events and {} checkouts from Stripe checked.", run.started_at, run.events_checked, run.sessions_checked)}</p>
                <ul class="figures" aria-label="Repaired by the last run">
                    <li data-figure="paid-without-access">{format!("paid without access: {}", run.paid_without_access)}</li>
                    <li data-figure="access-without-payment">{format!("access without payment: {}", run.access_without_payment)}</li>
                    <li data-figure="refunds-not-applied">{format!("refunds not applied: {}", run.refunds_applied)}</li>
                    <li data-figure="disputes-not-applied">{format!("disputes not applied: {}", run.disputes_applied)}</li>
                </ul>
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="reconciliation-heading">
            <h2 id="reconciliation-heading">"Reconciliation with Stripe"</h2>
            {body}
        </section>
    }
}
