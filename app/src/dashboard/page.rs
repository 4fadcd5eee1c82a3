use leptos::prelude::*;
use leptos_meta::Title;

use super::api::load_dashboard;
use super::chart::RevenueChart;
use super::Dashboard;
use crate::purchases::PurchaseStatus;
use crate::ui::LoadError;
use domain::content::price_label;

/// `$12.34` for any amount (revenue can pass $999.99 and can be negative in a month).
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

#[component]
pub fn AdminDashboardPage() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| load_dashboard());
    view! {
        <Title text="Dashboard"/>
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
        </section>
        <p class="hint">{format!("Net of refunds. Days and months in {}.", d.timezone)}</p>
        <section class="card">
            <h2>"Revenue per day"</h2>
            <RevenueChart days=d.daily.clone()/>
        </section>
        <div class="two-columns">
            <section class="card">
                <h2>"Top content"</h2>
                {if d.top_content.is_empty() {
                    view! { <p>"No sales yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Item"</th><th scope="col">"Purchases"</th><th scope="col">"Revenue"</th></tr></thead>
                            <tbody>
                                {d.top_content.iter().map(|t| view! {
                                    <tr><td>{t.title.clone()}</td><td>{t.purchases}</td><td>{money(t.revenue_cents)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <section class="card">
                <h2>"Latest purchases"</h2>
                {if d.recent.is_empty() {
                    view! { <p>"No purchases yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Customer"</th><th scope="col">"Item"</th><th scope="col">"Amount"</th><th scope="col">"Time"</th></tr></thead>
                            <tbody>
                                {d.recent.iter().map(|p| view! {
                                    <tr>
                                        <td>{p.customer_email.clone()}</td>
                                        <td>{p.title.clone()}</td>
                                        <td>{price_label(p.amount_cents)}{(p.status != PurchaseStatus::Completed).then(|| format!(" ({})", p.status.label()))}</td>
                                        <td>{p.at.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
    }
}
