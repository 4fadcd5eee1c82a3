//! The owner's categories: a short ordered list the catalog filters by and the content form
//! offers. A rename follows into every item through the foreign key (`ON UPDATE CASCADE`).

use sqlx::{PgConnection, PgExecutor};

use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::state::AppState;
use domain::content::{Category, CategoryName};

/// More would not fit a filter row or a select a customer reads.
const MAX_CATEGORIES: i64 = 30;

/// Every category in the owner's order, with how many published items it holds.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<Category>, Error> {
    Ok(sqlx::query_as!(
        Category,
        r#"SELECT k.name, count(c.id) FILTER (WHERE c.status = 'published' AND c.deleted_at IS NULL) AS "published_items!"
           FROM categories k LEFT JOIN content c ON c.category = k.name
           GROUP BY k.name, k.position ORDER BY k.position, k.name"#
    )
    .fetch_all(db)
    .await?)
}

fn taken(name: &CategoryName) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |error| match &error {
        sqlx::Error::Database(e) if e.constraint() == Some("categories_pkey") => Error::conflict(
            format!("There is already a category named {}.", name.as_str()),
        ),
        _ => error.into(),
    }
}

/// Adds a category at the end of the list.
pub async fn add(state: &AppState, _owner: &Owner, name: &CategoryName) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    lock_list(&mut tx).await?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM categories"#)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_CATEGORIES {
        return Err(Error::validation(format!(
            "At most {MAX_CATEGORIES} categories: rename or delete one first."
        )));
    }
    sqlx::query!(
        "INSERT INTO categories (name, position)
         SELECT $1, COALESCE(max(position), 0) + 1 FROM categories",
        name.as_str()
    )
    .execute(&mut *tx)
    .await
    .map_err(taken(name))?;
    tx.commit().await?;
    Ok(())
}

/// One change to the list's length or order at a time, so positions stay distinct and the
/// count holds.
async fn lock_list(conn: &mut PgConnection) -> Result<(), Error> {
    sqlx::query!("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE")
        .execute(conn)
        .await?;
    Ok(())
}

/// Renames a category; its items follow.
pub async fn rename(
    state: &AppState,
    _owner: &Owner,
    from: &str,
    to: &CategoryName,
) -> Result<(), Error> {
    if from == to.as_str() {
        return Ok(());
    }
    let renamed = sqlx::query!(
        "UPDATE categories SET name = $2 WHERE name = $1",
        from,
        to.as_str()
    )
    .execute(&state.pool)
    .await
    .map_err(taken(to))?;
    if renamed.rows_affected() == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

/// Moves a category one place earlier (`up`) or later; at either end it stays.
pub async fn shift(state: &AppState, _owner: &Owner, name: &str, up: bool) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    lock_list(&mut tx).await?;
    let order = sqlx::query_scalar!("SELECT name FROM categories ORDER BY position, name")
        .fetch_all(&mut *tx)
        .await?;
    let at = order
        .iter()
        .position(|n| n == name)
        .ok_or(Error::Answer(Answer::NotFound))?;
    let other = if up { at.checked_sub(1) } else { Some(at + 1) };
    let Some(other) = other.filter(|&i| i < order.len()) else {
        return Ok(());
    };
    let mut order = order;
    order.swap(at, other);
    renumber(&mut tx, &order).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes positions 1, 2, … in the order given.
async fn renumber(conn: &mut PgConnection, order: &[String]) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE categories k SET position = o.position::integer
         FROM unnest($1::text[]) WITH ORDINALITY AS o(name, position) WHERE k.name = o.name",
        order
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a category; its items keep their place in the catalog without one.
pub async fn delete(state: &AppState, _owner: &Owner, name: &str) -> Result<(), Error> {
    let deleted = sqlx::query!("DELETE FROM categories WHERE name = $1", name)
        .execute(&state.pool)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

/// Checks that an item's category exists and keeps it from being renamed or deleted until
/// the item is saved.
pub async fn hold(conn: &mut PgConnection, name: &CategoryName) -> Result<(), Error> {
    sqlx::query_scalar!(
        "SELECT name FROM categories WHERE name = $1 FOR KEY SHARE",
        name.as_str()
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| {
        Error::validation("Category: choose one from the list (categories are added in Settings).")
    })?;
    Ok(())
}

/// The sample content's category, added at the end if missing.
pub async fn ensure(conn: &mut PgConnection, name: &str) -> Result<(), Error> {
    sqlx::query!(
        "INSERT INTO categories (name, position)
         SELECT $1, COALESCE(max(position), 0) + 1 FROM categories
         ON CONFLICT (name) DO NOTHING",
        name
    )
    .execute(conn)
    .await?;
    Ok(())
}
