//! Captions: the editor's "Captions" section (a plain multipart form per upload, which
//! comes back with `?captions=` saying how it went, and a "Remove" per language). The player
//! shows them as `<track>`s with a "Captions" menu (`playback/watch_page.rs`).

use leptos::prelude::*;

use super::api::{list_captions, RemoveCaptions};
use super::types::ContentDetail;
use crate::ui::{action_error, hydrated, CodeOutcome, FormAlert, LoadError};
use domain::captions::BadCaptions;
use domain::paths;

#[component]
pub fn CaptionsSection(detail: ContentDetail) -> impl IntoView {
    let remove = ServerAction::<RemoveCaptions>::new();
    let ready = hydrated();
    let id = detail.id;
    let tracks = Resource::new(move || remove.version().get(), move |_| list_captions(id));
    view! {
        <section class="card" aria-labelledby="captions-heading">
            <h2 id="captions-heading">"Captions"</h2>
            <CodeOutcome param="captions" saved="Captions saved." refusal=|code| BadCaptions::from_code(code).to_string()/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || tracks.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <p class="hint">"No captions yet."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="file-list" aria-label="Captions">
                            {list.into_iter().map(|track| view! {
                                <li>
                                    <span>{format!("{} ({})", track.label, track.language)}</span>
                                    <ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="content_id" value=id.to_string()/>
                                        <input type="hidden" name="language" value=track.language.clone()/>
                                        <button type="submit" class="button button-small" disabled=move || !ready.get()
                                            aria-label=format!("Remove {} captions", track.label)>"Remove"</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Suspense>
            <FormAlert error=action_error(remove)/>
            <form method="post" enctype="multipart/form-data" action=paths::admin_captions(id) class="form">
                <div class="field">
                    <label for="captions-language">"Language code"</label>
                    <input id="captions-language" name="language" required maxlength="10" placeholder="en"
                        aria-describedby="captions-language-hint" autocomplete="off"/>
                    <p class="hint" id="captions-language-hint">"Such as en, fr or pt-BR. A new file in the same language replaces the old one."</p>
                </div>
                <div class="field">
                    <label for="captions-label">"Name in the captions menu"</label>
                    <input id="captions-label" name="label" maxlength="50" placeholder="English"/>
                </div>
                <div class="field">
                    <label for="captions-file">"Captions file"</label>
                    <input id="captions-file" type="file" name="captions" accept=".vtt,.srt,text/vtt" required
                        aria-describedby="captions-file-hint"/>
                    <p class="hint" id="captions-file-hint">"WebVTT (.vtt) or SRT (.srt), up to 512 KB."</p>
                </div>
                <button type="submit" class="button">"Upload captions"</button>
            </form>
        </section>
    }
}
