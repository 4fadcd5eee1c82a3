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

/// The caller's live sign-ins (devices), their own marked.
#[server(endpoint = "my_sign_ins")]
pub async fn my_sign_ins() -> Result<Vec<domain::devices::SignedInDevice>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            let this = backend::auth::session::sign_in_of(&call.session).await;
            backend::auth::sign_ins::live(&call.state.pool, user.id, this).await
        }
        .await,
    )
}

/// Signs one of the caller's devices out: its next request finds itself signed out, and
/// its player stops at its next token renewal.
#[server(endpoint = "sign_out_device")]
pub async fn sign_out_device(id: uuid::Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let user = call.caller.signed_in()?;
            backend::auth::sign_ins::end(&call.state.pool, user.id, id).await?;
            tracing::info!(user_id = %user.id, sign_in = %id, "device signed out");
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}
