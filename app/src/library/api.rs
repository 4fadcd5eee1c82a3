use leptos::prelude::*;

use super::{ItemProgress, Library};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {super::LibrarySort, crate::auth::guard, crate::error::respond, backend::library::service};

/// The caller's library: `q` searches titles, `tag` filters, `sort` is added, title or
/// duration; `open` is the slug of the entry a receipt link opens.
#[server(endpoint = "load_library")]
pub async fn load_library(
    #[server(default)] q: Option<String>,
    #[server(default)] tag: Option<String>,
    #[server(default)] sort: Option<String>,
    #[server(default)] open: Option<String>,
) -> Result<Library, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let query = service::LibraryQuery {
                q,
                tag,
                sort: LibrarySort::parse(sort.as_deref()),
                open,
            };
            service::library(&call.state, &call.caller.signed_in()?, query).await
        }
        .await,
    )
}

/// How far the caller got in the items they started, for the catalog's cards; nothing for
/// a visitor.
#[server(endpoint = "my_progress")]
pub async fn my_progress() -> Result<Vec<ItemProgress>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            match call.caller.signed_in() {
                Ok(user) => service::progress_of(&call.state, &user).await,
                Err(_) => Ok(Vec::new()),
            }
        }
        .await,
    )
}
