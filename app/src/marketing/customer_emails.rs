//! The owner's view of one customer's marketing email: what they consented to, and every
//! marketing email queued for them with what became of it.

use leptos::prelude::*;
use uuid::Uuid;

use super::api::{customer_emails, CustomerEmailsView};
use crate::ui::LoadError;

#[component]
pub fn CustomerEmails(id: Uuid) -> impl IntoView {
    let emails = Resource::new(move || id, customer_emails);
    view! {
        <section class="card" aria-labelledby="customer-emails-heading">
            <h2 id="customer-emails-heading">"Marketing email"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || emails.get().map(|result| match result {
                    Ok(view) => view! { <SendLog view/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SendLog(view: CustomerEmailsView) -> impl IntoView {
    let CustomerEmailsView { preferences, sends } = view;
    let yes = |on: bool| if on { "yes" } else { "no" };
    let consent = format!(
        "News: {}. New releases: {}.",
        yes(preferences.news),
        yes(preferences.releases)
    );
    view! {
        <p>{consent}</p>
        {preferences.suppressed.map(|why| view! { <p class="hint">"Suppressed: "{why}</p> })}
        {if sends.is_empty() {
            view! { <p class="empty">"No marketing email sent yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0"><table class="table" aria-label="Marketing emails">
                    <thead><tr><th scope="col">"Email"</th><th scope="col">"Status"</th><th scope="col">"When"</th></tr></thead>
                    <tbody>
                        {sends.into_iter().map(|send| {
                            let when = send.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
                            let status = match send.note {
                                Some(note) => format!("{} ({note})", send.status),
                                None => send.status,
                            };
                            view! {
                                <tr>
                                    <td data-label="Email">{send.what}</td>
                                    <td data-label="Status">{status}</td>
                                    <td data-label="When"><time datetime=when.clone()>{when.clone()}</time></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
    }
}
