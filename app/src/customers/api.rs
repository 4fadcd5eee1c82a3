use leptos::prelude::*;
use uuid::Uuid;

use super::{CustomerDetail, CustomerList};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {crate::auth::guard, crate::error::respond, backend::customers::service};

#[server(endpoint = "list_customers")]
pub async fn list_customers(
    #[server(default)] query: Option<String>,
    #[server(default)] page: Option<i64>,
) -> Result<CustomerList, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::list(&call.state, &call.caller.owner()?, query, page).await
        }
        .await,
    )
}

#[server(endpoint = "load_customer")]
pub async fn load_customer(id: Uuid) -> Result<CustomerDetail, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::detail(&call.state, &call.caller.owner()?, id).await
        }
        .await,
    )
}
