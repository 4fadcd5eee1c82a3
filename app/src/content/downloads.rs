//! Files for buyers: the editor's "Files for buyers" section (a plain multipart form, which
//! comes back with `?download=`, and a "Remove" per file) and the item page's "Downloads"
//! list, shown to the owner and to people with access.

use leptos::prelude::*;

use super::api::{list_downloads, RemoveDownload};
use super::types::ContentDetail;
use crate::ui::{action_error, hydrated, CodeOutcome, FormAlert, LoadError};
use domain::downloads::{BadDownload, Download};
use domain::paths;

#[component]
pub fn DownloadsSection(detail: ContentDetail) -> impl IntoView {
    let remove = ServerAction::<RemoveDownload>::new();
    let ready = hydrated();
    let id = detail.id;
    let files = Resource::new(move || remove.version().get(), move |_| list_downloads(id));
    view! {
        <section class="card" aria-labelledby="downloads-heading">
            <h2 id="downloads-heading">"Files for buyers"</h2>
            <CodeOutcome param="download" saved="File saved." refusal=|code| BadDownload::from_code(code).to_string()/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || files.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <p class="hint">"No files yet."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="file-list" aria-label="Files for buyers">
                            {list.into_iter().map(|file| view! {
                                <li>
                                    <span>{format!("{} ({})", file.filename, file.size_text())}</span>
                                    <ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="content_id" value=id.to_string()/>
                                        <input type="hidden" name="download_id" value=file.id.to_string()/>
                                        <button type="submit" class="button button-small" disabled=move || !ready.get()
                                            aria-label=format!("Remove {}", file.filename)>"Remove"</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Suspense>
            <FormAlert error=action_error(remove)/>
            <form method="post" enctype="multipart/form-data" action=paths::admin_downloads(id) class="form">
                <div class="field">
                    <label for="download-file">"File"</label>
                    <input id="download-file" type="file" name="file" accept=".pdf,.zip,application/pdf,application/zip" required
                        aria-describedby="download-file-hint"/>
                    <p class="hint" id="download-file-hint">"PDF or ZIP, up to 100 MB. People who bought the item, rent it or hold it through a membership can download it."</p>
                </div>
                <button type="submit" class="button">"Upload file"</button>
            </form>
        </section>
    }
}

/// The item page's list of files, each a link that checks access and then downloads.
#[component]
pub fn DownloadList(content_id: uuid::Uuid, files: Vec<Download>) -> impl IntoView {
    view! {
        <section class="downloads" aria-labelledby="download-list-heading">
            <h2 id="download-list-heading">"Downloads"</h2>
            <ul aria-label="Downloads">
                {files.into_iter().map(|file| view! {
                    <li>
                        <a href=paths::download(content_id, file.id) rel="external" download="">{file.filename.clone()}</a>
                        <span class="hint">{format!(" {}", file.size_text())}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
