//! `/pricing`: the tiers on sale, each with "Subscribe" (a plain form to Stripe's
//! subscription Checkout, so it works before hydration), and the visitor's own memberships
//! with "Manage membership" (Stripe's customer portal).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::load_pricing;
use super::{checkout_message, price_per, Interval, MembershipView, Pricing, TierView};
use crate::ui::{LoadError, PageHead};

#[component]
pub fn PricingPage() -> impl IntoView {
    let pricing = Resource::new(|| (), |_| load_pricing());
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        if query.get("welcome").is_some() {
            return Some(
                view! { <p role="status" class="notice">"Welcome! Your membership is active."</p> }
                    .into_any(),
            );
        }
        let message = checkout_message(&query.get("checkout")?)?;
        Some(view! { <p role="alert" class="alert">{message}</p> }.into_any())
    };
    view! {
        <PageHead title="Memberships" description="Membership plans and what each one unlocks."/>
        <h1>"Memberships"</h1>
        {notice}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || pricing.get().map(|result| match result {
                Ok(pricing) => view! { <PricingView pricing/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PricingView(pricing: Pricing) -> impl IntoView {
    let Pricing {
        tiers,
        mine,
        signed_in,
    } = pricing;
    let member_of: Vec<_> = mine.iter().map(|m| m.tier_id).collect();
    view! {
        {(!mine.is_empty()).then(|| view! { <YourMemberships mine/> })}
        {if tiers.is_empty() {
            view! { <p class="empty">"No memberships are on sale."</p> }.into_any()
        } else {
            view! {
                <div class="grid tiers">
                    {tiers.into_iter().map(|tier| {
                        let member = member_of.contains(&tier.id);
                        view! { <TierCard tier member signed_in/> }
                    }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn YourMemberships(mine: Vec<MembershipView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="your-membership-heading">
            <h2 id="your-membership-heading">"Your membership"</h2>
            {mine.into_iter().map(|m| view! {
                <p><strong>{m.tier_name.clone()}</strong></p>
                <p role="status">{m.state_text()}</p>
            }).collect_view()}
            <form method="post" action="/memberships/portal">
                <button type="submit" class="button">"Manage membership"</button>
            </form>
        </section>
    }
}

#[component]
fn TierCard(tier: TierView, member: bool, signed_in: bool) -> impl IntoView {
    let heading = format!("tier-{}", tier.id);
    let labelled_by = heading.clone();
    let prices: Vec<(Interval, i32)> = [
        tier.monthly_cents.map(|c| (Interval::Month, c)),
        tier.yearly_cents.map(|c| (Interval::Year, c)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let select_id = format!("billing-{}", tier.id);
    let choice = match prices.as_slice() {
        [(interval, _)] => view! { <input type="hidden" name="interval" value=interval.as_str()/> }.into_any(),
        _ => view! {
            <div class="field">
                <label for=select_id.clone()>"Billing"</label>
                <select id=select_id name="interval">
                    {prices.iter().map(|(interval, cents)| view! {
                        <option value=interval.as_str()>{format!("{} — {}", interval.adjective(), price_per(*cents, *interval))}</option>
                    }).collect_view()}
                </select>
            </div>
        }.into_any(),
    };
    let action = if member {
        view! { <p class="badge">"You are a member"</p> }.into_any()
    } else {
        view! {
            <form method="post" action="/memberships/checkout" class="form">
                <input type="hidden" name="tier_id" value=tier.id.to_string()/>
                {choice}
                <button type="submit" class="button button-primary">"Subscribe"</button>
                {(!signed_in).then(|| view! { <p class="hint">"You will log in or create an account first."</p> })}
            </form>
        }.into_any()
    };
    view! {
        <section class="card tier" aria-labelledby=labelled_by>
            <h2 id=heading>{tier.name.clone()}</h2>
            <p class="price">{tier.prices()}</p>
            {(!tier.description.is_empty()).then(|| view! { <p>{tier.description.clone()}</p> })}
            <p><strong>"Unlocks: "</strong>{tier.unlocks()}</p>
            {action}
        </section>
    }
}
