//! Who may play what: the one owner of the rule and of every write to `access`. Playback,
//! HLS, captions, thumbnails, downloads, the item page, the library, the customers page and
//! reconciliation all ask here (or read the `live_access` view this module's migration
//! defines); purchases, free items, grants, memberships and catalog changes change access
//! only through here.
//!
//! The rule: a person may play an item when they own it (the owner), or hold a live ground
//! for it: a purchase (alone, or in a bundle as sold to them: `purchase_items`), a rental not
//! yet over, a grant, a free item, or a membership tier that unlocks it. Tiers and bundles
//! unlock published items only (`tier_unlocks`), and a member's ground counts only while its
//! item is published (`live_access`).
//!
//! Access keeps each ground as a row: revoking one leaves the others. Only rentals and
//! memberships expire: a rental's `expires_at` is the end of the window to start watching,
//! moved to the end of the viewing period by its first token of any kind (`token_lifetime`).

use domain::access::AccessReason;
use domain::purchases::PurchaseKind;
use domain::selling::Offer;
use sqlx::{PgConnection, PgExecutor};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::error::Error;
use crate::outbound;
use domain::outbound::EventType;

/// What someone asks to play or fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An item (its page's "Watch", the watch page, its picture).
    Content(Uuid),
    /// A media item: playlists, captions and frames of every item it backs.
    Media(Uuid),
    /// A file offered with an item.
    Download(Uuid),
}

/// Someone's live hold on a target: `ends` is `None` when it does not end (the owner, a
/// purchase, a grant), else when their last rental or membership for it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Live {
    pub ends: Option<OffsetDateTime>,
}

/// Whether and until when `user` may play `target` now: the rule.
pub async fn live(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    target: Target,
) -> Result<Option<Live>, Error> {
    let (content, media, download) = match target {
        Target::Content(id) => (Some(id), None, None),
        Target::Media(id) => (None, Some(id), None),
        Target::Download(id) => (None, None, Some(id)),
    };
    let found = sqlx::query!(
        r#"WITH items AS (SELECT id, owner_id FROM content WHERE id = $2
                          UNION ALL
                          SELECT id, owner_id FROM content WHERE media_id = $3
                          UNION ALL
                          SELECT c.id, c.owner_id FROM downloads d JOIN content c ON c.id = d.content_id
                          WHERE d.id = $4),
                grounds AS (SELECT a.expires_at FROM live_access a JOIN items i ON i.id = a.content_id
                            WHERE a.user_id = $1)
           SELECT EXISTS (SELECT 1 FROM items WHERE owner_id = $1)
                  OR EXISTS (SELECT 1 FROM media WHERE id = $3 AND owner_id = $1) AS "owner!",
                  EXISTS (SELECT 1 FROM grounds) AS "held!",
                  (SELECT CASE WHEN bool_or(expires_at IS NULL) THEN NULL ELSE max(expires_at) END
                   FROM grounds) AS ends"#,
        user,
        content,
        media,
        download
    )
    .fetch_one(executor)
    .await?;
    Ok(if found.owner {
        Some(Live { ends: None })
    } else if found.held {
        Some(Live { ends: found.ends })
    } else {
        None
    })
}

/// Whether `user` may play `target` now.
pub async fn may_play(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    target: Target,
) -> Result<bool, Error> {
    Ok(live(executor, user, target).await?.is_some())
}

/// How long a token or signed link for item `content`, wanted for `wanted`, may live for
/// `user`: `None` when they may not play it. Minting one is a rental's first play: its
/// viewing period starts now (whatever kind of token it is). The answer never outlives the
/// access.
pub async fn token_lifetime(
    pool: &sqlx::PgPool,
    user: Uuid,
    content: Uuid,
    wanted: Duration,
) -> Result<Option<Duration>, Error> {
    if !may_play(pool, user, Target::Content(content)).await? {
        return Ok(None);
    }
    start_rental(pool, user, content).await?;
    Ok(live(pool, user, Target::Content(content))
        .await?
        .map(|live| lifetime_until(wanted, live.ends, OffsetDateTime::now_utc())))
}

/// `wanted`, cut at `ends` (at least a second, so a token is never born expired).
pub fn lifetime_until(
    wanted: Duration,
    ends: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Duration {
    let lifetime = match ends {
        Some(ends) => wanted.min(ends - now),
        None => wanted,
    };
    lifetime.max(Duration::seconds(1))
}

/// Whether `user` can play `content` now, holding a lock that makes every other access
/// change for this customer wait until the caller's transaction ends. The customer's row is
/// locked rather than the access row, which does not exist before the first access: two
/// "Get access" clicks at once would otherwise both see none and both record a purchase.
pub async fn lock(conn: &mut PgConnection, user: Uuid, content: Uuid) -> Result<bool, Error> {
    lock_customer(conn, user).await?;
    may_play(&mut *conn, user, Target::Content(content)).await
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
        r#"SELECT EXISTS (SELECT 1 FROM live_access
                          WHERE user_id = $1 AND content_id = $2 AND expires_at IS NULL) AS "kept!""#,
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
                  EXISTS (SELECT 1 FROM live_access a
                          WHERE a.user_id = u.id AND a.content_id = c.id) AS "may_play!"
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

/// What purchase `purchase` of `content` unlocks besides the item itself: for a bundle, its
/// items that are published now. Written when the purchase is recorded; an edit of the
/// bundle later adds to it (`catalog_changed`) and never takes away.
pub async fn record_bundle_items(
    conn: &mut PgConnection,
    purchase: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    sqlx::query!(
        "INSERT INTO purchase_items (purchase_id, item_id)
         SELECT $1, b.item_id FROM bundle_items b JOIN content c ON c.id = b.item_id
         WHERE b.bundle_id = $2 AND c.status = 'published' AND c.deleted_at IS NULL
         ON CONFLICT DO NOTHING",
        purchase,
        content
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes the ground a purchase of `offer` gives (bought or rented) match the purchases of
/// `user` for `content`, as [`sync_purchased`] does for both: a purchase to keep an item
/// changes nothing of its rentals, and a rental nothing of what is bought.
pub async fn sync_purchase(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    offer: Offer,
) -> Result<(), Error> {
    match offer {
        Offer::Buy => sync(conn, user, content, AccessReason::Purchased).await,
        Offer::Rent => {
            lock_customer(conn, user).await?;
            sync_rented(conn, user, content).await
        }
    }
}

/// Makes the "purchased" and "rented" grounds of `user` for `content` (and, for a bundle,
/// for each item sold with it) match their purchases: bought while one of their purchases to
/// keep it (or a bundle sold with it) is completed, so a refunded purchase and a later
/// completed one leave access on; rented from their latest completed rental, for its terms.
/// Takes the customer's lock, as every access change does.
pub async fn sync_purchased(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    sync(conn, user, content, AccessReason::Purchased).await?;
    sync_rented(conn, user, content).await
}

/// Makes the ground `reason` (purchased, free or granted) of `user` for `content`, and for
/// each item their purchases of a bundle `content` hold, match their completed purchases of
/// that kind: held while one of them is for the item or holds it.
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
    // The item itself first, then what the customer's purchases of it (a bundle) hold.
    let targets = sqlx::query!(
        r#"SELECT t.item AS "item!",
                  EXISTS (SELECT 1 FROM purchases p
                          WHERE p.user_id = $1 AND p.kind = $3 AND p.offer = 'buy'
                            AND p.status = 'completed'
                            AND (p.content_id = t.item
                                 OR EXISTS (SELECT 1 FROM purchase_items i
                                            WHERE i.purchase_id = p.id AND i.item_id = t.item))) AS "held!"
           FROM (SELECT $2::uuid AS item
                 UNION
                 SELECT i.item_id FROM purchase_items i JOIN purchases p ON p.id = i.purchase_id
                 WHERE p.user_id = $1 AND p.content_id = $2) t
           ORDER BY t.item <> $2, t.item"#,
        user,
        content,
        kind.as_str()
    )
    .fetch_all(&mut *conn)
    .await?;
    for target in targets {
        if target.held {
            grant(conn, user, target.item, reason).await?;
        } else {
            revoke(conn, user, target.item, reason).await?;
        }
    }
    Ok(())
}

/// The "rented" ground from the customer's latest paid rental: a new rental starts a new
/// window; a refunded or disputed one ends it, even when an earlier rental was paid (rentals
/// follow each other, so the latest is the one that plays).
async fn sync_rented(conn: &mut PgConnection, user: Uuid, content: Uuid) -> Result<(), Error> {
    let latest = sqlx::query!(
        r#"SELECT completed_at AS "completed_at!", rental_window_days AS "window_days!",
                  rental_viewing_hours AS "viewing_hours!", status = 'completed' AS "holds!"
           FROM purchases
           WHERE user_id = $1 AND content_id = $2 AND offer = 'rent'
             AND kind IN ('checkout', 'free') AND completed_at IS NOT NULL
             AND rental_window_days IS NOT NULL AND rental_viewing_hours IS NOT NULL
           ORDER BY completed_at DESC LIMIT 1"#,
        user,
        content
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(rental) = latest.filter(|rental| rental.holds) else {
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

/// Makes the "member" ground of `user` match their subscriptions (`align_members`). Takes
/// the customer's lock.
pub async fn sync_member(conn: &mut PgConnection, user: Uuid) -> Result<(), Error> {
    lock_customer(conn, user).await?;
    align_members(conn, Some(user), None).await
}

/// Makes "member" grounds match subscriptions, for one member (`user`), one item
/// (`content`), or both: each published item a live subscription's tier unlocks
/// (`tier_unlocks`) plays until the latest `access_until` of the subscriptions unlocking it;
/// every other member ground in scope ends now. The caller holds the members' locks.
async fn align_members(
    conn: &mut PgConnection,
    user: Option<Uuid>,
    content: Option<Uuid>,
) -> Result<(), Error> {
    // Announced when it starts (again), not when a renewal moves its end.
    let started = sqlx::query!(
        r#"INSERT INTO access (user_id, content_id, reason, expires_at)
           SELECT s.user_id, u.content_id, 'member', max(s.access_until)
           FROM subscriptions s JOIN tier_unlocks u ON u.tier_id = s.tier_id
           WHERE s.access_until > now()
             AND ($1::uuid IS NULL OR s.user_id = $1) AND ($2::uuid IS NULL OR u.content_id = $2)
           GROUP BY s.user_id, u.content_id
           ON CONFLICT (user_id, content_id, reason) DO UPDATE
               SET expires_at = EXCLUDED.expires_at,
                   revoked_at = NULL,
                   granted_at = CASE WHEN access.revoked_at IS NOT NULL
                                       OR access.expires_at <= now()
                                     THEN now() ELSE access.granted_at END
           RETURNING user_id, content_id, (xmax = 0 OR granted_at = now()) AS "started!""#,
        user,
        content
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in started.into_iter().filter(|row| row.started) {
        announce(
            conn,
            EventType::AccessGranted,
            row.user_id,
            row.content_id,
            AccessReason::Member,
        )
        .await?;
    }
    let ended = sqlx::query!(
        "UPDATE access a SET revoked_at = now()
         WHERE a.reason = 'member' AND a.revoked_at IS NULL
           AND ($1::uuid IS NULL OR a.user_id = $1) AND ($2::uuid IS NULL OR a.content_id = $2)
           AND NOT EXISTS (SELECT 1 FROM subscriptions s
                           JOIN tier_unlocks u ON u.tier_id = s.tier_id
                           WHERE s.user_id = a.user_id AND u.content_id = a.content_id
                             AND s.access_until > now())
         RETURNING a.user_id, a.content_id",
        user,
        content
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in ended {
        announce(
            conn,
            EventType::AccessRevoked,
            row.user_id,
            row.content_id,
            AccessReason::Member,
        )
        .await?;
    }
    Ok(())
}

/// A change to the catalog that changes who may play what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogChange {
    Created(Uuid),
    Published(Uuid),
    /// Unpublished or deleted.
    Unpublished(Uuid),
    /// A bundle's items changed; `before` is what it held until now.
    BundleItems {
        bundle: Uuid,
        before: Vec<Uuid>,
    },
}

/// Grants and revokes what `change` implies, at once and in the caller's transaction (with
/// their outbound events): members gain a newly published item their tier unlocks and lose
/// an unpublished one; a bundle's buyers gain items added to it (or published while in it)
/// and keep every item they bought it with.
pub async fn catalog_changed(conn: &mut PgConnection, change: CatalogChange) -> Result<(), Error> {
    let (items, added_to_bundles): (Vec<Uuid>, Vec<(Uuid, Vec<Uuid>)>) = match change {
        CatalogChange::Created(item) | CatalogChange::Unpublished(item) => (vec![item], vec![]),
        CatalogChange::Published(item) => {
            let bundles = sqlx::query_scalar!(
                "SELECT bundle_id FROM bundle_items WHERE item_id = $1 ORDER BY bundle_id",
                item
            )
            .fetch_all(&mut *conn)
            .await?;
            (
                vec![item],
                bundles.into_iter().map(|b| (b, vec![item])).collect(),
            )
        }
        CatalogChange::BundleItems { bundle, before } => {
            let now = bundle_items(&mut *conn, bundle).await?;
            let added = now
                .iter()
                .filter(|i| !before.contains(i))
                .copied()
                .collect();
            let mut items = before;
            items.extend(now);
            items.sort();
            items.dedup();
            (items, vec![(bundle, added)])
        }
    };
    for (bundle, added) in added_to_bundles {
        give_bundle_buyers(conn, bundle, &added).await?;
    }
    for item in items {
        lock_members_of(conn, item).await?;
        align_members(conn, None, Some(item)).await?;
    }
    Ok(())
}

/// Adds the published ones of `items` to what every purchase of `bundle` holds, and gives
/// them to its buyers, one customer at a time in a fixed order.
async fn give_bundle_buyers(
    conn: &mut PgConnection,
    bundle: Uuid,
    items: &[Uuid],
) -> Result<(), Error> {
    if items.is_empty() {
        return Ok(());
    }
    let buyers = sqlx::query!(
        r#"WITH added AS (
               INSERT INTO purchase_items (purchase_id, item_id)
               SELECT p.id, c.id FROM purchases p, content c
               WHERE p.content_id = $1 AND p.offer = 'buy' AND c.id = ANY($2)
                 AND c.status = 'published' AND c.deleted_at IS NULL
               ON CONFLICT DO NOTHING
               RETURNING purchase_id)
           SELECT DISTINCT p.user_id, p.kind AS "kind: PurchaseKind" FROM purchases p JOIN added a ON a.purchase_id = p.id
           WHERE p.status = 'completed'
           ORDER BY p.user_id, p.kind"#,
        bundle,
        items
    )
    .fetch_all(&mut *conn)
    .await?;
    for buyer in buyers {
        let reason = match buyer.kind {
            PurchaseKind::Checkout => AccessReason::Purchased,
            PurchaseKind::Free => AccessReason::Free,
            PurchaseKind::Grant => AccessReason::Granted,
        };
        sync(conn, buyer.user_id, bundle, reason).await?;
    }
    Ok(())
}

/// Locks, in one order, every customer whose member grounds for `content` may change, so a
/// subscription event being applied meanwhile either finishes first or waits and then sees
/// the change (two catalog changes cannot deadlock).
async fn lock_members_of(conn: &mut PgConnection, content: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "SELECT u.id FROM users u
         WHERE u.id IN (SELECT s.user_id FROM subscriptions s WHERE s.access_until > now())
            OR u.id IN (SELECT a.user_id FROM access a
                        WHERE a.content_id = $1 AND a.reason = 'member' AND a.revoked_at IS NULL)
         ORDER BY u.id
         FOR NO KEY UPDATE",
        content
    )
    .fetch_all(conn)
    .await?;
    Ok(())
}

/// The first token of a rental starts its viewing period: it now ends `viewing_hours` from
/// now. Only when the rental is the customer's one live ground for the item (a buyer's play
/// does not use up their rental).
async fn start_rental(
    executor: impl PgExecutor<'_>,
    user: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE access r SET started_at = now(),
                expires_at = now() + make_interval(hours => r.viewing_hours)
         WHERE r.user_id = $1 AND r.content_id = $2 AND r.reason = 'rented'
           AND r.started_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > now()
           AND NOT EXISTS (SELECT 1 FROM live_access k
                           WHERE k.user_id = $1 AND k.content_id = r.content_id
                             AND k.reason <> 'rented')",
        user,
        content
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// The items of bundle `content`, in order (none when it is not a bundle).
pub async fn bundle_items(
    executor: impl PgExecutor<'_>,
    content: Uuid,
) -> Result<Vec<Uuid>, Error> {
    Ok(sqlx::query_scalar!(
        "SELECT item_id FROM bundle_items WHERE bundle_id = $1 ORDER BY position, item_id",
        content
    )
    .fetch_all(executor)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_outlives_the_access() {
        let now = OffsetDateTime::now_utc();
        let wanted = Duration::minutes(10);
        assert_eq!(lifetime_until(wanted, None, now), wanted);
        assert_eq!(
            lifetime_until(wanted, Some(now + Duration::minutes(3)), now),
            Duration::minutes(3)
        );
        assert_eq!(
            lifetime_until(wanted, Some(now + Duration::hours(3)), now),
            wanted
        );
        // Ended already: the shortest token, never a negative one.
        assert_eq!(
            lifetime_until(wanted, Some(now - Duration::minutes(1)), now),
            Duration::seconds(1)
        );
    }
}
