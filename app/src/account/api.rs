//! Server functions of the account page; each acts on the caller's own account only.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {super::service, crate::error::respond};

#[server(endpoint = "update_name")]
pub async fn update_name(name: String) -> Result<(), AppError> {
    respond(service::update_name(name).await)
}

#[server(endpoint = "change_email")]
pub async fn change_email(email: String, current_password: String) -> Result<(), AppError> {
    respond(service::change_email(email, current_password).await)
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    respond(service::change_password(current_password, password, confirm_password).await)
}

/// The caller's avatar URL, if they uploaded one.
#[server(endpoint = "my_avatar")]
pub async fn my_avatar() -> Result<Option<String>, AppError> {
    respond(
        async {
            let (state, _, user) = crate::auth::guard::require_user().await?;
            super::avatar::url_of(&state, user.id).await
        }
        .await,
    )
}
