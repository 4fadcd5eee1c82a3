//! The settings' "Playback" card: "Streams at once" for every account.

use leptos::prelude::*;

use super::api::{get_stream_limit, SaveStreamLimit};
use super::MAX_STREAMS;
use crate::ui::{action_error, action_succeeded, FormAlert, FormNotice};

#[component]
pub fn StreamLimitForm() -> impl IntoView {
    let save = ServerAction::<SaveStreamLimit>::new();
    let current = Resource::new(|| (), |_| get_stream_limit());
    view! {
        <ActionForm action=save attr:class="form card">
            <h2>"Playback"</h2>
            <Suspense fallback=|| ()>
                {move || current.get().and_then(Result::ok).map(|value| view! {
                    <div class="field">
                        <label for="settings-streams">"Streams at once"</label>
                        <input id="settings-streams" name="streams" type="number" min="0" max=MAX_STREAMS.to_string()
                            value=value inputmode="numeric" aria-describedby="streams-hint"/>
                        <p class="hint" id="streams-hint">{format!(
                            "How many devices one account may play on at once, 1 to {MAX_STREAMS}; blank for no limit. \
                             A membership tier can set its own. A player closed without stopping frees its place \
                             within two playback token lifetimes."
                        )}</p>
                    </div>
                })}
            </Suspense>
            <FormAlert error=action_error(save)/>
            <FormNotice show=action_succeeded(save) message="Playback settings saved."/>
            <button type="submit" class="button button-primary">"Save playback settings"</button>
        </ActionForm>
    }
}
