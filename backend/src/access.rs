//! Who may play what: the one owner of the `access` table. HLS, thumbnails, the watch page,
//! progress, the item page and the library all ask here; purchases, free items and grants
//! change access only through here.
//!
//! Access keeps each of its grounds as a row (a purchase, a free item, a grant, a rental):
//! revoking one leaves the others, and anyone with one live ground (not revoked, not
//! expired) may play. Only rentals expire: `expires_at` is the end of the window to start
//! watching, moved to the end of the viewing period by the first play (`start_rental`).

use domain::access::AccessReason;
use domain::purchases::PurchaseKind;
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

/// Whether `user` keeps `content` for good, holding the lock `lock` takes: a customer
/// renting an item may still buy it.
pub async fn lock_to_keep(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
) -> Result<bool, Error> {
    lock_customer(conn, user).await?;
    keeps(conn, user, content).await
}

/// Whether `user` holds a ground for `content` that does not end (not a rental, not a
/// membership).
pub async fn keeps(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    content: Uuid,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM access
                          WHERE user_id = $1 AND content_id = $2 AND expires_at IS NULL
                            AND revoked_at IS NULL) AS "kept!""#,
        user,
        content
    )
    .fetch_one(executor)
    .await?)
}

/// Locks the customer's row until the transaction ends (see `lock`).
pub async fn lock_customer(conn: &mut PgConnection, user: Uuid) -> Result<(), Error> {
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
                                                  AND a.revoked_at IS NULL
                                                  AND (a.expires_at IS NULL OR a.expires_at > now())) AS "may_play!"
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

/// Makes the "purchased" and "rented" grounds of `user` for `content` (and, for a bundle,
/// for each item in it) match their purchases: bought while one of their purchases to keep
/// it (or a bundle holding it) is completed, so a refunded purchase and a later completed
/// one leave access on; rented from their latest completed rental, for its terms. Takes the
/// customer's lock, as every access change does.
pub async fn sync_purchased(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    sync(conn, user, content, AccessReason::Purchased).await?;
    sync_rented(conn, user, content).await
}

/// Makes the ground `reason` (purchased, free or granted) of `user` for `content`, and for
/// each item of a bundle, match their completed purchases of that kind: held while one of
/// them is for the item or for a bundle holding it.
pub async fn sync(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    reason: AccessReason,
) -> Result<(), Error> {
    let kind = match reason {
        AccessReason::Purchased => PurchaseKind::Checkout,
        AccessReason::Free => PurchaseKind::Free,
        AccessReason::Granted => PurchaseKind::Grant,
        AccessReason::Rented => return sync_rented(conn, user, content).await,
        AccessReason::Member => return sync_member(conn, user).await,
    };
    lock_customer(conn, user).await?;
    let mut targets = vec![content];
    targets.extend(crate::selling::bundles::items_of(&mut *conn, content).await?);
    for target in targets {
        let held = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM purchases p
                              WHERE p.user_id = $1 AND p.kind = $3 AND p.offer = 'buy'
                                AND p.status = 'completed'
                                AND (p.content_id = $2
                                     OR p.content_id IN (SELECT bundle_id FROM bundle_items
                                                         WHERE item_id = $2))) AS "held!""#,
            user,
            target,
            kind.as_str()
        )
        .fetch_one(&mut *conn)
        .await?;
        if held {
            grant(conn, user, target, reason).await?;
        } else {
            revoke(conn, user, target, reason).await?;
        }
    }
    Ok(())
}

/// The "rented" ground from the customer's latest completed rental: a new rental starts a
/// new window; a refunded one ends it.
async fn sync_rented(conn: &mut PgConnection, user: Uuid, content: Uuid) -> Result<(), Error> {
    let latest = sqlx::query!(
        r#"SELECT completed_at AS "completed_at!", rental_window_days AS "window_days!",
                  rental_viewing_hours AS "viewing_hours!"
           FROM purchases
           WHERE user_id = $1 AND content_id = $2 AND offer = 'rent' AND status = 'completed'
             AND kind IN ('checkout', 'free') AND completed_at IS NOT NULL
             AND rental_window_days IS NOT NULL AND rental_viewing_hours IS NOT NULL
           ORDER BY completed_at DESC LIMIT 1"#,
        user,
        content
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(rental) = latest else {
        return revoke(conn, user, content, AccessReason::Rented).await;
    };
    let changed = sqlx::query!(
        r#"INSERT INTO access (user_id, content_id, reason, granted_at, expires_at, viewing_hours)
           VALUES ($1, $2, 'rented', $3::timestamptz, $3::timestamptz + make_interval(days => $4), $5)
           ON CONFLICT (user_id, content_id, reason) DO UPDATE
               SET revoked_at = NULL, granted_at = EXCLUDED.granted_at,
                   expires_at = EXCLUDED.expires_at, viewing_hours = EXCLUDED.viewing_hours,
                   started_at = NULL
               WHERE access.revoked_at IS NOT NULL OR access.granted_at < EXCLUDED.granted_at"#,
        user,
        content,
        rental.completed_at,
        rental.window_days,
        rental.viewing_hours
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed > 0 {
        announce(
            conn,
            EventType::AccessGranted,
            user,
            content,
            AccessReason::Rented,
        )
        .await?;
    }
    Ok(())
}

/// Makes the "member" ground of `user` match their subscriptions: each item a tier of
/// theirs unlocks (every item, its chosen items, the items of its chosen bundles) plays
/// until the latest `access_until` of their subscriptions to tiers holding it; every other
/// member row ends now. Takes the customer's lock.
pub async fn sync_member(conn: &mut PgConnection, user: Uuid) -> Result<(), Error> {
    lock_customer(conn, user).await?;
    let unlocked = sqlx::query!(
        r#"SELECT c.id AS "content_id!", max(s.access_until) AS "until!"
           FROM subscriptions s
           JOIN membership_tiers t ON t.id = s.tier_id
           JOIN content c ON t.all_items
                OR c.id IN (SELECT content_id FROM membership_tier_items WHERE tier_id = t.id)
                OR c.id IN (SELECT b.item_id FROM bundle_items b
                            JOIN membership_tier_items i ON i.content_id = b.bundle_id
                            WHERE i.tier_id = t.id)
           WHERE s.user_id = $1 AND s.access_until > now() AND c.deleted_at IS NULL
           GROUP BY c.id"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let keep: Vec<Uuid> = unlocked.iter().map(|row| row.content_id).collect();
    for row in &unlocked {
        // Announced when it starts (again), not when a renewal moves its end.
        let started = sqlx::query_scalar!(
            r#"INSERT INTO access (user_id, content_id, reason, expires_at)
               VALUES ($1, $2, 'member', $3)
               ON CONFLICT (user_id, content_id, reason) DO UPDATE
                   SET expires_at = EXCLUDED.expires_at,
                       revoked_at = NULL,
                       granted_at = CASE WHEN access.revoked_at IS NOT NULL
                                           OR access.expires_at <= now()
                                         THEN now() ELSE access.granted_at END
               RETURNING (xmax = 0 OR granted_at = now()) AS "started!""#,
            user,
            row.content_id,
            row.until
        )
        .fetch_one(&mut *conn)
        .await?;
        if started {
            announce(
                conn,
                EventType::AccessGranted,
                user,
                row.content_id,
                AccessReason::Member,
            )
            .await?;
        }
    }
    let ended = sqlx::query_scalar!(
        "UPDATE access SET revoked_at = now()
         WHERE user_id = $1 AND reason = 'member' AND revoked_at IS NULL
           AND NOT (content_id = ANY($2))
         RETURNING content_id",
        user,
        &keep
    )
    .fetch_all(&mut *conn)
    .await?;
    for content in ended {
        announce(
            conn,
            EventType::AccessRevoked,
            user,
            content,
            AccessReason::Member,
        )
        .await?;
    }
    Ok(())
}

/// The first play of a rental starts its viewing period: it now ends `viewing_hours` from
/// now. Only when the rental is the customer's one live ground (a buyer's play does not use
/// up their rental). Returns whether it started now.
pub async fn start_rental(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    content: Uuid,
) -> Result<bool, Error> {
    let started = sqlx::query!(
        "UPDATE access r SET started_at = now(),
                expires_at = now() + make_interval(hours => r.viewing_hours)
         WHERE r.user_id = $1 AND r.content_id = $2 AND r.reason = 'rented'
           AND r.started_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > now()
           AND NOT EXISTS (SELECT 1 FROM access k
                           WHERE k.user_id = $1 AND k.content_id = $2 AND k.reason <> 'rented'
                             AND k.revoked_at IS NULL
                             AND (k.expires_at IS NULL OR k.expires_at > now()))",
        user,
        content
    )
    .execute(executor)
    .await?
    .rows_affected();
    Ok(started > 0)
}

/// When the access of `user` to `content` ends: `None` when it does not (or there is none),
/// else the end of their rental or membership.
pub async fn plays_until(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    content: Uuid,
) -> Result<Option<time::OffsetDateTime>, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT CASE WHEN bool_or(expires_at IS NULL) THEN NULL ELSE max(expires_at) END
           FROM access
           WHERE user_id = $1 AND content_id = $2 AND revoked_at IS NULL
             AND (expires_at IS NULL OR expires_at > now())"#,
        user,
        content
    )
    .fetch_one(executor)
    .await?)
}

/// Whether `user` holds live access to `content` (not revoked, not expired).
pub async fn may_play_content(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    content: Uuid,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM access
                          WHERE user_id = $1 AND content_id = $2 AND revoked_at IS NULL
                            AND (expires_at IS NULL OR expires_at > now())) AS "allowed!""#,
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
                          WHERE a.user_id = $1 AND a.revoked_at IS NULL AND c.media_id = $2
                            AND (a.expires_at IS NULL OR a.expires_at > now())) AS "allowed!""#,
        user,
        media
    )
    .fetch_one(executor)
    .await?)
}
