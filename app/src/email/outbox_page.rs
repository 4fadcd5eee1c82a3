use leptos::prelude::*;

use super::api::{list_outbox, ResendEmail};
use super::OutboxEntry;
use crate::ui::{action_error, action_succeeded, FormAlert, FormNotice, LoadError, PageHead};
use domain::email::TOKEN_SLOT;

#[component]
pub fn EmailsPage() -> impl IntoView {
    let resend = ServerAction::<ResendEmail>::new();
    let emails = Resource::new(move || resend.version().get(), |_| list_outbox());
    view! {
        <PageHead title="Emails" description="The emails sent and waiting, and their wording."/>
        <h1>"Emails"</h1>
        <p class="hint">"Every email the platform sends is written here first, then delivered by the mail worker."</p>
        <FormAlert error=action_error(resend)/>
        <FormNotice show=action_succeeded(resend) message="Queued: the email goes out on the next delivery round."/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || emails.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p class="empty">"No emails yet. Welcome emails, receipts and account emails show here as they are sent."</p> }.into_any(),
                Ok(list) => view! { <OutboxTable list resend/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn OutboxTable(list: Vec<OutboxEntry>, resend: ServerAction<ResendEmail>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead>
                    <tr><th scope="col">"Recipient"</th><th scope="col">"Subject"</th><th scope="col">"Status"</th><th scope="col">"Created"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|email| {
                        let created = email.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
                        let status = match &email.last_error {
                            Some(error) => format!("{} ({} attempts: {error})", email.status, email.attempts),
                            None => email.status.clone(),
                        };
                        view! {
                            <tr class="outbox-row">
                                <td data-label="Recipient">{email.to_address}</td>
                                <td data-label="Subject">
                                    <details>
                                        <summary>{email.subject}</summary>
                                        {email.one_time_link.then(|| view! {
                                            <p class="hint">"Its one-time link is added as it is sent and is not stored: it shows here as "<code>{TOKEN_SLOT}</code>"."</p>
                                        })}
                                        <pre class="email-body">{email.body_text}</pre>
                                    </details>
                                </td>
                                <td data-label="Status"><span class=format!("badge badge-{}", email.status)>{status}</span></td>
                                <td data-label="Created"><time datetime=created.clone()>{created.clone()}</time></td>
                                <td>
                                    {(email.status != "pending" && !email.one_time_link).then(|| view! {
                                        <ActionForm action=resend attr:class="inline-form">
                                            <input type="hidden" name="id" value=email.id.to_string()/>
                                            <button type="submit" class="button button-small">"Resend"</button>
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
