//! `/watch/{slug}`: the player, for people with access (and the owner); others are sent to
//! the item's page. The player itself is `public/player.js` on hls.js, so the page is
//! opened with a full load (links to it are `rel="external"`).

use domain::paths;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use super::api::{load_watch, SaveProgress};
use super::WatchInfo;
use crate::content::chapters::ChapterList;
use crate::error::AppError;
use crate::ui::LoadError;
use domain::chapters::Chapter;

#[component]
pub fn WatchPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let info = Resource::new(slug, load_watch);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || info.get().map(|result| match result {
                Ok(info) => view! { <Player info/> }.into_any(),
                Err(AppError::Forbidden) | Err(AppError::NotFound) => {
                    view! { <Redirect path=paths::content(&slug())/> }.into_any()
                }
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Player(info: WatchInfo) -> impl IntoView {
    let label = format!("Player: {}", info.title);
    let is_audio = info.kind == "audio";
    let progress_url = <SaveProgress as ServerFn>::PATH;
    view! {
        <Title text=info.title.clone()/>
        <section class="watch">
            <h1>{info.title.clone()}</h1>
            <div
                class="player"
                data-player=""
                data-src=info.master_url.clone()
                data-resume=info.resume_at.to_string()
                data-content=info.content_id.to_string()
                data-progress=progress_url
            >
                {if is_audio {
                    view! { <audio id="player-media" controls preload="metadata" aria-label=label.clone()></audio> }.into_any()
                } else {
                    view! { <video id="player-media" controls playsinline preload="metadata" aria-label=label.clone()></video> }.into_any()
                }}
                <div class="player-controls">
                    <label for="player-speed">"Speed"</label>
                    <select id="player-speed">
                        <option value="0.5">"0.5×"</option>
                        <option value="1" selected=true>"1×"</option>
                        <option value="1.5">"1.5×"</option>
                        <option value="2">"2×"</option>
                    </select>
                    {(!is_audio).then(|| view! {
                        <label for="player-quality">"Quality"</label>
                        <select id="player-quality"><option value="-1">"Auto"</option></select>
                    })}
                    <span class="hint">"Keys: space plays or pauses, f is full screen, ← and → skip 5 s."</span>
                </div>
            </div>
            {(!info.chapters.is_empty()).then(|| {
                let markers = chapter_markers(&info.chapters, info.duration_seconds);
                view! {
                    {markers}
                    <ChapterList chapters=info.chapters.clone() seek=true/>
                }
            })}
            <p><a href=paths::content(&info.slug)>"About this item"</a></p>
        </section>
        <script src="/vendor/hls.min.js"></script>
        <script type="module" src="/player.js"></script>
    }
}

/// A bar under the player with a mark where each chapter starts (when the length is known).
fn chapter_markers(chapters: &[Chapter], duration: Option<f64>) -> Option<impl IntoView> {
    let duration = duration.filter(|d| *d > 0.0)?;
    Some(view! {
        <div class="chapter-markers" aria-hidden="true">
            {chapters.iter().map(|c| {
                let left = (f64::from(c.start_seconds) / duration * 100.0).clamp(0.0, 100.0);
                view! { <span class="chapter-marker" style=format!("left: {left:.2}%") title=c.title.clone()></span> }
            }).collect_view()}
        </div>
    })
}
