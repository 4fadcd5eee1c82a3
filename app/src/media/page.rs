//! The owner's media page: upload with a progress bar, and the list of media with its
//! processing status, which updates by itself until everything is ready or failed.

use leptos::prelude::*;

use super::api::{list_media, DeleteMedia, RetryMedia};
use super::types::{MediaStatus, MediaView};
use super::upload_form::UploadForm;
use crate::ui::{action_error, hydrated, FormAlert, LoadError, PageHead};

#[component]
pub fn MediaPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let retry = ServerAction::<RetryMedia>::new();
    let delete = ServerAction::<DeleteMedia>::new();
    let media = Resource::new(
        move || (refresh.get(), retry.version().get(), delete.version().get()),
        |_| list_media(),
    );

    // While anything is uploading or processing, look again every few seconds (in the
    // browser only: timers do not exist while rendering on the server).
    #[cfg(feature = "hydrate")]
    {
        let busy = move || {
            media
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|list| list.iter().any(|m| !m.is_settled()))
        };
        let poll = set_interval_with_handle(
            move || {
                if busy() {
                    refresh.update(|n| *n += 1);
                }
            },
            std::time::Duration::from_secs(3),
        );
        on_cleanup(move || {
            if let Ok(handle) = poll {
                handle.clear();
            }
        });
    }

    view! {
        <PageHead title="Media" description="Uploaded video and audio files and their encoding."/>
        <h1>"Media"</h1>
        <UploadForm on_uploaded=Callback::new(move |_| refresh.update(|n| *n += 1))/>
        <FormAlert error=action_error(retry)/>
        <FormAlert error=action_error(delete)/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || media.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p>"No media yet. Upload a video or an audio file to begin."</p> }.into_any(),
                Ok(list) => view! { <MediaTable list retry delete/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn MediaTable(
    list: Vec<MediaView>,
    retry: ServerAction<RetryMedia>,
    delete: ServerAction<DeleteMedia>,
) -> impl IntoView {
    let ready = hydrated();
    let total = list.first().and_then(|m| m.total_stored_bytes).unwrap_or(0);
    view! {
        <p class="hint" data-figure="storage">{format!("Storage used: {}", format_bytes(total.max(0) as u64))}</p>
        <div class="table-wrap" tabindex="0">
            <table class="table media-table">
                <thead>
                    <tr>
                        <th scope="col">"File"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Duration"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Stored"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|m| {
                        let failed = m.status == MediaStatus::Failed;
                        let id = m.id;
                        view! {
                            <tr class="media-row" data-status=m.status.as_str()>
                                <td data-label="File">{m.original_filename.clone()}</td>
                                <td data-label="Type">{m.kind.clone()}</td>
                                <td data-label="Status">
                                    <span class=format!("badge badge-{}", m.status.as_str())>{m.status.as_str()}</span>
                                    {m.error.clone().map(|e| view! { <p class="media-error" role="alert">{e}</p> })}
                                    {(m.status == MediaStatus::Ready && m.encoding).then(|| view! {
                                        <p class="hint">"Plays now in its lowest quality; the higher ones are still encoding."</p>
                                    })}
                                    {(m.status == MediaStatus::Uploading).then(|| view! {
                                        <p class="hint">"Unfinished: choose the same file and press Upload to continue where it stopped. Removed after 24 hours without progress."</p>
                                    })}
                                    {failed.then(|| view! {
                                        <ActionForm action=retry attr:class="inline-form">
                                            <input type="hidden" name="media_id" value=id.to_string()/>
                                            <button type="submit" class="button button-small">"Retry"</button>
                                        </ActionForm>
                                    })}
                                </td>
                                <td data-label="Duration">{m.duration_seconds.map(format_duration).unwrap_or_default()}</td>
                                <td data-label="Size">{format_bytes(m.size_bytes.max(0) as u64)}</td>
                                <td data-label="Stored">{m.stored_bytes.map(|b| format_bytes(b.max(0) as u64)).unwrap_or_else(|| "—".into())}</td>
                                <td>
                                    <ActionForm action=delete attr:class="inline-form">
                                        <input type="hidden" name="media_id" value=id.to_string()/>
                                        <button type="submit" class="button button-small button-danger"
                                            aria-label=format!("Delete media {}", m.original_filename)
                                            disabled=move || !ready.get()>"Delete media"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `75.4` seconds as `1:15`, an hour and more as `1:02:03`.
pub fn format_duration(seconds: f64) -> String {
    let total = seconds.round().max(0.0) as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes_read_well() {
        assert_eq!(format_duration(75.4), "1:15");
        assert_eq!(format_duration(3723.0), "1:02:03");
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(5 * 1024 * 1024 * 1024), "5.0 GB");
        assert_eq!(format_bytes(1536), "1.5 KB");
    }
}
