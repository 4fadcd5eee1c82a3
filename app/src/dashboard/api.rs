use leptos::prelude::*;

use super::Dashboard;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {crate::auth::guard, crate::error::respond, backend::dashboard::service};

#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::load(&call.state, &call.caller.owner()?).await
        }
        .await,
    )
}
