use uuid::Uuid;

use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::purchases::service::{admin_rows, PurchaseFilter};
use crate::query::{clean_filter, Window};
use crate::state::AppState;
use domain::customers::{CustomerDetail, CustomerList, CustomerRow, OwnedItem, PAGE_SIZE};

/// The search term as the queries use it: trimmed, lower case, or none.
pub fn search_term(query: Option<String>) -> Option<String> {
    clean_filter(query).map(|q| q.to_lowercase())
}

/// Which customers a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Customers<'a> {
    /// Those whose email or name holds the search term (every one without a term).
    Matching(Option<&'a str>),
    /// One customer.
    One(Uuid),
}

/// The `which` customers in `window`, newest first.
pub async fn rows(
    db: &sqlx::PgPool,
    which: Customers<'_>,
    window: Window,
) -> Result<Vec<CustomerRow>, Error> {
    let (query, only) = match which {
        Customers::Matching(query) => (query, None),
        Customers::One(id) => (None, Some(id)),
    };
    Ok(sqlx::query_as!(
        CustomerRow,
        r#"SELECT u.id, u.email, u.name, u.email_verified_at IS NOT NULL AS "verified!",
                  to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "joined_on!",
                  count(r.purchase_id) FILTER (WHERE r.status = 'completed') AS "purchases!",
                  COALESCE(sum(r.net_cents), 0)::bigint AS "total_spent_cents!"
           FROM users u LEFT JOIN purchase_revenue r ON r.user_id = u.id
           WHERE u.role = 'customer'
             AND ($1::text IS NULL OR strpos(lower(u.email), $1) > 0 OR strpos(lower(u.name), $1) > 0)
             AND ($4::uuid IS NULL OR u.id = $4)
           GROUP BY u.id
           ORDER BY u.created_at DESC, u.id
           LIMIT $2 OFFSET $3"#,
        query,
        window.limit,
        window.offset,
        only
    )
    .fetch_all(db)
    .await?)
}

pub async fn list(
    state: &AppState,
    _owner: &Owner,
    query: Option<String>,
    page: Option<i64>,
) -> Result<CustomerList, Error> {
    let query = search_term(query);
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!" FROM users u
           WHERE u.role = 'customer'
             AND ($1::text IS NULL OR strpos(lower(u.email), $1) > 0 OR strpos(lower(u.name), $1) > 0)"#,
        query.as_deref()
    )
    .fetch_one(&state.pool)
    .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let rows = rows(
        &state.pool,
        Customers::Matching(query.as_deref()),
        Window::page(page, PAGE_SIZE),
    )
    .await?;
    Ok(CustomerList {
        rows,
        total,
        page,
        pages,
    })
}

pub async fn detail(state: &AppState, _owner: &Owner, id: Uuid) -> Result<CustomerDetail, Error> {
    let customer = rows(&state.pool, Customers::One(id), Window::page(1, 1))
        .await?
        .pop()
        .ok_or(Error::Answer(Answer::NotFound))?;
    let purchases = admin_rows(
        &state.pool,
        PurchaseFilter {
            customer: Some(id),
            ..PurchaseFilter::default()
        },
        i64::MAX,
    )
    .await?;
    let owned = sqlx::query_as!(
        OwnedItem,
        r#"SELECT o.content_id AS "content_id!", c.title, o.reason AS "reason!"
           FROM (SELECT DISTINCT ON (content_id) content_id, reason, granted_at FROM live_access
                 WHERE user_id = $1
                 ORDER BY content_id, reason = 'purchased' DESC, granted_at) o
           JOIN content c ON c.id = o.content_id
           ORDER BY o.granted_at DESC"#,
        id
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(CustomerDetail {
        customer,
        purchases,
        owned,
    })
}
