//! Chapters: the editor's "Chapters" section, and the list the item page and the player
//! show (in the player, each chapter is a button that seeks: `public/player.js`).

use leptos::prelude::*;

use super::api::{chapters_of, SaveChapters};
use super::types::ContentDetail;
use crate::ui::{action_error, action_succeeded, hydrated, FormAlert, FormNotice, LoadError};
use domain::chapters::{chapters_text, Chapter};

#[component]
pub fn ChaptersSection(detail: ContentDetail) -> impl IntoView {
    let save = ServerAction::<SaveChapters>::new();
    let ready = hydrated();
    let id = detail.id;
    let saved = Resource::new(|| (), move |_| chapters_of(id));
    view! {
        <section class="card" aria-labelledby="chapters-heading">
            <h2 id="chapters-heading">"Chapters"</h2>
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="field">
                    <label for="chapters-text">"Chapters"</label>
                    <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                        {move || saved.get().map(|result| match result {
                            Ok(list) => view! {
                                <textarea id="chapters-text" name="chapters" rows="6" maxlength="12000"
                                    aria-describedby="chapters-hint" placeholder="0:00 Introduction">{chapters_text(&list)}</textarea>
                            }.into_any(),
                            Err(error) => view! { <LoadError error/> }.into_any(),
                        })}
                    </Suspense>
                    <p class="hint" id="chapters-hint">"One per line: a time, then the title. The first starts at 0:00."</p>
                </div>
                <FormAlert error=action_error(save)/>
                <FormNotice show=action_succeeded(save) message="Chapters saved."/>
                <button type="submit" class="button button-primary" disabled=move || !ready.get()>"Save chapters"</button>
            </ActionForm>
        </section>
    }
}

/// The chapters as a list; in the player (`seek`), each one is a button that jumps there.
#[component]
pub fn ChapterList(chapters: Vec<Chapter>, #[prop(optional)] seek: bool) -> impl IntoView {
    view! {
        <section class="chapters" aria-labelledby="chapter-list-heading">
            <h2 id="chapter-list-heading">"Chapters"</h2>
            <ol aria-label="Chapters">
                {chapters.into_iter().map(|chapter| {
                    let time = chapter.timestamp();
                    if seek {
                        view! {
                            <li><button type="button" class="chapter" data-seek=chapter.start_seconds.to_string()>
                                <span class="chapter-time">{time}</span>" "{chapter.title}
                            </button></li>
                        }.into_any()
                    } else {
                        view! { <li><span class="chapter-time">{time}</span>" "{chapter.title}</li> }.into_any()
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
