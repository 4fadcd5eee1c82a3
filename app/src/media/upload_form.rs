//! The upload form. The browser sends the file in parts, three at a time, with
//! `XMLHttpRequest` (whose progress events drive the progress bar), retries a part whose
//! connection failed, and remembers the upload (in `localStorage`, by file name, size and
//! date) so that choosing the same file again after a reload continues where it stopped.

use leptos::html::Input;
use leptos::prelude::*;

use super::page::format_bytes;
use crate::error::AppError;
use crate::ui::{hydrated, FormAlert};

/// Where an upload is: bytes sent of the total, and the recent speed once measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub sent: f64,
    pub total: f64,
    pub bytes_per_second: Option<f64>,
}

impl Progress {
    /// "45 % · 12.0 MB of 30.0 MB · 2.0 MB/s · 9 s left"
    fn describe(&self) -> String {
        let percent = if self.total > 0.0 {
            (self.sent / self.total * 100.0).min(100.0)
        } else {
            0.0
        };
        let mut text = format!(
            "{percent:.0} % · {} of {}",
            format_bytes(self.sent as u64),
            format_bytes(self.total as u64)
        );
        if let Some(speed) = self.bytes_per_second.filter(|s| *s > 0.0) {
            let left = ((self.total - self.sent).max(0.0) / speed).ceil() as u64;
            text.push_str(&format!(
                " · {}/s · {} left",
                format_bytes(speed as u64),
                time_left(left)
            ));
        }
        text
    }
}

/// `42` as "42 s", `130` as "3 min", `7300` as "2 h 2 min".
fn time_left(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds.div_ceil(60)),
        _ => format!("{} h {} min", seconds / 3600, (seconds % 3600) / 60),
    }
}

/// What the upload tells the form while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadEvent {
    Progress(Progress),
    /// A message about the connection or a resumed upload (`None` clears it).
    Notice(Option<String>),
}

#[component]
pub fn UploadForm(on_uploaded: Callback<()>) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let progress = RwSignal::new(None::<Progress>);
    let notice = RwSignal::new(None::<String>);
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
            notice.set(None);
            uploading.set(true);
            leptos::task::spawn_local(async move {
                let name = file.name();
                let result = browser::upload(file, move |event| match event {
                    UploadEvent::Progress(p) => progress.set(Some(p)),
                    UploadEvent::Notice(text) => notice.set(text),
                })
                .await;
                uploading.set(false);
                // A finished upload keeps its notice (that it continued an earlier one);
                // a retry notice is gone by then, cleared by the part that got through.
                match result {
                    Ok(()) => {
                        done.set(Some(format!("{name} is uploaded and will be processed.")));
                        on_uploaded.run(());
                    }
                    Err(e) => {
                        notice.set(None);
                        progress.set(None);
                        error.set(Some(e));
                        // The list shows the unfinished upload.
                        on_uploaded.run(());
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (input, on_uploaded);
    };

    // The upload runs in the page's script: until it is ready, the button waits (a click
    // before would be lost to a plain form submit).
    let ready = hydrated();
    view! {
        <section class="card upload-card">
            <h2>"Upload media"</h2>
            <p class="hint">"Video: MP4, MOV or WebM up to 5 GB. Audio: MP3, M4A, WAV or AAC up to 500 MB. An interrupted upload continues where it stopped when you choose the same file again."</p>
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
                {move || (!ready.get()).then(|| view! {
                    <p class="hint" id="upload-wait">"The uploader is loading: Upload becomes available in a moment."</p>
                })}
                <button type="submit" class="button button-primary" disabled=move || uploading.get() || !ready.get()>
                    {move || if uploading.get() { "Uploading…" } else { "Upload" }}
                </button>
                {move || progress.get().map(|p| view! {
                    <div class="upload-progress">
                        <progress aria-label="Upload progress" max=p.total value=p.sent></progress>
                        <span class="hint" data-figure="upload-progress">{p.describe()}</span>
                    </div>
                })}
                <p class="hint upload-notice" aria-live="polite">{move || notice.get()}</p>
                {move || done.get().map(|message| view! { <p class="alert alert-success" role="status">{message}</p> })}
            </form>
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::collections::{HashMap, VecDeque};
    use std::rc::Rc;
    use std::time::Duration;

    use futures::channel::oneshot;
    use leptos::prelude::set_timeout;
    use uuid::Uuid;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Blob, File, ProgressEvent, XmlHttpRequest};

    use super::{Progress, UploadEvent};
    use crate::error::AppError;
    use crate::media::api::{complete_upload, resume_upload, start_upload};
    use crate::media::types::UploadTicket;

    /// Parts in flight at once.
    const PARALLEL_PARTS: usize = 3;
    /// Tries of one part before the upload stops (about ten minutes with the waits below).
    const TRIES_PER_PART: u32 = 25;

    /// Sends `file`: continues the upload of the same file if the server still has it,
    /// otherwise starts one; sends the missing parts and completes it.
    pub async fn upload(
        file: File,
        on_event: impl Fn(UploadEvent) + Clone + 'static,
    ) -> Result<(), AppError> {
        let total = file.size();
        let remembered = RememberedUpload::of(&file);
        let ticket = match remembered.media_id() {
            Some(id) => match resume_upload(id).await {
                Ok(ticket) => Some(ticket),
                Err(_) => {
                    remembered.forget();
                    None
                }
            },
            None => None,
        };
        let ticket = match ticket {
            Some(ticket) => {
                on_event(UploadEvent::Notice(Some(format!(
                    "Continuing the earlier upload: {} of {} parts were already there.",
                    ticket.received.len(),
                    ticket.parts
                ))));
                ticket
            }
            None => start_upload(file.name(), total as u64, file.type_()).await?,
        };
        remembered.remember(ticket.media_id);

        let sender = Rc::new(Sender::new(&file, &ticket, on_event.clone()));
        sender.report();
        let workers =
            (0..PARALLEL_PARTS).map(|_| sender.clone().work(file.clone(), ticket.media_id));
        let results = futures::future::join_all(workers).await;
        if let Some(error) = results.into_iter().find_map(Result::err) {
            return Err(error);
        }
        complete_upload(ticket.media_id).await?;
        remembered.forget();
        Ok(())
    }

    /// The upload of a file remembered in `localStorage` under its name, size and date.
    struct RememberedUpload {
        key: String,
    }

    impl RememberedUpload {
        fn of(file: &File) -> Self {
            Self {
                key: format!(
                    "codex-upload:{}:{}:{}",
                    file.name(),
                    file.size(),
                    file.last_modified()
                ),
            }
        }

        fn storage() -> Option<web_sys::Storage> {
            web_sys::window()?.local_storage().ok().flatten()
        }

        fn media_id(&self) -> Option<Uuid> {
            Self::storage()?.get_item(&self.key).ok()??.parse().ok()
        }

        fn remember(&self, media: Uuid) {
            if let Some(storage) = Self::storage() {
                let _ = storage.set_item(&self.key, &media.to_string());
            }
        }

        fn forget(&self) {
            if let Some(storage) = Self::storage() {
                let _ = storage.remove_item(&self.key);
            }
        }
    }

    /// The parts still to send and what has been sent, shared by the parallel workers.
    struct Sender<F> {
        chunk: f64,
        total: f64,
        on_event: F,
        state: RefCell<SendState>,
    }

    struct SendState {
        missing: VecDeque<u32>,
        /// Bytes of the parts the server has.
        done: f64,
        /// Bytes sent so far of each part in flight.
        in_flight: HashMap<u32, f64>,
        /// Recent (time in ms, bytes sent) readings, for the speed.
        samples: VecDeque<(f64, f64)>,
        failed: bool,
    }

    impl<F: Fn(UploadEvent) + Clone + 'static> Sender<F> {
        fn new(file: &File, ticket: &UploadTicket, on_event: F) -> Self {
            let chunk = ticket.chunk_size as f64;
            let total = file.size();
            let part_bytes = |i: u32| (total - f64::from(i) * chunk).min(chunk);
            let missing = (0..ticket.parts as u32)
                .filter(|i| !ticket.received.contains(i))
                .collect();
            let done = ticket.received.iter().map(|i| part_bytes(*i)).sum();
            Self {
                chunk,
                total,
                on_event,
                state: RefCell::new(SendState {
                    missing,
                    done,
                    in_flight: HashMap::new(),
                    samples: VecDeque::new(),
                    failed: false,
                }),
            }
        }

        fn report(&self) {
            let now = now_ms();
            let progress = {
                let mut state = self.state.borrow_mut();
                let sent = state.done + state.in_flight.values().sum::<f64>();
                state.samples.push_back((now, sent));
                // The speed over the last five seconds.
                while state
                    .samples
                    .front()
                    .is_some_and(|(t, _)| now - t > 5_000.0)
                {
                    state.samples.pop_front();
                }
                let bytes_per_second = state.samples.front().and_then(|(t, bytes)| {
                    (now - t >= 1_000.0).then(|| (sent - bytes).max(0.0) / ((now - t) / 1_000.0))
                });
                Progress {
                    sent: sent.min(self.total),
                    total: self.total,
                    bytes_per_second,
                }
            };
            (self.on_event)(UploadEvent::Progress(progress));
        }

        /// Takes parts until none is left (or another worker failed for good).
        async fn work(self: Rc<Self>, file: File, media: Uuid) -> Result<(), AppError> {
            loop {
                let next = {
                    let mut state = self.state.borrow_mut();
                    if state.failed {
                        None
                    } else {
                        state.missing.pop_front()
                    }
                };
                let Some(index) = next else {
                    return Ok(());
                };
                if let Err(error) = self.send_part(&file, media, index).await {
                    self.state.borrow_mut().failed = true;
                    return Err(error);
                }
            }
        }

        /// Sends one part, again after a failed connection or a server error, waiting a
        /// little longer each time (1, 2, 4, … 30 s).
        async fn send_part(
            self: &Rc<Self>,
            file: &File,
            media: Uuid,
            index: u32,
        ) -> Result<(), AppError> {
            let start = f64::from(index) * self.chunk;
            let end = (start + self.chunk).min(self.total);
            let part = file
                .slice_with_f64_and_f64(start, end)
                .map_err(|_| AppError::validation("The file could not be read."))?;
            let url = format!("/media/uploads/{media}/parts/{index}");
            let mut tries = 0;
            loop {
                tries += 1;
                let sender = Rc::clone(self);
                let on_progress = move |loaded: f64| {
                    sender.state.borrow_mut().in_flight.insert(index, loaded);
                    sender.report();
                };
                let outcome = put_part(&url, &part, on_progress).await;
                self.state.borrow_mut().in_flight.remove(&index);
                match outcome {
                    Ok(()) => {
                        self.state.borrow_mut().done += end - start;
                        // Only a part that had to retry clears the notice (its "Connection
                        // lost"); a "Continuing the earlier upload" stays until the end.
                        if tries > 1 {
                            (self.on_event)(UploadEvent::Notice(None));
                        }
                        self.report();
                        return Ok(());
                    }
                    Err(PartError::Final(error)) => return Err(error),
                    Err(PartError::Transient) if tries >= TRIES_PER_PART => {
                        return Err(AppError::validation(format!(
                            "The upload stopped at {:.0} %: the connection is lost. Choose the same file and press Upload to continue where it stopped.",
                            self.percent()
                        )));
                    }
                    Err(PartError::Transient) => {
                        let wait = 2u64.saturating_pow(tries - 1).min(30);
                        (self.on_event)(UploadEvent::Notice(Some(format!(
                            "Connection lost. Trying again in {wait} s…"
                        ))));
                        self.report();
                        sleep(Duration::from_secs(wait)).await;
                    }
                }
            }
        }

        fn percent(&self) -> f64 {
            let state = self.state.borrow();
            if self.total > 0.0 {
                state.done / self.total * 100.0
            } else {
                0.0
            }
        }
    }

    fn now_ms() -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now())
            .unwrap_or(0.0)
    }

    async fn sleep(duration: Duration) {
        let (done, wait) = oneshot::channel::<()>();
        set_timeout(
            move || {
                let _ = done.send(());
            },
            duration,
        );
        let _ = wait.await;
    }

    enum PartError {
        /// The connection failed or the server could not take it now: worth another try.
        Transient,
        /// The server refused the part: trying again would not help.
        Final(AppError),
    }

    async fn put_part(
        url: &str,
        part: &Blob,
        on_progress: impl Fn(f64) + 'static,
    ) -> Result<(), PartError> {
        let xhr = XmlHttpRequest::new().map_err(|_| PartError::Transient)?;
        xhr.open("PUT", url).map_err(|_| PartError::Transient)?;
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
        xhr.send_with_opt_blob(Some(part))
            .map_err(|_| PartError::Transient)?;
        let _ = receiver.await;
        drop((progress, finished));
        match xhr.status().unwrap_or(0) {
            204 => Ok(()),
            0 | 408 | 429 | 500..=599 => Err(PartError::Transient),
            _ => Err(PartError::Final(
                xhr.response_text()
                    .ok()
                    .flatten()
                    .and_then(|body| serde_json::from_str::<AppError>(&body).ok())
                    .unwrap_or(AppError(domain::error::Answer::Internal)),
            )),
        }
    }
}
