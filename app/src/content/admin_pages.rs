//! The owner's content pages: the list with its status filter, and the editor.

use domain::paths;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::api::{
    content_owner_count, list_content, load_content, DeleteContent, SaveContent, UnpublishContent,
};
use super::captions::CaptionsSection;
use super::categories::CategorySelect;
use super::chapters::ChaptersSection;
use super::downloads::DownloadsSection;
use super::types::{price_label, thumbnail_url, ContentDetail, ContentStatus, ContentSummary};
use crate::analytics::pages::ItemHeadline;
use crate::media::api::list_media;
use crate::media::types::MediaStatus;
use crate::selling::bundle_section::BundleSection;
use crate::selling::options_section::SellingOptionsSection;
use crate::ui::{action_error, Field, FormAlert, LoadError, PageHead, StatusFilter, UploadOutcome};

#[component]
pub fn ContentListPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.read().get("status");
    let items = Resource::new(status, list_content);
    view! {
        <PageHead title="Content" description="Everything on sale: drafts, scheduled and published items."/>
        <div class="page-heading">
            <h1>"Content"</h1>
            <a class="button button-primary" href="/admin/content/new">"New content"</a>
        </div>
        <StatusFilter path="/admin/content" options=&[
            ("", "All"), ("draft", "Drafts"), ("published", "Published"), ("archived", "Unpublished"),
        ]/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || items.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p class="empty">"No items here yet. Upload a video or audio file under "<a href="/admin/media">"Media"</a>", then choose New content to price and publish it."</p> }.into_any(),
                Ok(list) => view! { <ContentTable list/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn ContentTable(list: Vec<ContentSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Price"</th>
                        <th scope="col">"Customers"</th>
                        <th scope="col">"Purchases"</th>
                        <th scope="col">"Revenue"</th>
                        <th scope="col">"Plays"</th>
                        <th scope="col">"Media"</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|item| view! {
                        <tr class="content-row">
                            <td data-label="Title"><a href=paths::admin_content(item.id)>{item.title}</a></td>
                            <td data-label="Status"><span class=format!("badge badge-{}", item.status.as_str())>{item.status.as_str()}</span></td>
                            <td data-label="Price">{price_label(item.price_cents)}</td>
                            <td data-label="Customers">{item.owners}</td>
                            <td data-label="Purchases">{item.purchases}</td>
                            <td data-label="Revenue">{domain::money::signed_label(item.revenue_cents)}</td>
                            <td data-label="Plays">{item.plays}</td>
                            <td data-label="Media">{item.media_status.map_or("none", MediaStatus::as_str)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn NewContentPage() -> impl IntoView {
    view! {
        <PageHead title="New content" description="Create a new item to sell."/>
        <h1>"New content"</h1>
        <ContentForm detail=None/>
    }
}

#[component]
pub fn EditContentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::try_parse(&id).ok())
    };
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_content(id).await,
            None => Err(crate::error::AppError(domain::error::Answer::NotFound)),
        }
    });
    view! {
        <PageHead title="Edit content" description="Edit an item: its text, price, media and publishing."/>
        <h1>"Edit content"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) => view! {
                    <ItemHeadline id=detail.id/>
                    <ContentForm detail=Some(detail.clone())/>
                    <ThumbnailForm detail=detail.clone()/>
                    <SellingOptionsSection detail=detail.clone()/>
                    <BundleSection detail=detail.clone()/>
                    <ChaptersSection detail=detail.clone()/>
                    <CaptionsSection detail=detail.clone()/>
                    <DownloadsSection detail=detail.clone()/>
                    <PublishControls detail/>
                }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

/// The fields of an item; "Save" keeps its status, "Publish" also publishes it.
#[component]
fn ContentForm(detail: Option<ContentDetail>) -> impl IntoView {
    let save = ServerAction::<SaveContent>::new();
    let media = Resource::new(|| (), |_| list_media());
    let value = |text: String| Signal::derive(move || text.clone());
    let d = detail.clone();
    let field = move |f: fn(&ContentDetail) -> String| value(d.as_ref().map(f).unwrap_or_default());
    let current_media = detail.as_ref().and_then(|d| d.media_id);
    let description = detail
        .as_ref()
        .map(|d| d.description.clone())
        .unwrap_or_default();
    view! {
        <section class="card">
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <FormAlert error=action_error(save)/>
                {detail.as_ref().map(|d| view! { <input type="hidden" name="id" value=d.id.to_string()/> })}
                <Field label="Title" name="title" maxlength=200 value=field(|d| d.title.clone())/>
                <Field label="Slug" name="slug" maxlength=80 value=field(|d| d.slug.clone())/>
                <p class="hint">"Leave the slug empty to make one from the title."</p>
                <div class="field">
                    <label for="field-description">"Description"</label>
                    <textarea id="field-description" name="description" rows="6" maxlength="5000">{description}</textarea>
                </div>
                <Field label="Price" name="price" maxlength=10 value=field(|d| {
                    if d.price_cents == 0 { "0".into() } else { format!("{}.{:02}", d.price_cents / 100, d.price_cents % 100) }
                })/>
                <p class="hint">"In US dollars: 0 for free, or 1.00 to 999.99."</p>
                <CategorySelect current=detail.as_ref().and_then(|d| d.category.clone())/>
                <Field label="Tags" name="tags" maxlength=400 value=field(|d| d.tags.join(", "))/>
                <p class="hint">"Up to 10, separated by commas."</p>
                <div class="field">
                    <label for="field-media">"Media"</label>
                    <select id="field-media" name="media_id">
                        <option value="">"No media yet"</option>
                        <Suspense fallback=|| ()>
                            {move || media.get().and_then(Result::ok).map(|list| list.into_iter()
                                .filter(|m| m.status == MediaStatus::Ready || Some(m.id) == current_media)
                                .map(|m| {
                                    let selected = Some(m.id) == current_media;
                                    view! { <option value=m.id.to_string() selected=selected>{format!("{} ({})", m.original_filename, m.status.as_str())}</option> }
                                })
                                .collect_view())}
                        </Suspense>
                    </select>
                </div>
                <div class="button-row">
                    <button type="submit" name="intent" value="save" class="button">"Save"</button>
                    <button type="submit" name="intent" value="publish" class="button button-primary">"Publish"</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// The item's own thumbnail: a plain multipart form posted to the upload route, which comes
/// back here with `?thumbnail=` saying how it went.
#[component]
fn ThumbnailForm(detail: ContentDetail) -> impl IntoView {
    let current = thumbnail_url(detail.id, detail.custom_thumbnail, None, false);
    view! {
        <section class="card thumbnail-card">
            <h2>"Thumbnail"</h2>
            {match current {
                Some(src) => view! { <img src=src alt="The item's thumbnail" width="320" height="180"/> }.into_any(),
                None => view! { <p class="hint">"The thumbnail cut from the media is used until you upload one."</p> }.into_any(),
            }}
            <UploadOutcome param="thumbnail" noun="Thumbnail" types="JPEG, PNG or WebP" limit="5 MB"/>
            <form method="post" enctype="multipart/form-data" action=format!("/admin/content/{}/thumbnail", detail.id) class="form">
                <div class="field">
                    <label for="thumbnail-file">"Thumbnail image"</label>
                    <input id="thumbnail-file" type="file" name="thumbnail" accept="image/jpeg,image/png,image/webp" required/>
                </div>
                <p class="hint">"JPEG, PNG or WebP, up to 5 MB; 16:9 looks best."</p>
                <button type="submit" class="button">"Upload thumbnail"</button>
            </form>
        </section>
    }
}

#[component]
fn PublishControls(detail: ContentDetail) -> impl IntoView {
    let unpublish = ServerAction::<UnpublishContent>::new();
    let delete = ServerAction::<DeleteContent>::new();
    let confirming = RwSignal::new(false);
    let id = detail.id;
    let owners = Resource::new(
        move || confirming.get(),
        move |asked| async move {
            if asked {
                content_owner_count(id).await.ok()
            } else {
                None
            }
        },
    );
    let published = detail.status == ContentStatus::Published;
    view! {
        <section class="card danger-zone">
            <h2>"Status: " {detail.status.as_str()}</h2>
            <FormAlert error=action_error(unpublish)/>
            <FormAlert error=action_error(delete)/>
            <div class="button-row">
                {published.then(|| view! {
                    <ActionForm action=unpublish attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button type="submit" class="button">"Unpublish"</button>
                    </ActionForm>
                })}
                <button type="button" class="button button-danger" on:click=move |_| confirming.set(true)>"Delete"</button>
            </div>
            {move || confirming.get().then(|| view! {
                <div class="confirm" role="alertdialog" aria-label="Confirm deletion">
                    <Suspense fallback=|| view! { <p>"Counting customers…"</p> }>
                        {move || owners.get().flatten().map(|n| view! {
                            <p>{format!("{n} customer(s) own this item. They keep access after it is deleted.")}</p>
                        })}
                    </Suspense>
                    <ActionForm action=delete attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button type="submit" class="button button-danger">"Yes, delete it"</button>
                    </ActionForm>
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            })}
        </section>
    }
}
