//! Who may play what: the one owner of the `access` table. HLS, thumbnails, the watch page,
//! progress, the item page and the library all ask here; purchases, free items and grants
//! change access only through here.
//!
//! Access keeps each of its grounds as a row (a purchase, a free item, a grant): revoking
//! one leaves the others, and anyone with one ground not revoked may play.

use domain::access::AccessReason;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::error::Error;
use crate::outbound;
use domain::outbound::EventType;

/// Whether `user` can play `content` now, holding a lock that makes every other access
/// change for this customer wait until the caller's transaction ends. The customer's row is
/// locked rather than the access row, which does not exist before the first access: two
/// "Get access" clicks at once would otherwise both see none and both record a purchase.
pub async fn lock(conn: &mut PgConnection, user: Uuid, content: Uuid) -> Result<bool, Error> {
    lock_customer(conn, user).await?;
    may_play_content(conn, user, content).await
}

/// Locks the customer's row until the transaction ends (see `lock`).
async fn lock_customer(conn: &mut PgConnection, user: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "SELECT 1 AS locked FROM users WHERE id = $1 FOR NO KEY UPDATE",
        user
    )
    .fetch_optional(conn)
    .await?;
    Ok(())
}

/// Lets `user` play `content` (again), on the ground `reason`.
pub async fn grant(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    reason: AccessReason,
) -> Result<(), Error> {
    let changed = sqlx::query!(
        r#"INSERT INTO access (user_id, content_id, reason) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, content_id, reason) DO UPDATE
               SET revoked_at = NULL, granted_at = now()
               WHERE access.revoked_at IS NOT NULL"#,
        user,
        content,
        reason.as_str()
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed > 0 {
        announce(conn, EventType::AccessGranted, user, content, reason).await?;
    }
    Ok(())
}

/// Ends the ground `reason` (a refund does not take away a grant).
pub async fn revoke(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    reason: AccessReason,
) -> Result<(), Error> {
    let changed = sqlx::query!(
        "UPDATE access SET revoked_at = now()
         WHERE user_id = $1 AND content_id = $2 AND reason = $3 AND revoked_at IS NULL",
        user,
        content,
        reason.as_str()
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed > 0 {
        announce(conn, EventType::AccessRevoked, user, content, reason).await?;
    }
    Ok(())
}

/// The outbound event of a ground given or taken (`outbound::events`).
async fn announce(
    conn: &mut PgConnection,
    kind: EventType,
    user: Uuid,
    content: Uuid,
    reason: AccessReason,
) -> Result<(), Error> {
    let about = sqlx::query!(
        r#"SELECT u.email, c.title,
                  EXISTS (SELECT 1 FROM access a WHERE a.user_id = u.id AND a.content_id = c.id
                                                  AND a.revoked_at IS NULL) AS "may_play!"
           FROM users u, content c WHERE u.id = $1 AND c.id = $2"#,
        user,
        content
    )
    .fetch_one(&mut *conn)
    .await?;
    let data = serde_json::json!({
        "customer_id": user,
        "customer_email": about.email,
        "content_id": content,
        "title": about.title,
        "reason": reason.as_str(),
        // Another ground may keep access after one is revoked.
        "may_play": about.may_play,
    });
    outbound::events::publish(conn, kind, data).await
}

/// Makes the "purchased" ground of `user` for `content` match their purchases: held while
/// one of their checkouts for it is completed (a refunded purchase and a later completed one
/// leave access on). Takes the customer's lock, as every access change does.
pub async fn sync_purchased(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    lock_customer(conn, user).await?;
    let paid = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM purchases
                          WHERE user_id = $1 AND content_id = $2 AND kind = 'checkout'
                            AND status = 'completed') AS "paid!""#,
        user,
        content
    )
    .fetch_one(&mut *conn)
    .await?;
    if paid {
        grant(conn, user, content, AccessReason::Purchased).await
    } else {
        revoke(conn, user, content, AccessReason::Purchased).await
    }
}

/// Whether `user` holds access to `content` that has not been revoked.
pub async fn may_play_content(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    content: Uuid,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM access
                          WHERE user_id = $1 AND content_id = $2 AND revoked_at IS NULL) AS "allowed!""#,
        user,
        content
    )
    .fetch_one(executor)
    .await?)
}

/// Whether `user` may play `media`: the owner of the media, or someone with access to an
/// item it backs.
pub async fn may_play_media(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    media: Uuid,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM media WHERE id = $2 AND owner_id = $1)
               OR EXISTS (SELECT 1 FROM access a JOIN content c ON c.id = a.content_id
                          WHERE a.user_id = $1 AND a.revoked_at IS NULL AND c.media_id = $2) AS "allowed!""#,
        user,
        media
    )
    .fetch_one(executor)
    .await?)
}
