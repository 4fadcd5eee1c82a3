//! The membership server functions: the owner's tiers, and the pricing page (anyone).

use leptos::prelude::*;
use uuid::Uuid;

use super::{FlaggedMembership, MembershipPaymentView, Pricing, TierView};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::{auth::guard, error::respond},
    backend::memberships::{payments, tiers},
    backend::selling::chosen_items,
    domain::memberships::NewTier,
};

#[server(endpoint = "list_tiers")]
pub async fn list_tiers() -> Result<Vec<TierView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            tiers::list(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

/// `all_items` is the "Every item" checkbox; `items` the ids of the chosen items.
#[server(endpoint = "create_tier")]
pub async fn create_tier(
    name: String,
    #[server(default)] description: String,
    #[server(default)] monthly_price: String,
    #[server(default)] yearly_price: String,
    #[server(default)] all_items: Option<String>,
    #[server(default)] items: Vec<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let tier = NewTier::parse(&name, &description, &monthly_price, &yearly_price)?;
            let unlocks = match all_items {
                Some(_) => tiers::Unlocks::Everything,
                None => tiers::Unlocks::Items(chosen_items(&items)?),
            };
            tiers::create(&call.state, &owner, tier, unlocks)
                .await
                .map(|_| ())
        }
        .await,
    )
}

/// Memberships Stripe bills otherwise than sold; owner only.
#[server(endpoint = "flagged_memberships")]
pub async fn flagged_memberships() -> Result<Vec<FlaggedMembership>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            tiers::flagged(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

/// The latest paid invoices of memberships and what became of them; owner only.
#[server(endpoint = "membership_payments")]
pub async fn membership_payments() -> Result<Vec<MembershipPaymentView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            payments::latest(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}

#[server(endpoint = "retire_tier")]
pub async fn retire_tier(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            tiers::retire(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}

#[server(endpoint = "load_pricing")]
pub async fn load_pricing() -> Result<Pricing, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            tiers::pricing(&call.state, &call.caller).await
        }
        .await,
    )
}

/// The tiers on sale that unlock an item (anyone: the item page offers them).
#[server(endpoint = "tiers_for_item")]
pub async fn tiers_for_item(content_id: Uuid) -> Result<Vec<String>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            tiers::unlocking(&call.state, content_id).await
        }
        .await,
    )
}
