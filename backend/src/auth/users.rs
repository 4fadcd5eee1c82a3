//! Queries on the `users` table.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;
use uuid::Uuid;

use super::tokens;
use crate::error::Error;
use domain::auth::{Email, PersonName, Role, UserView};

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<OffsetDateTime>,
    pub session_epoch: i32,
}

impl UserRecord {
    pub fn role(&self) -> Role {
        // The column check allows 'creator' for later; until then it has customer rights.
        Role::from_db(&self.role).unwrap_or(Role::Customer)
    }

    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role(),
            email_verified: self.email_verified_at.is_some(),
        }
    }
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a PersonName,
    pub password_hash: &'a str,
    pub role: Role,
    pub verified: bool,
}

pub async fn find_by_email(
    db: impl PgExecutor<'_>,
    email: &Email,
) -> Result<Option<UserRecord>, Error> {
    Ok(sqlx::query_as!(
        UserRecord,
        r#"SELECT id, email, name, password_hash, role, email_verified_at, session_epoch
           FROM users WHERE lower(email) = $1"#,
        email.as_str()
    )
    .fetch_optional(db)
    .await?)
}

pub async fn find_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<UserRecord>, Error> {
    Ok(sqlx::query_as!(
        UserRecord,
        r#"SELECT id, email, name, password_hash, role, email_verified_at, session_epoch
           FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?)
}

pub async fn owner_exists(db: impl PgExecutor<'_>) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE role = 'owner') AS "exists!""#
    )
    .fetch_one(db)
    .await?)
}

/// The owner's id, once setup is done.
pub async fn owner_id(db: impl PgExecutor<'_>) -> Result<Option<Uuid>, Error> {
    Ok(
        sqlx::query_scalar!("SELECT id FROM users WHERE role = 'owner'")
            .fetch_optional(db)
            .await?,
    )
}

/// Where the owner's notifications go.
pub struct OwnerContact {
    pub email: String,
    pub name: String,
}

/// The owner's address and name, once setup is done.
pub async fn owner_contact(db: impl PgExecutor<'_>) -> Result<Option<OwnerContact>, Error> {
    Ok(sqlx::query_as!(
        OwnerContact,
        "SELECT email, name FROM users WHERE role = 'owner'"
    )
    .fetch_optional(db)
    .await?)
}

/// Inserts a user; an email already registered, or a second owner, is a `Conflict`.
pub async fn insert(conn: &mut PgConnection, user: NewUser<'_>) -> Result<UserRecord, Error> {
    let verified_at = user.verified.then(OffsetDateTime::now_utc);
    let result = sqlx::query_as!(
        UserRecord,
        r#"INSERT INTO users (id, email, name, password_hash, role, email_verified_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, email, name, password_hash, role, email_verified_at, session_epoch"#,
        Uuid::new_v4(),
        user.email.as_str(),
        user.name.as_str(),
        user.password_hash,
        user.role.as_str(),
        verified_at
    )
    .fetch_one(conn)
    .await;
    match result {
        Ok(record) => Ok(record),
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("users_email_key") => Err(
            Error::conflict("An account with this email already exists."),
        ),
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("users_single_owner") => {
            Err(Error::conflict("Setup is already complete."))
        }
        Err(e) => Err(e.into()),
    }
}

/// Marks `email` verified, but only while it is still the user's address.
pub async fn mark_verified(conn: &mut PgConnection, id: Uuid, email: &str) -> Result<bool, Error> {
    let result = sqlx::query!(
        r#"UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()), updated_at = now()
           WHERE id = $1 AND lower(email) = lower($2)"#,
        id,
        email
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores a new password hash, ends every session of the user and every link emailed to
/// them before; returns the new epoch.
pub async fn set_password(
    conn: &mut PgConnection,
    id: Uuid,
    password_hash: &str,
) -> Result<i32, Error> {
    let epoch = sqlx::query_scalar!(
        r#"UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = now()
           WHERE id = $1 RETURNING session_epoch"#,
        id,
        password_hash
    )
    .fetch_one(&mut *conn)
    .await?;
    tokens::revoke_all(conn, id).await?;
    Ok(epoch)
}

pub async fn set_name(db: impl PgExecutor<'_>, id: Uuid, name: &PersonName) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE users SET name = $2, updated_at = now() WHERE id = $1",
        id,
        name.as_str()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Changes the email address; the new address must be verified again, and links emailed
/// to the old one (a password reset among them) stop working.
pub async fn set_email(conn: &mut PgConnection, id: Uuid, email: &Email) -> Result<(), Error> {
    let result = sqlx::query!(
        "UPDATE users SET email = $2, email_verified_at = NULL, updated_at = now() WHERE id = $1",
        id,
        email.as_str()
    )
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => {
            tokens::revoke_all(conn, id).await?;
            Ok(())
        }
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("users_email_key") => Err(
            Error::conflict("An account with this email already exists."),
        ),
        Err(e) => Err(e.into()),
    }
}
