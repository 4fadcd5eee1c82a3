//! The checkout server functions. Each checks the caller in `service`.

use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use super::service;
use super::{AdminPurchase, CheckoutState, PurchaseView};
#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;

#[server(endpoint = "confirm_checkout")]
pub async fn confirm_checkout(session_id: String) -> Result<CheckoutState, AppError> {
    respond(service::confirm(session_id).await)
}

#[server(endpoint = "my_purchases")]
pub async fn my_purchases() -> Result<Vec<PurchaseView>, AppError> {
    respond(service::mine().await)
}

#[server(endpoint = "purchase_receipt")]
pub async fn purchase_receipt(id: Uuid) -> Result<PurchaseView, AppError> {
    respond(service::receipt(id).await)
}

#[server(endpoint = "admin_purchases")]
pub async fn admin_purchases(
    #[server(default)] status: Option<String>,
    #[server(default)] query: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
) -> Result<Vec<AdminPurchase>, AppError> {
    respond(
        service::admin_list(service::PurchaseFilter {
            status,
            query,
            from,
            to,
            customer: None,
        })
        .await,
    )
}

#[server(endpoint = "refund_purchase")]
pub async fn refund_purchase(purchase_id: Uuid, reason: String) -> Result<(), AppError> {
    respond(service::refund(purchase_id, reason).await)
}

#[server(endpoint = "grant_access")]
pub async fn grant_access(email: String, content_id: Uuid) -> Result<(), AppError> {
    respond(service::grant(email, content_id).await)
}

#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(purchase_id: Uuid) -> Result<(), AppError> {
    respond(service::revoke_grant(purchase_id).await)
}
