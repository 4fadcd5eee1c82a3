//! How many streams an account may have open at once: the owner's setting, or for a member
//! the most generous limit of the tiers they belong to that set their own.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::state::AppState;
use domain::streams::StreamLimit;

/// The limit that applies to `user` now.
pub async fn of_user(db: impl PgExecutor<'_>, user: Uuid) -> Result<StreamLimit, Error> {
    let limit = sqlx::query_scalar!(
        r#"SELECT COALESCE(
               (SELECT max(t.max_streams) FROM current_members m
                JOIN membership_tiers t ON t.id = m.tier_id
                WHERE m.user_id = $1 AND t.max_streams IS NOT NULL),
               (SELECT max_streams FROM site_settings)) AS "limit""#,
        user
    )
    .fetch_one(db)
    .await?;
    Ok(StreamLimit::from_db(limit))
}

/// The owner's setting (every account without a tier override).
pub async fn site(state: &AppState, _owner: &Owner) -> Result<StreamLimit, Error> {
    let limit = sqlx::query_scalar!("SELECT max_streams FROM site_settings")
        .fetch_one(&state.pool)
        .await?;
    Ok(StreamLimit::from_db(limit))
}

pub async fn set_site(state: &AppState, _owner: &Owner, limit: StreamLimit) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE site_settings SET max_streams = $1, updated_at = now()",
        limit.to_db()
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}

/// A tier's own limit for its members (`OFF`: the site's applies).
pub async fn set_tier(
    state: &AppState,
    _owner: &Owner,
    tier: Uuid,
    limit: StreamLimit,
) -> Result<(), Error> {
    let updated = sqlx::query!(
        "UPDATE membership_tiers SET max_streams = $2 WHERE id = $1",
        tier,
        limit.to_db()
    )
    .execute(&state.pool)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}
