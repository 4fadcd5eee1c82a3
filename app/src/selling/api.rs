//! The selling server functions: the owner's discount codes and selling options, and the
//! quote a code makes on an item's page (anyone).

use leptos::prelude::*;
use uuid::Uuid;

use super::{BundleContents, DiscountView, Quote};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::{auth::guard, error::respond},
    backend::client_ip::ClientIp,
    backend::selling::{bundles, discounts, options, pricing},
};

#[server(endpoint = "list_discounts")]
pub async fn list_discounts() -> Result<Vec<DiscountView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            discounts::list(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

/// `items` holds the ids of the items the code is limited to (none: every item).
#[server(endpoint = "create_discount")]
pub async fn create_discount(
    code: String,
    amount_off: String,
    #[server(default)] expires_on: String,
    #[server(default)] max_uses: String,
    #[server(default)] items: Vec<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let new = discounts::NewDiscount::parse(discounts::DiscountForm {
                code: &code,
                amount_off: &amount_off,
                expires_on: &expires_on,
                max_uses: &max_uses,
                items: &items,
            })?;
            discounts::create(&call.state, &owner, new)
                .await
                .map(|_| ())
        }
        .await,
    )
}

#[server(endpoint = "delete_discount")]
pub async fn delete_discount(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            discounts::delete(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}

#[server(endpoint = "save_selling_options")]
pub async fn save_selling_options(
    id: Uuid,
    #[server(default)] pay_what_you_want: Option<String>,
    #[server(default)] suggested_price: String,
    #[server(default)] rental_price: String,
    #[server(default)] rental_window_days: String,
    #[server(default)] rental_viewing_hours: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let form = options::SellingForm {
                pay_what_you_want: pay_what_you_want.is_some(),
                suggested_price: &suggested_price,
                rental_price: &rental_price,
                rental_window_days: &rental_window_days,
                rental_viewing_hours: &rental_viewing_hours,
            };
            options::save(&call.state, &call.caller.owner()?, id, form).await
        }
        .await,
    )
}

/// What discount code `code` makes of the prices of the published item `content_id`.
/// Refusals (not valid here, used up) are validation errors, their message for the page.
#[server(endpoint = "quote_discount")]
pub async fn quote_discount(content_id: Uuid, code: String) -> Result<Quote, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let client = leptos_axum::extract::<axum::Extension<ClientIp>>()
                .await
                .ok()
                .map(|axum::Extension(ClientIp(ip))| ip);
            discounts::count_try(&call.state.pool, client, &code).await?;
            let mut conn = call.state.pool.acquire().await?;
            let item = pricing::published(&mut conn, content_id)
                .await?
                .ok_or(backend::Error::Answer(backend::error::Answer::NotFound))?;
            pricing::quote(&mut conn, &item, &code)
                .await?
                .map_err(|refusal| backend::Error::validation(refusal.message()))
        }
        .await,
    )
}

/// Makes the owner's item `id` a bundle of `items` (ids of their other items), or a plain
/// item again with none.
#[server(endpoint = "save_bundle_items")]
pub async fn save_bundle_items(
    id: Uuid,
    #[server(default)] items: Vec<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            bundles::save_items(&call.state, &call.caller.owner()?, id, &items).await
        }
        .await,
    )
}

/// What the bundle `id` holds, with what the caller already has (anyone may ask about a
/// published bundle).
#[server(endpoint = "load_bundle_contents")]
pub async fn load_bundle_contents(id: Uuid) -> Result<BundleContents, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            bundles::contents(&call.state, &call.caller, id).await
        }
        .await,
    )
}
