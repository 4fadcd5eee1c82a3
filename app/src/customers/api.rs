use leptos::prelude::*;
use uuid::Uuid;

use super::{CustomerDetail, CustomerList};
#[cfg(feature = "ssr")]
use crate::error::respond;
use crate::error::AppError;

#[server(endpoint = "list_customers")]
pub async fn list_customers(
    #[server(default)] query: Option<String>,
    #[server(default)] page: Option<i64>,
) -> Result<CustomerList, AppError> {
    respond(super::service::list(query, page).await)
}

#[server(endpoint = "load_customer")]
pub async fn load_customer(id: Uuid) -> Result<CustomerDetail, AppError> {
    respond(super::service::detail(id).await)
}
