//! The owner's membership payments, on the purchases page: each paid invoice, refunded or
//! disputed ones marked, so a membership's money shows where a sale's does.

use leptos::prelude::*;

use super::api::membership_payments;
use super::{MembershipPaymentStatus, MembershipPaymentView};
use crate::ui::LoadError;
use domain::money::signed_label;

#[component]
pub fn MembershipPayments() -> impl IntoView {
    let payments = Resource::new(|| (), |_| membership_payments());
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || payments.get().map(|result| match result {
                Ok(list) if list.is_empty() => ().into_any(),
                Ok(list) => view! { <PaymentsTable list/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn PaymentsTable(list: Vec<MembershipPaymentView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="membership-payments-heading">
            <h2 id="membership-payments-heading">"Membership payments"</h2>
            <p class="hint">"Each paid membership invoice. Refunds and disputes are made in Stripe; the membership goes on as Stripe bills it."</p>
            <div class="table-wrap" tabindex="0">
                <table class="table" aria-label="Membership payments">
                    <thead><tr>
                        <th scope="col">"Date"</th><th scope="col">"Customer"</th>
                        <th scope="col">"Tier"</th><th scope="col">"Amount"</th>
                        <th scope="col">"Status"</th><th scope="col">"Payment"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|p| {
                            let status = if p.status == MembershipPaymentStatus::PartlyRefunded {
                                format!("Partly refunded ({})", signed_label(p.refunded_cents))
                            } else {
                                p.status.label().to_string()
                            };
                            view! {
                                <tr>
                                    <td data-label="Date">{p.paid_at}</td>
                                    <td data-label="Customer">{p.customer_email}</td>
                                    <td data-label="Tier">{p.tier_name}</td>
                                    <td data-label="Amount">{signed_label(p.amount_cents)}</td>
                                    <td data-label="Status">{status}</td>
                                    <td data-label="Payment"><code>{p.payment_id.unwrap_or_default()}</code></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
