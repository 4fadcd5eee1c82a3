//! The top of the catalog: the creator's name, picture and introduction, the item they
//! feature, and rows of the newest items, the bundles and the memberships on sale. Items
//! come from the kept catalog (published ones only), the words from the kept settings.

use domain::content::{CatalogItem, ShopWindow};

use crate::account::avatar;
use crate::content::description;
use crate::content::service::{catalog, CatalogQuery};
use crate::error::Error;
use crate::memberships::tiers;
use crate::settings::service as settings;
use crate::state::AppState;

/// How many items a row shows.
pub const ROW_ITEMS: usize = 4;

pub async fn shop_window(state: &AppState) -> Result<ShopWindow, Error> {
    let settings = settings::current(state).await?;
    let featured = async {
        match settings.featured_content_id {
            Some(id) => {
                let only = CatalogQuery {
                    only: Some(id),
                    ..CatalogQuery::default()
                };
                Ok(catalog(state, only).await?.first().cloned())
            }
            None => Ok::<_, Error>(None),
        }
    };
    let bundles = CatalogQuery {
        bundles_only: true,
        ..CatalogQuery::default()
    };
    let (creator, featured, newest, bundles, memberships) = tokio::try_join!(
        avatar::creator(state),
        featured,
        catalog(state, CatalogQuery::default()),
        catalog(state, bundles),
        tiers::for_storefront(state),
    )?;
    Ok(ShopWindow {
        creator,
        introduction: settings.introduction.clone(),
        featured_summary: featured
            .as_ref()
            .map(|item| description::render(&item.description).summary)
            .unwrap_or_default(),
        featured,
        // The grid below starts with the newest too: a row of them is worth it only when
        // the grid is longer than two rows.
        newest: match newest.len() > ROW_ITEMS * 2 {
            true => first(&newest),
            false => Vec::new(),
        },
        bundles: first(&bundles),
        memberships,
    })
}

fn first(items: &[CatalogItem]) -> Vec<CatalogItem> {
    items.iter().take(ROW_ITEMS).cloned().collect()
}
