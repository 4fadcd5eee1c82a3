//! Who is signed in: the user id, session epoch and sign-in kept in the tower-sessions record.
//!
//! A password reset or change bumps `users.session_epoch`; a session carrying an older
//! epoch loses its sign-in on its next use, which ends every session of that user at once.
//! A sign-in ended from another device (`sign_ins::end`) does the same for its session.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use tower_sessions::{Expiry, Session};
use uuid::Uuid;

use super::sign_ins::{self, Client};
use super::users::UserRecord;
use crate::error::{Answer, Error};

const AUTH_KEY: &str = "auth";
/// The page to go back to once the email address is verified (an item the customer tried
/// to buy).
const AFTER_VERIFY_KEY: &str = "after_verify";
pub const SESSION_LIFETIME: Duration = Duration::hours(24);
pub const REMEMBER_ME_LIFETIME: Duration = Duration::days(30);

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct SessionAuth {
    user_id: Uuid,
    epoch: i32,
    /// Its row in `sign_ins`; sessions signed in before sign-ins were recorded have none.
    #[serde(default)]
    sign_in: Option<Uuid>,
}

/// Signs `user` in on this session, under a new session id, as a new sign-in from `client`.
pub async fn sign_in(
    pool: &PgPool,
    session: &Session,
    user: &UserRecord,
    remember: bool,
    client: &Client,
) -> Result<(), Error> {
    let lifetime = if remember {
        REMEMBER_ME_LIFETIME
    } else {
        SESSION_LIFETIME
    };
    let sign_in = sign_ins::record(pool, user, client, lifetime).await?;
    session.cycle_id().await?;
    session.clear().await;
    session
        .insert(
            AUTH_KEY,
            SessionAuth {
                user_id: user.id,
                epoch: user.session_epoch,
                sign_in: Some(sign_in),
            },
        )
        .await?;
    session.set_expiry(Some(Expiry::AtDateTime(
        OffsetDateTime::now_utc() + lifetime,
    )));
    Ok(())
}

/// Deletes the session record, so the cookie stops working even if it is replayed, and
/// ends its sign-in.
pub async fn sign_out(pool: &PgPool, session: &Session) -> Result<(), Error> {
    if let Some(auth) = session.get::<SessionAuth>(AUTH_KEY).await? {
        if let Some(sign_in) = auth.sign_in {
            // A sign-in already pruned has nothing left to end.
            match sign_ins::end(pool, auth.user_id, sign_in).await {
                Ok(()) | Err(Error::Answer(Answer::NotFound)) => {}
                Err(error) => return Err(error),
            }
        }
    }
    session.flush().await?;
    Ok(())
}

/// Keeps this session valid after the user's epoch moved (their own password change).
pub async fn adopt_epoch(
    pool: &PgPool,
    session: &Session,
    user_id: Uuid,
    epoch: i32,
) -> Result<(), Error> {
    let sign_in = session
        .get::<SessionAuth>(AUTH_KEY)
        .await?
        .and_then(|auth| auth.sign_in);
    if let Some(sign_in) = sign_in {
        sign_ins::adopt_epoch(pool, sign_in, epoch).await?;
    }
    session
        .insert(
            AUTH_KEY,
            SessionAuth {
                user_id,
                epoch,
                sign_in,
            },
        )
        .await?;
    session.cycle_id().await?;
    Ok(())
}

/// The sign-in this session holds, if it was recorded.
pub async fn sign_in_of(session: &Session) -> Option<Uuid> {
    session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .ok()
        .flatten()
        .and_then(|auth| auth.sign_in)
}

/// The user id a session claims, without checking it against the database: enough to key
/// a per-account rate limit (the session record is server-side and its cookie signed).
pub async fn claimed_user_id(session: &Session) -> Option<Uuid> {
    session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .ok()
        .flatten()
        .map(|auth| auth.user_id)
}

/// The signed-in user, if the session is still valid.
pub async fn current_user(pool: &PgPool, session: &Session) -> Result<Option<UserRecord>, Error> {
    let Some(auth) = session.get::<SessionAuth>(AUTH_KEY).await? else {
        return Ok(None);
    };
    match sign_ins::user_of(pool, auth.user_id, auth.sign_in).await? {
        Some(user) if user.session_epoch == auth.epoch => Ok(Some(user)),
        _ => {
            // Not `flush`: a page streams after the session layer saved the record, and a
            // flush then would take the session's id from under that save (a 500).
            session.remove::<SessionAuth>(AUTH_KEY).await?;
            Ok(None)
        }
    }
}

/// Remembers a local page (a path starting with `/`) to offer after email verification.
pub async fn remember_after_verify(session: &Session, path: &str) -> Result<(), Error> {
    if path.starts_with('/') && !path.starts_with("//") {
        session.insert(AFTER_VERIFY_KEY, path.to_string()).await?;
    }
    Ok(())
}

/// The page remembered by [`remember_after_verify`], once.
pub async fn take_after_verify(session: &Session) -> Result<Option<String>, Error> {
    Ok(session.remove::<String>(AFTER_VERIFY_KEY).await?)
}
