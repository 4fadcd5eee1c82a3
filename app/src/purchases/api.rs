//! The purchase server functions: each reads its caller with `guard::call` and hands the
//! checked caller to `backend::purchases::service`.

use leptos::prelude::*;
use uuid::Uuid;

use super::{AdminPurchase, CheckoutState, PurchaseView};
#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {crate::auth::guard, backend::purchases::service};

#[server(endpoint = "confirm_checkout")]
pub async fn confirm_checkout(session_id: String) -> Result<CheckoutState, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::confirm(&call.state, &call.caller.signed_in()?, session_id).await
        }
        .await,
    )
}

#[server(endpoint = "my_purchases")]
pub async fn my_purchases() -> Result<Vec<PurchaseView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::mine(&call.state, &call.caller.signed_in()?).await
        }
        .await,
    )
}

#[server(endpoint = "purchase_receipt")]
pub async fn purchase_receipt(id: Uuid) -> Result<PurchaseView, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::receipt(&call.state, &call.caller.signed_in()?, id).await
        }
        .await,
    )
}

#[server(endpoint = "admin_purchases")]
pub async fn admin_purchases(
    #[server(default)] status: Option<String>,
    #[server(default)] query: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
) -> Result<Vec<AdminPurchase>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let filter = service::PurchaseFilter {
                status,
                query,
                from,
                to,
                customer: None,
            };
            service::admin_list(&call.state, &call.caller.owner()?, filter).await
        }
        .await,
    )
}

#[server(endpoint = "refund_purchase")]
pub async fn refund_purchase(purchase_id: Uuid, reason: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::refund(&call.state, &call.caller.owner()?, purchase_id, reason).await
        }
        .await,
    )
}

#[server(endpoint = "grant_access")]
pub async fn grant_access(email: String, content_id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::grant(&call.state, &call.caller.owner()?, email, content_id).await
        }
        .await,
    )
}

#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(purchase_id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::revoke_grant(&call.state, &call.caller.owner()?, purchase_id).await
        }
        .await,
    )
}
