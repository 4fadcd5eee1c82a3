//! Who is calling, as values the operations take. Server functions and plain handlers are
//! public HTTP endpoints: each one reads the session into a [`Caller`], and an operation
//! that needs a signed-in user or the owner takes a [`SignedIn`] or an [`Owner`], which can
//! only be had from a `Caller` that passed the check.

use std::ops::Deref;

use sqlx::PgPool;
use tower_sessions::Session;

use super::session;
use super::users::UserRecord;
use crate::error::{Answer, Error};

/// Anyone: a visitor, or a signed-in user.
#[derive(Debug, Clone)]
pub struct Caller(Option<UserRecord>);

impl Caller {
    pub const VISITOR: Caller = Caller(None);

    /// The caller of a request, from its session.
    pub async fn of_session(pool: &PgPool, session: &Session) -> Result<Self, Error> {
        Ok(Self(session::current_user(pool, session).await?))
    }

    pub fn user(&self) -> Option<&UserRecord> {
        self.0.as_ref()
    }

    /// A signed-in user, or `Unauthorized`.
    pub fn signed_in(self) -> Result<SignedIn, Error> {
        self.0
            .map(SignedIn)
            .ok_or(Error::Answer(Answer::Unauthorized))
    }

    /// The owner, or `Unauthorized` / `Forbidden`.
    pub fn owner(self) -> Result<Owner, Error> {
        let user = self.signed_in()?.0;
        if !user.view().is_owner() {
            return Err(Error::Answer(Answer::Forbidden));
        }
        Ok(Owner(user))
    }
}

/// A signed-in user (a customer or the owner).
#[derive(Debug, Clone)]
pub struct SignedIn(UserRecord);

impl Deref for SignedIn {
    type Target = UserRecord;
    fn deref(&self) -> &UserRecord {
        &self.0
    }
}

/// The owner of the platform.
#[derive(Debug, Clone)]
pub struct Owner(UserRecord);

impl Deref for Owner {
    type Target = UserRecord;
    fn deref(&self) -> &UserRecord {
        &self.0
    }
}

/// The owner behind a plain handler's session, or `Unauthorized` / `Forbidden`.
pub async fn owner_of_session(pool: &PgPool, session: &Session) -> Result<Owner, Error> {
    Caller::of_session(pool, session).await?.owner()
}
