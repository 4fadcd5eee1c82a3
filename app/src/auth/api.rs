//! The account server functions. Each is a public HTTP endpoint under `/api/`: it reads
//! its caller with `guard::call` and runs `backend::account::sign_in`.

use leptos::prelude::*;

use super::types::UserView;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::auth::guard,
    crate::error::respond,
    backend::account::sign_in as service,
    domain::auth::{Email, NewAccount},
    domain::paths,
};

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::current_user(&call.caller).await
        }
        .await,
    )
}

#[server(endpoint = "owner_exists")]
pub async fn owner_exists() -> Result<bool, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::owner_exists(&call.state).await
        }
        .await,
    )
}

/// Whether first-run setup asks for the one-time setup token (production).
#[server(endpoint = "setup_needs_token")]
pub async fn setup_needs_token() -> Result<bool, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            Ok::<_, backend::Error>(service::setup_needs_token(&call.state))
        }
        .await,
    )
}

#[server(endpoint = "setup_owner")]
pub async fn setup_owner(
    #[server(default)] setup_token: Option<String>,
    name: String,
    email: String,
    password: String,
    confirm_password: String,
    #[server(default)] samples: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let form = service::OwnerSetup {
                setup_token: setup_token.as_deref(),
                name: &name,
                email: &email,
                password: &password,
                confirm_password: &confirm_password,
                with_samples: samples.is_some(),
            };
            service::setup_owner(&call.state, &call.session, form, &guard::client().await).await?;
            leptos_axum::redirect(domain::auth::Role::Owner.home_path());
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}

#[server(endpoint = "register")]
pub async fn register(
    name: String,
    email: String,
    password: String,
    confirm_password: String,
    #[server(default)] news: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let account = NewAccount::parse(&name, &email, &password, &confirm_password)?;
            service::register(
                &call.state,
                &call.session,
                &account,
                news.is_some(),
                &guard::client().await,
            )
            .await?;
            leptos_axum::redirect(domain::auth::Role::Customer.home_path());
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}

#[server(endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    #[server(default)] remember: Option<String>,
    #[server(default)] redirect: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let form = service::LogIn {
                email: Email::parse(&email)?,
                password,
                remember: remember.is_some(),
                redirect,
            };
            let target =
                service::login(&call.state, &call.session, form, &guard::client().await).await?;
            leptos_axum::redirect(&target);
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::logout(&call.state, &call.session).await?;
            leptos_axum::redirect(paths::HOME);
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}

#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<Option<String>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::verify_email(&call.state, &call.session, token).await
        }
        .await,
    )
}

#[server(endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::resend_verification(&call.state, &call.caller.signed_in()?).await
        }
        .await,
    )
}

#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::forgot_password(&call.state, email).await?;
            leptos_axum::redirect(paths::FORGOT_PASSWORD_SENT);
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            service::reset_password(&call.state, token, password, confirm_password).await?;
            leptos_axum::redirect(paths::LOGIN_AFTER_RESET);
            Ok::<_, backend::Error>(())
        }
        .await,
    )
}
