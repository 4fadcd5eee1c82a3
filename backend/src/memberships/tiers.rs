//! The owner's membership tiers (`/admin/memberships`) and the pricing page's view of them.

use uuid::Uuid;

use crate::auth::{Caller, Owner};
use crate::error::{Answer, Error};
use crate::state::AppState;
use domain::memberships::{
    FlaggedMembership, Interval, MembershipView, NewTier, Pricing, SubscriptionStatus, TierView,
};

/// The most tiers on sale at once (a pricing page, not a catalogue).
pub const MAX_TIERS: i64 = 20;

/// Creates a tier unlocking every item, or the chosen items (and bundles' items).
/// What a tier unlocks: every item (the "Every item" box), or the items chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unlocks {
    Everything,
    Items(Vec<Uuid>),
}

pub async fn create(
    state: &AppState,
    _owner: &Owner,
    tier: NewTier,
    unlocks: Unlocks,
) -> Result<Uuid, Error> {
    let all_items = unlocks == Unlocks::Everything;
    let mut tx = state.pool.begin().await?;
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM membership_tiers WHERE retired_at IS NULL"#
    )
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_TIERS {
        return Err(Error::conflict(format!(
            "You sell {MAX_TIERS} tiers: retire one before adding more."
        )));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO membership_tiers (name, description, monthly_price_cents, yearly_price_cents, all_items)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        tier.name,
        tier.description,
        tier.monthly.map(|p| p.cents()),
        tier.yearly.map(|p| p.cents()),
        all_items
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(e) if e.constraint() == Some("membership_tiers_name") => {
            Error::conflict("A tier with this name is on sale already.")
        }
        _ => error.into(),
    })?;
    set_items(&mut tx, id, &unlocks).await?;
    tx.commit().await?;
    Ok(id)
}

/// Makes `tier` unlock every item, or exactly `items`.
async fn set_items(
    conn: &mut sqlx::PgConnection,
    tier: Uuid,
    unlocks: &Unlocks,
) -> Result<(), Error> {
    let items = match unlocks {
        Unlocks::Everything => None,
        Unlocks::Items(items) if items.is_empty() => {
            return Err(Error::validation(
                "Choose the items this tier unlocks, or every item.",
            ))
        }
        Unlocks::Items(items) => Some(items),
    };
    sqlx::query!("DELETE FROM membership_tier_items WHERE tier_id = $1", tier)
        .execute(&mut *conn)
        .await?;
    let Some(items) = items else {
        return Ok(());
    };
    let inserted = sqlx::query!(
        "INSERT INTO membership_tier_items (tier_id, content_id)
         SELECT $1, id FROM content WHERE id = ANY($2) AND deleted_at IS NULL",
        tier,
        items
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted != items.len() as u64 {
        return Err(Error::validation("Choose items from the list."));
    }
    Ok(())
}

/// Tiers on sale, oldest first, with their items and (when `count_members`, for the owner)
/// their current members; 0 otherwise.
/// The tiers on sale, as the catalog's row of memberships shows them.
pub async fn for_storefront(state: &AppState) -> Result<Vec<TierView>, Error> {
    on_sale(state, false).await
}

async fn on_sale(state: &AppState, count_members: bool) -> Result<Vec<TierView>, Error> {
    let rows = sqlx::query!(
        r#"SELECT t.id, t.name, t.description, t.monthly_price_cents, t.yearly_price_cents,
                  t.all_items, t.max_streams,
                  ARRAY(SELECT c.title FROM membership_tier_items i JOIN content c ON c.id = i.content_id
                        WHERE i.tier_id = t.id AND c.status = 'published' AND c.deleted_at IS NULL
                        ORDER BY c.title) AS "items!",
                  CASE WHEN $2 THEN
                      (SELECT count(DISTINCT s.user_id) FROM subscriptions s
                       WHERE s.tier_id = t.id AND s.access_until > now()
                         AND s.status IN ('active', 'trialing', 'past_due'))
                  ELSE 0 END AS "members!"
           FROM membership_tiers t WHERE t.retired_at IS NULL
           ORDER BY t.created_at, t.name LIMIT $1"#,
        MAX_TIERS,
        count_members
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TierView {
            id: r.id,
            name: r.name,
            description: r.description,
            monthly_cents: r.monthly_price_cents,
            yearly_cents: r.yearly_price_cents,
            all_items: r.all_items,
            items: r.items,
            active_members: r.members,
            max_streams: domain::streams::StreamLimit::from_db(r.max_streams),
        })
        .collect())
}

pub async fn list(state: &AppState, _owner: &Owner) -> Result<Vec<TierView>, Error> {
    on_sale(state, true).await
}

/// Takes a tier off sale. Its members keep it until their subscriptions end (they cancel,
/// or the owner cancels them in Stripe).
pub async fn retire(state: &AppState, _owner: &Owner, id: Uuid) -> Result<(), Error> {
    let retired = sqlx::query!(
        "UPDATE membership_tiers SET retired_at = now() WHERE id = $1 AND retired_at IS NULL",
        id
    )
    .execute(&state.pool)
    .await?
    .rows_affected();
    if retired == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

/// The pricing page: the tiers on sale (member counts left out: 0) and the caller's own
/// memberships that are still current.
pub async fn pricing(state: &AppState, caller: &Caller) -> Result<Pricing, Error> {
    let tiers = on_sale(state, false).await?;
    let mine = match caller.user() {
        Some(user) => memberships_of(state, user.id).await?,
        None => Vec::new(),
    };
    Ok(Pricing {
        tiers,
        mine,
        signed_in: caller.user().is_some(),
    })
}

/// A customer's memberships that still play, newest first.
pub async fn memberships_of(state: &AppState, user: Uuid) -> Result<Vec<MembershipView>, Error> {
    let rows = sqlx::query!(
        r#"SELECT s.tier_id, t.name, s.billing_interval, s.amount_cents, s.status,
                  s.cancel_at_period_end,
                  to_char(s.current_period_end AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS period_ends_on,
                  to_char(s.access_until AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS access_until_on
           FROM subscriptions s JOIN membership_tiers t ON t.id = s.tier_id
           WHERE s.user_id = $1 AND s.access_until > now()
           ORDER BY s.created_at DESC"#,
        user
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MembershipView {
            tier_id: r.tier_id,
            tier_name: r.name,
            interval: Interval::parse(&r.billing_interval).unwrap_or(Interval::Month),
            amount_cents: r.amount_cents,
            status: SubscriptionStatus::parse(&r.status),
            cancel_at_period_end: r.cancel_at_period_end,
            period_ends_on: r.period_ends_on,
            access_until_on: r.access_until_on,
        })
        .collect())
}

/// Memberships Stripe bills otherwise than sold (a plan switched in Stripe's portal, a
/// promotion code), still on record as live or recently changed, newest first.
pub async fn flagged(state: &AppState, _owner: &Owner) -> Result<Vec<FlaggedMembership>, Error> {
    Ok(sqlx::query_as!(
        FlaggedMembership,
        r#"SELECT u.email AS customer_email, t.name AS tier_name, s.mismatch AS "mismatch!",
                  to_char(s.access_until AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS access_until_on
           FROM subscriptions s JOIN users u ON u.id = s.user_id
           JOIN membership_tiers t ON t.id = s.tier_id
           WHERE s.mismatch IS NOT NULL AND s.status NOT IN ('canceled', 'incomplete_expired')
           ORDER BY s.updated_at DESC LIMIT 100"#
    )
    .fetch_all(&state.pool)
    .await?)
}

/// The names of the tiers on sale that unlock `content` (the rule is the `tier_unlocks`
/// view's), for the item page.
pub async fn unlocking(state: &AppState, content: Uuid) -> Result<Vec<String>, Error> {
    Ok(sqlx::query_scalar!(
        "SELECT t.name FROM membership_tiers t
         WHERE t.retired_at IS NULL
           AND EXISTS (SELECT 1 FROM tier_unlocks u WHERE u.tier_id = t.id AND u.content_id = $1)
         ORDER BY t.created_at, t.name LIMIT $2",
        content,
        MAX_TIERS
    )
    .fetch_all(&state.pool)
    .await?)
}
