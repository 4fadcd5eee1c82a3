//! The account server functions. Each is a public HTTP endpoint under `/api/`; the work
//! and the authorization checks live in `service`.

use leptos::prelude::*;

use super::types::UserView;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {super::service, crate::error::respond};

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    respond(service::current_user().await)
}

#[server(endpoint = "owner_exists")]
pub async fn owner_exists() -> Result<bool, AppError> {
    respond(service::owner_exists().await)
}

#[server(endpoint = "setup_owner")]
pub async fn setup_owner(
    name: String,
    email: String,
    password: String,
    confirm_password: String,
    #[server(default)] samples: Option<String>,
) -> Result<(), AppError> {
    respond(service::setup_owner(name, email, password, confirm_password, samples.is_some()).await)
}

#[server(endpoint = "register")]
pub async fn register(
    name: String,
    email: String,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    respond(service::register(name, email, password, confirm_password).await)
}

#[server(endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    #[server(default)] remember: Option<String>,
    #[server(default)] redirect: Option<String>,
) -> Result<(), AppError> {
    respond(service::login(email, password, remember, redirect).await)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    respond(service::logout().await)
}

#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<Option<String>, AppError> {
    respond(service::verify_email(token).await)
}

#[server(endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    respond(service::resend_verification().await)
}

#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    respond(service::forgot_password(email).await)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    respond(service::reset_password(token, password, confirm_password).await)
}
