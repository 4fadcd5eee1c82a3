//! `/watch/{slug}`: the player, for people with access (and the owner); others are sent to
//! the item's page. The player itself is `public/player.js` on hls.js, so the page is
//! opened with a full load (links to it are `rel="external"`).

use domain::paths;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use super::api::{load_watch, RenewPlayback, SaveProgress};
use super::WatchInfo;
use crate::content::chapters::ChapterList;
use crate::error::AppError;
use crate::streams::stream_list::TooManyStreams;
use crate::streams::WatchStart;
use crate::ui::{LoadError, PageHead};
use domain::chapters::Chapter;

#[component]
pub fn WatchPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let info = Resource::new(slug, load_watch);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || info.get().map(|result| match result {
                Ok(WatchStart::Play(info)) => view! { <Player info=*info/> }.into_any(),
                Ok(WatchStart::TooManyStreams { limit, streams }) => view! {
                    <PageHead title="Too many devices" description="Stop watching on another device to watch here."/>
                    <TooManyStreams limit streams/>
                }.into_any(),
                Err(AppError(domain::error::Answer::Forbidden)) | Err(AppError(domain::error::Answer::NotFound)) => {
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
    let renew_url = <RenewPlayback as ServerFn>::PATH;
    let has_captions = !is_audio && !info.captions.is_empty();
    view! {
        <PageHead title=info.title.clone() description=format!("Watch or listen to {}.", info.title)/>
        <section class="watch">
            <h1>{info.title.clone()}</h1>
            <div
                class="player"
                data-player=""
                data-src=info.master_url.clone()
                data-resume=info.resume_at.to_string()
                data-content=info.content_id.to_string()
                data-lease=info.lease.map(|lease| lease.to_string()).unwrap_or_default()
                data-progress=progress_url
                data-renew=renew_url
                data-beacon=paths::VIEWING_BEACON
                data-token-lifetime=info.token_lifetime_seconds.to_string()
            >
                {if is_audio {
                    // The waveform is for the mouse (a click seeks); the audio controls
                    // do the same from the keyboard.
                    view! {
                        {info.cover_url.clone().map(|src| view! {
                            <img class="cover" src=src alt=format!("Cover of {}", info.title) width="320" height="180"/>
                        })}
                        <canvas class="waveform" data-waveform="" width="1000" height="96" hidden aria-hidden="true"></canvas>
                        <audio id="player-media" controls preload="metadata" aria-label=label.clone()></audio>
                    }.into_any()
                } else {
                    let tracks = info.captions.iter().map(|track| view! {
                        <track kind="subtitles" srclang=track.language.clone() label=track.label.clone() src=track.url.clone()/>
                    }).collect_view();
                    // Under the video, a bar with previews of the frames where the pointer
                    // is (a click seeks); the video's own controls seek from the keyboard.
                    view! {
                        <video id="player-media" controls playsinline preload="metadata" poster=info.cover_url.clone() aria-label=label.clone()>{tracks}</video>
                        <div class="scrub" data-storyboard="" hidden aria-hidden="true">
                            <div class="scrub-played"></div>
                            <div class="scrub-preview" hidden><span class="scrub-time"></span></div>
                        </div>
                    }.into_any()
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
                    {has_captions.then(|| view! {
                        <label for="player-captions">"Captions"</label>
                        <select id="player-captions">
                            <option value="">"Off"</option>
                            {info.captions.iter().map(|track| view! {
                                <option value=track.language.clone()>{track.label.clone()}</option>
                            }).collect_view()}
                        </select>
                    })}
                    {(!is_audio).then(|| view! {
                        <button type="button" class="secondary" data-pip="" hidden>"Picture in picture"</button>
                    })}
                </div>
                <p class="player-message" role="alert"></p>
                <KeyboardHelp is_audio has_captions/>
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

/// The player's shortcuts, in a disclosure that `?` opens too.
#[component]
fn KeyboardHelp(is_audio: bool, has_captions: bool) -> impl IntoView {
    let mut keys = vec![
        ("Space or k", "Play or pause"),
        ("← and →", "Back or ahead 5 seconds"),
        ("j and l", "Back or ahead 10 seconds"),
        ("m", "Mute or unmute"),
        ("< and >", "Slower or faster"),
    ];
    if !is_audio {
        keys.push(("f", "Full screen"));
        keys.push(("p", "Picture in picture"));
    }
    if has_captions {
        keys.push(("c", "Captions on or off"));
    }
    keys.push(("?", "Show or hide these shortcuts"));
    view! {
        <details class="player-keys" data-keys="">
            <summary>"Keyboard shortcuts"</summary>
            <dl>
                {keys.into_iter().map(|(key, action)| view! {
                    <div><dt><kbd>{key}</kbd></dt><dd>{action}</dd></div>
                }).collect_view()}
            </dl>
        </details>
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
