//! The check every owner-only change of an item starts with: the item is the owner's and
//! not deleted; otherwise `NotFound` (never "forbidden", which would tell it exists).

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::error::{Answer, Error};

pub async fn check(executor: impl PgExecutor<'_>, owner: Uuid, content: Uuid) -> Result<(), Error> {
    sqlx::query_scalar!(
        "SELECT id FROM content WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL",
        content,
        owner
    )
    .fetch_optional(executor)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))
    .map(drop)
}

/// `check`, holding the item's row lock until the transaction ends (so two changes that
/// count the item's rows, such as its captions or files, take turns).
pub async fn lock(conn: &mut PgConnection, owner: Uuid, content: Uuid) -> Result<(), Error> {
    sqlx::query_scalar!(
        "SELECT id FROM content WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL FOR UPDATE",
        content,
        owner
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))
    .map(drop)
}
