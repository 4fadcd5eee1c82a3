//! Server functions of content management (owner only) and of the catalog (anyone).

// The content form posts its fields as the server function's arguments.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use uuid::Uuid;

use super::types::{CatalogItem, ContentDetail, ContentSummary, Viewer};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::service::{self, ContentInput},
    crate::error::respond,
};

/// Creates (empty `id`) or updates an item; `intent=publish` also publishes it.
#[server(endpoint = "save_content")]
pub async fn save_content(
    #[server(default)] id: Option<Uuid>,
    title: String,
    #[server(default)] slug: String,
    #[server(default)] description: String,
    #[server(default)] price: String,
    #[server(default)] category: String,
    #[server(default)] tags: String,
    #[server(default)] media_id: String,
    #[server(default)] intent: Option<String>,
) -> Result<Uuid, AppError> {
    respond(
        async {
            let input = ContentInput::parse(
                &title,
                &slug,
                &description,
                &price,
                &category,
                &tags,
                &media_id,
            )?;
            let id = service::save(id, input, intent.as_deref() == Some("publish")).await?;
            leptos_axum::redirect(&format!("/admin/content/{id}"));
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "publish_content")]
pub async fn publish_content(id: Uuid) -> Result<(), AppError> {
    respond(service::set_published(id, true).await)
}

#[server(endpoint = "unpublish_content")]
pub async fn unpublish_content(id: Uuid) -> Result<(), AppError> {
    respond(service::set_published(id, false).await)
}

#[server(endpoint = "content_owner_count")]
pub async fn content_owner_count(id: Uuid) -> Result<i64, AppError> {
    respond(service::owner_count(id).await)
}

#[server(endpoint = "delete_content")]
pub async fn delete_content(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            service::delete(id).await?;
            leptos_axum::redirect("/admin/content");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "list_content")]
pub async fn list_content(
    #[server(default)] status: Option<String>,
) -> Result<Vec<ContentSummary>, AppError> {
    respond(service::admin_list(status).await)
}

#[server(endpoint = "load_content")]
pub async fn load_content(id: Uuid) -> Result<ContentDetail, AppError> {
    respond(service::detail(id).await)
}

#[server(endpoint = "catalog")]
pub async fn catalog(
    #[server(default)] q: Option<String>,
    #[server(default)] tag: Option<String>,
    #[server(default)] category: Option<String>,
    #[server(default)] page: i64,
) -> Result<Vec<CatalogItem>, AppError> {
    respond(service::catalog(q, tag, category, page).await)
}

#[server(endpoint = "content_by_slug")]
pub async fn content_by_slug(slug: String) -> Result<(CatalogItem, Viewer), AppError> {
    respond(service::by_slug(slug).await)
}

#[server(endpoint = "get_free_access")]
pub async fn get_free_access(content_id: Uuid) -> Result<(), AppError> {
    respond(service::get_free_access(content_id).await)
}
