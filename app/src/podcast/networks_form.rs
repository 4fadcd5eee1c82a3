//! The settings' "Podcast feeds" card: how many networks may fetch one private feed in a
//! day before it counts as shared and is reset.

use leptos::prelude::*;

use super::api::{get_feed_networks, SaveFeedNetworks};
use crate::ui::{action_error, action_succeeded, FormAlert, FormNotice};

#[component]
pub fn FeedNetworksForm() -> impl IntoView {
    let save = ServerAction::<SaveFeedNetworks>::new();
    let current = Resource::new(|| (), |_| get_feed_networks());
    view! {
        <ActionForm action=save attr:class="form card">
            <h2>"Podcast feeds"</h2>
            <Suspense fallback=|| ()>
                {move || current.get().and_then(Result::ok).map(|value| view! {
                    <div class="field">
                        <label for="settings-feed-networks">"Feed networks per day"</label>
                        <input id="settings-feed-networks" name="networks" type="number" min="1" max="100" required
                            value=value.to_string() inputmode="numeric" aria-describedby="feed-networks-hint"/>
                        <p class="hint" id="feed-networks-hint">
                            "Each customer has a private podcast feed of their audio items. A feed fetched from more networks \
                             than this in a day is treated as shared: its link is replaced, its customer emailed the new one, \
                             and the security log notes it."
                        </p>
                    </div>
                })}
            </Suspense>
            <FormAlert error=action_error(save)/>
            <FormNotice show=action_succeeded(save) message="Podcast feed settings saved."/>
            <button type="submit" class="button button-primary">"Save podcast feed settings"</button>
        </ActionForm>
    }
}
