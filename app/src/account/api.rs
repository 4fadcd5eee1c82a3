//! Server functions of the account page; each acts on the caller's own account only.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {crate::auth::guard, crate::error::respond, backend::account::profile as service};

#[server(endpoint = "update_name")]
pub async fn update_name(name: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::update_name(&call.state, &call.caller.signed_in()?, name).await
        }
        .await,
    )
}

#[server(endpoint = "change_email")]
pub async fn change_email(email: String, current_password: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::change_email(
                &call.state,
                &call.caller.signed_in()?,
                email,
                current_password,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            let change = service::PasswordChange {
                current: current_password,
                new: domain::auth::NewPassword::parse_confirmed(&password, &confirm_password)?,
            };
            service::change_password(&call.state, &call.session, &user, change).await
        }
        .await,
    )
}

/// The caller's avatar URL, if they uploaded one.
#[server(endpoint = "my_avatar")]
pub async fn my_avatar() -> Result<Option<String>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            backend::account::avatar::url_of(&call.state, user.id).await
        }
        .await,
    )
}
