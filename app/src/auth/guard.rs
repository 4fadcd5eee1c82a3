//! Authorization checks for server functions, which are public HTTP endpoints.

use tower_sessions::Session;

use super::session;
use super::users::UserRecord;
use crate::error::{internal, AppError};
use crate::state::{app_state, AppState};

/// The caller's state, session and user, if anyone is signed in.
pub async fn caller() -> Result<(AppState, Session, Option<UserRecord>), AppError> {
    let state = app_state()?;
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|e| internal("session missing from request", e))?;
    let user = session::current_user(&state.pool, &session).await?;
    Ok((state, session, user))
}

/// A signed-in user, or `Unauthorized`.
pub async fn require_user() -> Result<(AppState, Session, UserRecord), AppError> {
    let (state, session, user) = caller().await?;
    let user = user.ok_or(AppError::Unauthorized)?;
    Ok((state, session, user))
}

/// The owner, or `Unauthorized` / `Forbidden`.
pub async fn require_owner() -> Result<(AppState, UserRecord), AppError> {
    let (state, _, user) = require_user().await?;
    Ok((state, owner_only(Some(user))?))
}

/// The same check for plain axum handlers, which hold the session themselves.
pub async fn owner_of_session(
    pool: &sqlx::PgPool,
    session: &Session,
) -> Result<UserRecord, AppError> {
    owner_only(session::current_user(pool, session).await?)
}

fn owner_only(user: Option<UserRecord>) -> Result<UserRecord, AppError> {
    let user = user.ok_or(AppError::Unauthorized)?;
    if !user.view().is_owner() {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}
