//! Bundles: an item that holds several items, sold as one (one checkout, one purchase).
//! Access to its items is derived from the bundle's purchase (`access::sync`) and what it
//! held when sold (`purchase_items`), so a refund ends them all, an item the customer also
//! bought on its own stays, and a later edit adds items for its buyers but never takes one.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::{self, CatalogChange};
use crate::auth::{Caller, Owner};
use crate::error::{Answer, Error};
use crate::state::AppState;
use domain::selling::{BundleContents, BundleEntry};

/// The fewest and the most items a bundle holds.
pub const MIN_ITEMS: usize = 2;
pub const MAX_ITEMS: usize = 100;

/// Whether a bundle may be published: it holds enough items.
pub async fn is_complete(conn: &mut PgConnection, content: Uuid) -> Result<bool, Error> {
    Ok(access::bundle_items(&mut *conn, content).await?.len() >= MIN_ITEMS)
}

/// Sets what the owner's item `id` holds: two or more of their other items (not bundles),
/// making it a bundle; none makes it a plain item again (only while unpublished). Buyers
/// of the bundle get the published items added; they keep the ones removed.
pub async fn save_items(
    state: &AppState,
    owner: &Owner,
    id: Uuid,
    items: &[String],
) -> Result<(), Error> {
    let items = items
        .iter()
        .filter(|i| !i.trim().is_empty())
        .map(|i| {
            Uuid::try_parse(i.trim()).map_err(|_| Error::validation("Choose items from the list."))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if items.len() > MAX_ITEMS {
        return Err(Error::validation(format!(
            "A bundle holds at most {MAX_ITEMS} items."
        )));
    }
    if !items.is_empty() && items.len() < MIN_ITEMS {
        return Err(Error::validation(format!(
            "A bundle holds at least {MIN_ITEMS} items."
        )));
    }
    let mut tx = state.pool.begin().await?;
    let item = sqlx::query!(
        r#"SELECT media_id, status, rental_price_cents FROM content
           WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL FOR UPDATE"#,
        id,
        owner.id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    if item.media_id.is_some() {
        return Err(Error::validation(
            "A bundle has no media of its own: save the item without media first.",
        ));
    }
    if item.rental_price_cents.is_some() {
        return Err(Error::validation(
            "Bundles are sold, not rented: remove the rental price first.",
        ));
    }
    if items.is_empty() && item.status == "published" {
        return Err(Error::validation(
            "Unpublish the bundle before emptying it.",
        ));
    }
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM content
           WHERE id = ANY($1) AND id <> $2 AND owner_id = $3 AND deleted_at IS NULL AND NOT is_bundle"#,
        &items,
        id,
        owner.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let distinct: std::collections::HashSet<_> = items.iter().collect();
    if found != items.len() as i64 || distinct.len() != items.len() {
        return Err(Error::validation(
            "Choose items from the list (not this item, nor another bundle).",
        ));
    }
    let before = access::bundle_items(&mut *tx, id).await?;
    sqlx::query!("DELETE FROM bundle_items WHERE bundle_id = $1", id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO bundle_items (bundle_id, item_id, position)
         SELECT $1, item, position::int FROM unnest($2::uuid[]) WITH ORDINALITY AS t(item, position)",
        id,
        &items
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE content SET is_bundle = $2, updated_at = now() WHERE id = $1",
        id,
        !items.is_empty()
    )
    .execute(&mut *tx)
    .await?;
    access::catalog_changed(&mut tx, CatalogChange::BundleItems { bundle: id, before }).await?;
    tx.commit().await?;
    Ok(())
}

/// What a bundle holds, as its page shows it: each item with its price and whether the
/// caller already has it, and what the items cost one by one.
pub async fn contents(
    state: &AppState,
    caller: &Caller,
    bundle: Uuid,
) -> Result<BundleContents, Error> {
    let user = caller.user().map(|u| u.id);
    let rows = sqlx::query!(
        r#"SELECT c.slug, c.title, c.price_cents, c.status = 'published' AS "listed!",
                  EXISTS (SELECT 1 FROM live_access a
                          WHERE a.user_id = $2 AND a.content_id = c.id) AS "owned!"
           FROM bundle_items b JOIN content c ON c.id = b.item_id
           JOIN content bundle ON bundle.id = b.bundle_id
           WHERE b.bundle_id = $1
             AND (bundle.status = 'published' AND bundle.deleted_at IS NULL
                  AND c.status = 'published' AND c.deleted_at IS NULL
                  OR bundle.owner_id = $2)
           ORDER BY b.position, c.id"#,
        bundle,
        user
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(BundleContents {
        items: rows
            .into_iter()
            .map(|row| BundleEntry {
                // The owner sees the unlisted ones too, named but not linked.
                slug: row.listed.then_some(row.slug),
                title: row.title,
                price_cents: row.price_cents,
                owned: row.owned,
            })
            .collect(),
    })
}
