//! Profile changes by the signed-in user.

use super::sign_in::{queue_password_changed, queue_verification, AddressToVerify};
use crate::auth::password::{hash_password, verify_password};
use crate::auth::session;
use crate::auth::users::{self, UserRecord};
use crate::auth::SignedIn;
use crate::email::{outbox, templates};
use crate::error::Error;
use crate::settings::service::email_context;
use crate::state::AppState;
use domain::auth::{Email, NewPassword, PersonName};
use domain::paths;
use tower_sessions::Session;

async fn check_current_password(user: &UserRecord, current_password: String) -> Result<(), Error> {
    if current_password.is_empty() {
        return Err(Error::validation("Current password is required."));
    }
    if !verify_password(current_password, Some(user.password_hash.clone())).await? {
        return Err(Error::validation("Current password is not correct."));
    }
    Ok(())
}

pub async fn update_name(state: &AppState, user: &SignedIn, name: String) -> Result<(), Error> {
    let name = PersonName::parse(&name)?;
    users::set_name(&state.pool, user.id, &name).await
}

pub async fn change_email(
    state: &AppState,
    user: &SignedIn,
    email: String,
    current_password: String,
) -> Result<(), Error> {
    let email = Email::parse(&email)?;
    check_current_password(user, current_password).await?;
    if email.as_str() == user.email.to_lowercase() {
        return Err(Error::validation("That is already your email address."));
    }
    let emails = email_context(state).await?;
    let mut tx = state.pool.begin().await?;
    users::set_email(&mut tx, user.id, &email).await?;
    queue_verification(
        &mut tx,
        state,
        &emails,
        AddressToVerify {
            user,
            email: email.as_str(),
        },
    )
    .await?;
    let notice = templates::email_changed(
        emails.addressed(&user.email, &user.name),
        email.as_str(),
        &state.public_url.link(paths::FORGOT_PASSWORD),
    );
    outbox::enqueue(&mut tx, &emails, &notice).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "email address changed");
    Ok(())
}

/// A change of password: the current one, checked, and the new one, parsed.
pub struct PasswordChange {
    pub current: String,
    pub new: NewPassword,
}

/// Changes the password and ends every other session of the user.
pub async fn change_password(
    state: &AppState,
    session: &Session,
    user: &SignedIn,
    change: PasswordChange,
) -> Result<(), Error> {
    let PasswordChange {
        current,
        new: password,
    } = change;
    check_current_password(user, current).await?;
    let password_hash = hash_password(password.expose().to_string()).await?;
    let emails = email_context(state).await?;
    let mut tx = state.pool.begin().await?;
    let epoch = users::set_password(&mut tx, user.id, &password_hash).await?;
    queue_password_changed(&mut tx, &emails, user).await?;
    tx.commit().await?;
    session::adopt_epoch(&state.pool, session, user.id, epoch).await?;
    tracing::info!(user_id = %user.id, "password changed");
    Ok(())
}
