//! Discount codes: the owner's list (`/admin/discounts`) and the one check every use of a
//! code goes through (`find`), for the item page's quote and for the checkout.
//!
//! A code's uses are not a counter but the checkouts that carry it and have not failed:
//! paid ones and ones still open. A checkout that expires or fails gives its use back by
//! failing, whatever order Stripe's events come in. The checkout counts them holding the
//! code's row lock (`Lock::ForCheckout`), so two buyers racing for the last use cannot both
//! get it.

use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use crate::auth::Owner;
use crate::error::Error;
use crate::rate_limit;
use crate::state::AppState;
use domain::selling::{CodeRefusal, Discount, DiscountCode, DiscountView};

/// The most codes an owner keeps (a list page, not a coupon engine).
pub const MAX_CODES: i64 = 500;

/// The owner's "New discount code" form, parsed.
#[derive(Debug)]
pub struct NewDiscount {
    pub code: DiscountCode,
    pub discount: Discount,
    /// The last day it is valid, in the platform's timezone.
    pub expires_on: Option<Date>,
    pub max_uses: Option<i32>,
    /// Empty: every item.
    pub items: Vec<Uuid>,
}

impl NewDiscount {
    pub fn parse(
        code: &str,
        amount_off: &str,
        expires_on: &str,
        max_uses: &str,
        items: &[String],
    ) -> Result<Self, Error> {
        let expires_on = match expires_on.trim() {
            "" => None,
            text => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                Some(
                    Date::parse(text, &format)
                        .map_err(|_| Error::validation("Enter the expiry date as YYYY-MM-DD."))?,
                )
            }
        };
        let max_uses = match max_uses.trim() {
            "" => None,
            text => Some(
                text.parse::<i32>()
                    .ok()
                    .filter(|n| (1..=1_000_000).contains(n))
                    .ok_or_else(|| {
                        Error::validation("Usage limit must be 1 to 1000000, or empty.")
                    })?,
            ),
        };
        let items = super::chosen_items(items)?;
        Ok(Self {
            code: DiscountCode::parse(code)?,
            discount: Discount::parse(amount_off)?,
            expires_on,
            max_uses,
            items,
        })
    }
}

pub async fn create(state: &AppState, _owner: &Owner, new: NewDiscount) -> Result<Uuid, Error> {
    let mut tx = state.pool.begin().await?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM discount_codes"#)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_CODES {
        return Err(Error::Conflict(format!(
            "You have {MAX_CODES} codes: delete some before adding more."
        )));
    }
    let id = Uuid::new_v4();
    let created = sqlx::query!(
        // Valid through the end of that day where the owner is.
        "INSERT INTO discount_codes (id, code, percent_off, amount_off_cents, expires_at, max_uses, all_items)
         SELECT $1, $2, $3, $4, ($5::date + 1)::timestamp AT TIME ZONE s.timezone, $6, $7
         FROM site_settings s",
        id,
        new.code.as_str(),
        new.discount.percent_off(),
        new.discount.amount_off_cents(),
        new.expires_on,
        new.max_uses,
        new.items.is_empty()
    )
    .execute(&mut *tx)
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(e) if e.constraint() == Some("discount_codes_code_key") => {
            Error::Conflict("This code already exists.".into())
        }
        _ => error.into(),
    })?
    .rows_affected();
    if created != 1 {
        return Err(crate::error::internal(
            "creating a discount code",
            "the site settings row is missing",
        ));
    }
    let inserted = sqlx::query!(
        "INSERT INTO discount_code_items (code_id, content_id)
         SELECT $1, id FROM content WHERE id = ANY($2) AND deleted_at IS NULL",
        id,
        &new.items
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted != new.items.len() as u64 {
        return Err(Error::validation("Choose items from the list."));
    }
    tx.commit().await?;
    Ok(id)
}

/// Every code, newest first, with its uses.
pub async fn list(state: &AppState, _owner: &Owner) -> Result<Vec<DiscountView>, Error> {
    let rows = sqlx::query!(
        r#"SELECT d.id, d.code, d.percent_off, d.amount_off_cents, d.max_uses,
                  to_char((d.expires_at - interval '1 second') AT TIME ZONE s.timezone,
                          'FMDD Mon YYYY') AS expires_on,
                  COALESCE(d.expires_at < now(), false) AS "expired!",
                  (SELECT count(*) FROM purchases p
                   WHERE p.discount_code_id = d.id AND p.status <> 'failed') AS "used!",
                  ARRAY(SELECT c.title FROM discount_code_items i JOIN content c ON c.id = i.content_id
                        WHERE i.code_id = d.id ORDER BY c.title) AS "items!"
           FROM discount_codes d CROSS JOIN site_settings s
           ORDER BY d.created_at DESC, d.code LIMIT $1"#,
        MAX_CODES
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DiscountView {
            id: r.id,
            code: r.code,
            discount: Discount::from_columns(r.percent_off, r.amount_off_cents),
            expires_on: r.expires_on,
            expired: r.expired,
            max_uses: r.max_uses,
            used: r.used,
            items: r.items,
        })
        .collect())
}

/// Deletes a code: it stops working; purchases keep the code's text.
pub async fn delete(state: &AppState, _owner: &Owner, id: Uuid) -> Result<(), Error> {
    let deleted = sqlx::query!("DELETE FROM discount_codes WHERE id = $1", id)
        .execute(&state.pool)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Counts one try of a code from `client` (an address); `RateLimited` past the limit, so
/// codes cannot be guessed by trying many.
pub async fn count_try(pool: &sqlx::PgPool, client: Option<&str>) -> Result<(), Error> {
    let client = client.unwrap_or("unknown");
    if rate_limit::hit(pool, rate_limit::DISCOUNT_CODE, client)
        .await?
        .allowed
    {
        Ok(())
    } else {
        Err(Error::RateLimited)
    }
}

/// A code that applies to an item.
#[derive(Debug, Clone)]
pub struct Applied {
    pub id: Uuid,
    pub code: DiscountCode,
    pub discount: Discount,
}

/// Whether the use is about to be taken (in the caller's transaction, which then records
/// the checkout) or only shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Quote,
    ForCheckout,
}

/// Finds `code` and checks it for `content`: it exists, has not expired, applies to the
/// item and has a use left. With `Lock::ForCheckout` a limited code's row stays locked
/// until the caller's transaction ends, so the use counted here is the caller's.
pub async fn find(
    conn: &mut PgConnection,
    code: &DiscountCode,
    content: Uuid,
    lock: Lock,
) -> Result<Result<Applied, CodeRefusal>, Error> {
    let Some(found) = sqlx::query!(
        r#"SELECT d.id, d.percent_off, d.amount_off_cents, d.max_uses,
                  COALESCE(d.expires_at < now(), false) AS "expired!",
                  (d.all_items OR EXISTS (SELECT 1 FROM discount_code_items i
                                          WHERE i.code_id = d.id AND i.content_id = $2)) AS "applies!"
           FROM discount_codes d WHERE d.code = $1"#,
        code.as_str(),
        content
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Err(CodeRefusal::Unknown));
    };
    if found.expired {
        return Ok(Err(CodeRefusal::Expired));
    }
    if !found.applies {
        return Ok(Err(CodeRefusal::NotForThisItem));
    }
    if let Some(max_uses) = found.max_uses {
        if lock == Lock::ForCheckout {
            sqlx::query!(
                "SELECT id FROM discount_codes WHERE id = $1 FOR UPDATE",
                found.id
            )
            .fetch_optional(&mut *conn)
            .await?;
        }
        let used = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM purchases WHERE discount_code_id = $1 AND status <> 'failed'"#,
            found.id
        )
        .fetch_one(&mut *conn)
        .await?;
        if used >= i64::from(max_uses) {
            return Ok(Err(CodeRefusal::UsedUp));
        }
    }
    Ok(Ok(Applied {
        id: found.id,
        code: code.clone(),
        discount: Discount::from_columns(found.percent_off, found.amount_off_cents),
    }))
}
