use leptos::prelude::*;

use super::api::list_security_log;
use crate::ui::{LoadError, PageHead};
use domain::security::{SecurityEvent, SecurityEventKind};

#[component]
pub fn SecurityLogPage() -> impl IntoView {
    let events = Resource::new(|| (), |_| list_security_log());
    view! {
        <PageHead title="Security log" description="Sign-ins, refusals and every change made by the owner."/>
        <h1>"Security log"</h1>
        <p class="hint">"Failed logins, refused requests and every change made as the owner, newest first (kept 90 days)."</p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || events.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p>"Nothing recorded yet."</p> }.into_any(),
                Ok(list) => view! { <SecurityTable list/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn SecurityTable(list: Vec<SecurityEvent>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <caption class="visually-hidden">"Security log"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"Who"</th>
                        <th scope="col">"From"</th><th scope="col">"Request"</th><th scope="col">"Answer"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|event| {
                        let at = event.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
                        view! {
                            <tr class="security-row">
                                <td data-label="When"><time datetime=at.clone()>{at.clone()}</time></td>
                                <td data-label="What">{SecurityEventKind::label(&event.kind)}</td>
                                <td data-label="Who">{event.actor.unwrap_or_else(|| "(not signed in)".into())}</td>
                                <td data-label="From">{event.ip}</td>
                                <td data-label="Request"><code>{event.action}</code></td>
                                <td data-label="Answer">{event.status}</td>
                                <td data-label="Details">{event.detail}{(event.repeats > 1).then(|| format!(" (×{})", event.repeats))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
