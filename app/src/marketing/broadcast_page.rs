//! `/admin/emails/broadcasts/{id}`: one broadcast: who it reaches now, its email as they
//! will get it, and (while a draft) "Send test", "Send now", "Schedule" and "Delete".

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::api::{
    load_broadcast, BroadcastView, DeleteBroadcast, SendBroadcast, SendTestBroadcast,
};
use crate::ui::{action_error, action_succeeded, FormAlert, FormNotice, LoadError, PageHead};

#[component]
pub fn BroadcastPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::try_parse(&id).ok())
            .unwrap_or_default()
    };
    let send = ServerAction::<SendBroadcast>::new();
    let test = ServerAction::<SendTestBroadcast>::new();
    let delete = ServerAction::<DeleteBroadcast>::new();
    let broadcast = Resource::new(
        move || (id(), send.version().get()),
        |(id, _)| load_broadcast(id),
    );
    view! {
        <PageHead title="Broadcast" description="A broadcast, its recipients and its preview."/>
        <p><a href=domain::paths::ADMIN_BROADCASTS>"← Broadcasts"</a></p>
        <FormNotice show=action_succeeded(test) message="A test is on its way to your address."/>
        <FormNotice show=action_succeeded(send) message="The broadcast is on its way: see its figures on the broadcasts page."/>
        <FormAlert error=action_error(test)/>
        <FormAlert error=action_error(send)/>
        <FormAlert error=action_error(delete)/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || broadcast.get().map(|result| match result {
                Ok(view) => view! { <Broadcast view send test delete/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Broadcast(
    view: BroadcastView,
    send: ServerAction<SendBroadcast>,
    test: ServerAction<SendTestBroadcast>,
    delete: ServerAction<DeleteBroadcast>,
) -> impl IntoView {
    let BroadcastView {
        broadcast,
        segment,
        recipients,
        preview_html,
        preview_text,
    } = view;
    let id = broadcast.id.to_string();
    let (test_id, send_id, schedule_id) = (id.clone(), id.clone(), id.clone());
    let draft = broadcast.status == "draft";
    let status = match (broadcast.status.as_str(), broadcast.send_at) {
        ("draft", _) => "Draft: nobody has it yet.".to_string(),
        (status, Some(at)) => format!(
            "{status} ({})",
            at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        ),
        (status, None) => status.to_string(),
    };
    view! {
        <h1>{broadcast.draft.subject.clone()}</h1>
        <dl class="facts">
            <dt>"Segment"</dt><dd>{segment}</dd>
            <dt>"Recipients now"</dt><dd data-testid="recipients">{recipients}</dd>
            <dt>"Status"</dt><dd>{status}</dd>
        </dl>
        <section class="card" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview"</h2>
            <iframe class="email-frame" title="Email preview" sandbox="" srcdoc=preview_html></iframe>
            <details>
                <summary>"Text version"</summary>
                <pre class="email-body">{preview_text}</pre>
            </details>
        </section>
        {draft.then(move || view! {
            <section class="card stack" aria-label="Send">
                <ActionForm action=test attr:class="inline-form">
                    <input type="hidden" name="id" value=test_id/>
                    <button type="submit" class="button">"Send test"</button>
                </ActionForm>
                <ActionForm action=send attr:class="inline-form">
                    <input type="hidden" name="id" value=send_id/>
                    <button type="submit" class="button button-primary">"Send now"</button>
                </ActionForm>
                <ActionForm action=send attr:class="form">
                    <input type="hidden" name="id" value=schedule_id/>
                    <div class="field">
                        <label for="broadcast-send-at">"Send at"</label>
                        <input id="broadcast-send-at" name="send_at" type="datetime-local" required/>
                        <p class="hint">"In your platform's timezone."</p>
                    </div>
                    <button type="submit" class="button">"Schedule"</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button button-danger">"Delete"</button>
                </ActionForm>
            </section>
        })}
    }
}
