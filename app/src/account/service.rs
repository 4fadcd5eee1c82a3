//! Profile changes by the signed-in user.

use crate::auth::guard::require_user;
use crate::auth::password::{hash_password, verify_password};
use crate::auth::service::{queue_password_changed, queue_verification};
use crate::auth::session;
use crate::auth::types::{Email, NewPassword, PersonName};
use crate::auth::users::{self, UserRecord};
use crate::error::AppError;

async fn check_current_password(
    user: &UserRecord,
    current_password: String,
) -> Result<(), AppError> {
    if current_password.is_empty() {
        return Err(AppError::validation("Current password is required."));
    }
    if !verify_password(current_password, Some(user.password_hash.clone())).await? {
        return Err(AppError::validation("Current password is not correct."));
    }
    Ok(())
}

pub async fn update_name(name: String) -> Result<(), AppError> {
    let name = PersonName::parse(&name)?;
    let (state, _, user) = require_user().await?;
    users::set_name(&state.pool, user.id, &name).await
}

pub async fn change_email(email: String, current_password: String) -> Result<(), AppError> {
    let email = Email::parse(&email)?;
    let (state, _, user) = require_user().await?;
    check_current_password(&user, current_password).await?;
    if email.as_str() == user.email.to_lowercase() {
        return Err(AppError::validation("That is already your email address."));
    }
    let mut tx = state.pool.begin().await?;
    users::set_email(&mut tx, user.id, &email).await?;
    queue_verification(&mut tx, &state.site, &user, email.as_str()).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "email address changed");
    Ok(())
}

/// Changes the password and ends every other session of the user.
pub async fn change_password(
    current_password: String,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let (state, session, user) = require_user().await?;
    check_current_password(&user, current_password).await?;
    let password = NewPassword::parse_confirmed(&password, &confirm_password)?;
    let password_hash = hash_password(password.expose().to_string()).await?;
    let mut tx = state.pool.begin().await?;
    let epoch = users::set_password(&mut tx, user.id, &password_hash).await?;
    queue_password_changed(&mut tx, &state, &user).await?;
    tx.commit().await?;
    session::adopt_epoch(&session, user.id, epoch).await?;
    tracing::info!(user_id = %user.id, "password changed");
    Ok(())
}
