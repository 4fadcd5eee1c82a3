//! `/library`'s "Private podcast feed": the customer's own feed link to add to a podcast
//! app, "Open in Apple Podcasts", and "Reset feed link" when it was shared.

use leptos::prelude::*;

use super::api::{my_podcast_feed, ResetPodcastFeed};
use crate::ui::{action_error, action_succeeded, hydrated, FormAlert, FormNotice};

#[component]
pub fn PodcastFeedSection() -> impl IntoView {
    let reset = ServerAction::<ResetPodcastFeed>::new();
    let feed = Resource::new(move || reset.version().get(), |_| my_podcast_feed());
    let ready = hydrated();
    let copied = RwSignal::new(false);
    view! {
        <Transition fallback=|| ()>
            {move || feed.get().and_then(Result::ok).flatten().map(|url| {
                // Apple Podcasts opens a feed from its address with the `podcast:` scheme.
                let apple = url.replacen("https://", "podcast://", 1).replacen("http://", "podcast://", 1);
                let to_copy = url.clone();
                view! {
                    <section class="card podcast-feed" aria-labelledby="podcast-feed-heading">
                        <h2 id="podcast-feed-heading">"Listen in your podcast app"</h2>
                        <p>"Your audio items as a private podcast. The link is yours alone: anyone with it hears what you bought, and a link opened from many places in a day is replaced by itself."</p>
                        <div class="field">
                            <label for="podcast-feed">"Private podcast feed"</label>
                            <input id="podcast-feed" type="url" readonly value=url.clone() data-copy-source=""/>
                        </div>
                        <p class="actions">
                            // Copying needs the page's script; until then the field can be selected.
                            <button type="button" class="button" disabled=move || !ready.get()
                                on:click=move |_| { copy_to_clipboard(&to_copy); copied.set(true); }>"Copy link"</button>
                            " "
                            <a class="button" href=apple>"Open in Apple Podcasts"</a>
                        </p>
                        {move || copied.get().then(|| view! { <p class="alert alert-success" role="status">"Link copied."</p> })}
                        <ActionForm action=reset attr:class="form">
                            <FormAlert error=action_error(reset)/>
                            <FormNotice show=action_succeeded(reset) message="Your feed has a new link. The old one no longer works: add the new one to your podcast app."/>
                            <button type="submit" class="button secondary">"Reset feed link"</button>
                        </ActionForm>
                    </section>
                }
            })}
        </Transition>
    }
}

fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}
