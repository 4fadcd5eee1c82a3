//! Server functions of content management (owner only) and of the catalog (anyone).

use leptos::prelude::*;
use uuid::Uuid;

use super::types::{CatalogItem, ContentDetail, ContentSummary, ItemAbout, ShopWindow, Viewer};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::auth::guard,
    crate::error::respond,
    backend::content::service::{self, ContentForm, ContentInput},
    backend::content::{captions, chapters, downloads},
    domain::content::CatalogSort,
    domain::paths,
};

/// The content form's fields as posted: an item without `id` is new, and the button
/// pressed is the `intent` (`publish` also publishes the item).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ContentFields {
    #[serde(default)]
    pub id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub media_id: String,
    #[serde(default)]
    pub intent: Option<String>,
}

/// Creates (no `id`) or updates an item; `intent=publish` also publishes it.
#[server(endpoint = "save_content")]
pub async fn save_content(#[server(flatten)] fields: ContentFields) -> Result<Uuid, AppError> {
    respond(
        async {
            let input = ContentInput::parse(ContentForm {
                title: &fields.title,
                slug: &fields.slug,
                description: &fields.description,
                price: &fields.price,
                category: &fields.category,
                tags: &fields.tags,
                media_id: &fields.media_id,
            })?;
            let call = guard::call().await?;
            let edit = service::ContentEdit {
                id: fields.id,
                input,
                publish: fields.intent.as_deref() == Some("publish"),
            };
            let id = service::save(&call.state, &call.caller.owner()?, edit).await?;
            leptos_axum::redirect(&paths::admin_content(id));
            Ok::<_, backend::Error>(id)
        }
        .await,
    )
}

#[server(endpoint = "publish_content")]
pub async fn publish_content(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::set_published(&call.state, &call.caller.owner()?, id, true).await
        }
        .await,
    )
}

#[server(endpoint = "unpublish_content")]
pub async fn unpublish_content(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::set_published(&call.state, &call.caller.owner()?, id, false).await
        }
        .await,
    )
}

#[server(endpoint = "content_owner_count")]
pub async fn content_owner_count(id: Uuid) -> Result<i64, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::owner_count(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}

#[server(endpoint = "delete_content")]
pub async fn delete_content(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::delete(&call.state, &call.caller.owner()?, id).await?;
            leptos_axum::redirect(paths::ADMIN_CONTENT);
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}

#[server(endpoint = "list_content")]
pub async fn list_content(
    #[server(default)] status: Option<String>,
) -> Result<Vec<ContentSummary>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::admin_list(&call.state, &call.caller.owner()?, status).await
        }
        .await,
    )
}

#[server(endpoint = "load_content")]
pub async fn load_content(id: Uuid) -> Result<ContentDetail, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::detail(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}

#[server(endpoint = "catalog")]
pub async fn catalog(
    #[server(default)] q: Option<String>,
    #[server(default)] tag: Option<String>,
    #[server(default)] category: Option<String>,
    #[server(default)] page: i64,
    #[server(default)] sort: Option<String>,
) -> Result<Vec<CatalogItem>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let query = service::CatalogQuery {
                q,
                tag,
                category,
                page,
                sort: CatalogSort::from_query(sort.as_deref()),
                ..service::CatalogQuery::default()
            };
            service::catalog(&call.state, query)
                .await
                .map(std::sync::Arc::unwrap_or_clone)
        }
        .await,
    )
}

/// The top of the catalog: the creator, the featured item, rows of the newest items,
/// bundles and memberships (anyone).
#[server(endpoint = "load_shop_window")]
pub async fn load_shop_window() -> Result<ShopWindow, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            backend::storefront::shop_window::shop_window(&call.state).await
        }
        .await,
    )
}

#[server(endpoint = "content_by_slug")]
pub async fn content_by_slug(slug: String) -> Result<(CatalogItem, Viewer, ItemAbout), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let (item, viewer) = service::by_slug(&call.state, &call.caller, slug).await?;
            let about = backend::storefront::about::about(&call.state, &item).await?;
            Ok::<_, backend::error::Error>((item, viewer, about))
        }
        .await,
    )
}

#[server(endpoint = "get_free_access")]
pub async fn get_free_access(content_id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            backend::purchases::service::get_free_access(
                &call.state,
                &call.caller.signed_in()?,
                content_id,
            )
            .await
        }
        .await,
    )
}

/// Replaces an item's chapters with those typed, one per line (`0:00 Intro`).
#[server(endpoint = "save_chapters")]
pub async fn save_chapters(id: Uuid, #[server(default)] chapters: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            chapters::save(&call.state, &call.caller.owner()?, id, &chapters).await
        }
        .await,
    )
}

/// An item's chapters (anyone, for a published item).
#[server(endpoint = "chapters_of")]
pub async fn chapters_of(content_id: Uuid) -> Result<Vec<domain::chapters::Chapter>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            chapters::for_page(&call.state, &call.caller, content_id).await
        }
        .await,
    )
}

/// The captions of the owner's item, for the editor.
#[server(endpoint = "list_captions")]
pub async fn list_captions(
    content_id: Uuid,
) -> Result<Vec<domain::captions::CaptionTrack>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            captions::of_owned(&call.state, &call.caller.owner()?, content_id).await
        }
        .await,
    )
}

/// Removes the captions of the owner's item in one language.
#[server(endpoint = "remove_captions")]
pub async fn remove_captions(content_id: Uuid, language: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            captions::remove(&call.state, &call.caller.owner()?, content_id, &language).await
        }
        .await,
    )
}

/// The files of the owner's item, for the editor.
#[server(endpoint = "list_downloads")]
pub async fn list_downloads(
    content_id: Uuid,
) -> Result<Vec<domain::downloads::Download>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            downloads::of_owned(&call.state, &call.caller.owner()?, content_id).await
        }
        .await,
    )
}

/// The files of an item the caller may download (its owner, people with access); empty
/// for everyone else.
#[server(endpoint = "downloads_of")]
pub async fn downloads_of(content_id: Uuid) -> Result<Vec<domain::downloads::Download>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            downloads::for_viewer(&call.state, &call.caller, content_id).await
        }
        .await,
    )
}

/// Removes a file of the owner's item.
#[server(endpoint = "remove_download")]
pub async fn remove_download(content_id: Uuid, download_id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            downloads::remove(&call.state, &call.caller.owner()?, content_id, download_id).await
        }
        .await,
    )
}
