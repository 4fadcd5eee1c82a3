//! The upload form: the browser sends the file in parts with `XMLHttpRequest`, whose upload
//! progress events drive the progress bar (bytes sent over total).

use leptos::html::Input;
use leptos::prelude::*;

use crate::error::AppError;
use crate::ui::FormAlert;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Progress {
    sent: f64,
    total: f64,
}

#[component]
pub fn UploadForm(on_uploaded: Callback<()>) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let progress = RwSignal::new(None::<Progress>);
    let error = RwSignal::new(None::<AppError>);
    let uploading = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if uploading.get_untracked() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = input
                .get_untracked()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0))
            else {
                error.set(Some(AppError::validation("Choose a file to upload.")));
                return;
            };
            error.set(None);
            done.set(None);
            uploading.set(true);
            leptos::task::spawn_local(async move {
                let name = file.name();
                let result = browser::upload(file, move |sent, total| {
                    progress.set(Some(Progress { sent, total }))
                })
                .await;
                uploading.set(false);
                match result {
                    Ok(()) => {
                        done.set(Some(format!("{name} is uploaded and will be processed.")));
                        on_uploaded.run(());
                    }
                    Err(e) => {
                        progress.set(None);
                        error.set(Some(e));
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (input, on_uploaded);
    };

    view! {
        <section class="card upload-card">
            <h2>"Upload media"</h2>
            <p class="hint">"Video: MP4, MOV or WebM up to 5 GB. Audio: MP3, M4A, WAV or AAC up to 500 MB."</p>
            <noscript><p class="alert alert-error">"Uploading needs JavaScript."</p></noscript>
            <form class="form" on:submit=on_submit>
                <FormAlert error=error/>
                <div class="field">
                    <label for="media-file">"Media file"</label>
                    <input
                        id="media-file"
                        name="file"
                        type="file"
                        node_ref=input
                        accept=".mp4,.mov,.webm,.mp3,.m4a,.wav,.aac,video/mp4,video/quicktime,video/webm,audio/mpeg,audio/mp4,audio/wav,audio/aac"
                    />
                </div>
                <button type="submit" class="button button-primary" disabled=move || uploading.get()>
                    {move || if uploading.get() { "Uploading…" } else { "Upload" }}
                </button>
                {move || progress.get().map(|p| {
                    let percent = if p.total > 0.0 { (p.sent / p.total * 100.0).min(100.0) } else { 0.0 };
                    view! {
                        <div class="upload-progress">
                            <progress aria-label="Upload progress" max=p.total value=p.sent></progress>
                            <span class="hint">
                                {format!("{:.0} % · {} of {}", percent,
                                    super::page::format_bytes(p.sent as u64),
                                    super::page::format_bytes(p.total as u64))}
                            </span>
                        </div>
                    }
                })}
                {move || done.get().map(|message| view! { <p class="alert alert-success" role="status">{message}</p> })}
            </form>
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use futures::channel::oneshot;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Blob, File, ProgressEvent, XmlHttpRequest};

    use crate::error::AppError;
    use crate::media::api::{complete_upload, start_upload};

    /// Starts the upload, sends every part in order, and completes it.
    pub async fn upload(
        file: File,
        on_progress: impl Fn(f64, f64) + Clone + 'static,
    ) -> Result<(), AppError> {
        let total = file.size();
        let ticket = start_upload(file.name(), total as u64, file.type_()).await?;
        let chunk = ticket.chunk_size as f64;
        for index in 0..ticket.parts {
            let start = index as f64 * chunk;
            let end = (start + chunk).min(total);
            let part = file
                .slice_with_f64_and_f64(start, end)
                .map_err(|_| AppError::validation("The file could not be read."))?;
            let report = on_progress.clone();
            let url = format!("/media/uploads/{}/parts/{index}", ticket.media_id);
            put_part(&url, &part, move |loaded| report(start + loaded, total)).await?;
        }
        on_progress(total, total);
        complete_upload(ticket.media_id).await
    }

    async fn put_part(
        url: &str,
        part: &Blob,
        on_progress: impl Fn(f64) + 'static,
    ) -> Result<(), AppError> {
        let network = || {
            AppError::validation("The upload was interrupted. Check your connection and try again.")
        };
        let xhr = XmlHttpRequest::new().map_err(|_| network())?;
        xhr.open("PUT", url).map_err(|_| network())?;
        let (sender, receiver) = oneshot::channel::<()>();
        let sender = Rc::new(RefCell::new(Some(sender)));
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            on_progress(e.loaded())
        });
        let finished = Closure::<dyn FnMut()>::new(move || {
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(());
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
        xhr.send_with_opt_blob(Some(part)).map_err(|_| network())?;
        let _ = receiver.await;
        drop((progress, finished));
        match xhr.status().unwrap_or(0) {
            204 => Ok(()),
            0 => Err(network()),
            _ => Err(xhr
                .response_text()
                .ok()
                .flatten()
                .and_then(|body| serde_json::from_str::<AppError>(&body).ok())
                .unwrap_or(AppError::Internal)),
        }
    }
}
