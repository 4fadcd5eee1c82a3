//! What the item page shows besides the offers: the description made into safe HTML, the
//! creator, and related items (from the kept catalog, so published ones only).

use domain::content::{CatalogItem, ItemAbout};

use crate::account::avatar;
use crate::content::service::{catalog, CatalogQuery};
use crate::content::{captions, description, downloads};
use crate::error::Error;
use crate::state::AppState;

/// How many related items the page offers.
pub const RELATED_ITEMS: usize = 4;

pub async fn about(state: &AppState, item: &CatalogItem) -> Result<ItemAbout, Error> {
    let description = description::render(&item.description);
    let related = CatalogQuery {
        related_to: Some(item.id),
        ..CatalogQuery::default()
    };
    let (related, creator, captions, downloads) = tokio::try_join!(
        catalog(state, related),
        avatar::creator(state),
        captions::of(&state.pool, item.id),
        downloads::count(&state.pool, item.id),
    )?;
    Ok(ItemAbout {
        description_html: description.html,
        summary: description.summary,
        creator,
        captions: captions.into_iter().map(|track| track.label).collect(),
        downloads,
        related: related.iter().take(RELATED_ITEMS).cloned().collect(),
    })
}
