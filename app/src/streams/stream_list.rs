//! A customer's open streams, each with "Stop watching there": on the watch page when the
//! limit is reached (stopping one opens the player here), and on `/account`.

use leptos::prelude::*;

use super::api::{my_streams, StopStream};
use super::ActiveStream;
use crate::ui::{action_error, FormAlert, LoadError};

/// The watch page in place of the player when the account's limit is reached.
#[component]
pub fn TooManyStreams(limit: u16, streams: Vec<ActiveStream>) -> impl IntoView {
    let devices = if limit == 1 {
        "one device".to_string()
    } else {
        format!("{limit} devices")
    };
    // Stopping a stream frees its slot: the page loads again and opens the player here.
    let reload = Callback::new(|_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().location().reload();
        }
    });
    view! {
        <section class="card stream-limit">
            <h1>"You are watching on too many devices"</h1>
            <p>{format!("Your account can play on {devices} at once. Stop watching on one of them to watch here.")}</p>
            <StreamList streams on_stopped=reload/>
        </section>
    }
}

/// `/account`'s list of the customer's open streams.
#[component]
pub fn AccountStreams() -> impl IntoView {
    let streams = Resource::new(|| (), |_| my_streams());
    let refresh = Callback::new(move |_| streams.refetch());
    view! {
        <section class="card">
            <h2>"Where you are watching"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || streams.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p>"You are not watching anything right now."</p> }.into_any(),
                    Ok(list) => view! { <StreamList streams=list on_stopped=refresh/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn StreamList(streams: Vec<ActiveStream>, on_stopped: Callback<()>) -> impl IntoView {
    let stop = ServerAction::<StopStream>::new();
    let done = stop.value();
    Effect::new(move |_| {
        if matches!(done.get(), Some(Ok(()))) {
            on_stopped.run(());
        }
    });
    view! {
        <FormAlert error=action_error(stop)/>
        <ul class="stream-list">
            {streams.into_iter().map(|stream| {
                let here = stream.this_device.then_some(" (this device)");
                let id = stream.id.to_string();
                view! {
                    <li class="stream" aria-label=format!("{}{}", stream.device, here.unwrap_or(""))>
                        <div>
                            <strong>{stream.device.clone()}{here}</strong>
                            <span class="meta">{format!(
                                "{} · network {} · active {}",
                                stream.item_title, stream.network, stream.last_active()
                            )}</span>
                        </div>
                        <ActionForm action=stop>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="button secondary">"Stop watching there"</button>
                        </ActionForm>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
