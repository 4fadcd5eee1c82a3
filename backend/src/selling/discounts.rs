//! Discount codes: the owner's list (`/admin/discounts`) and the one check every use of a
//! code goes through (`find`), for the item page's quote and for the checkout.
//!
//! A code's uses are not a counter but the checkouts that carry it (the SQL function
//! `discount_code_uses`): paid ones, and the customers with one still payable (within the
//! Checkout Session's 30 minutes), each once. A checkout that expires or fails gives its use
//! back by failing, whatever order Stripe's events come in, and an abandoned one gives it
//! back when its session can no longer be paid. The checkout counts them holding the code's
//! row lock (`Lock::ForCheckout`), so two buyers racing for the last use cannot both get it.

use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use crate::auth::Owner;
use crate::error::{Answer, Error};
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

/// The discount form's fields, as typed.
pub struct DiscountForm<'a> {
    pub code: &'a str,
    pub amount_off: &'a str,
    pub expires_on: &'a str,
    pub max_uses: &'a str,
    /// The ids of the items it applies to (none: every item).
    pub items: &'a [String],
}

impl NewDiscount {
    pub fn parse(form: DiscountForm<'_>) -> Result<Self, Error> {
        let DiscountForm {
            code,
            amount_off,
            expires_on,
            max_uses,
            items,
        } = form;
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
        return Err(Error::conflict(format!(
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
            Error::conflict("This code already exists.")
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
                  discount_code_uses(d.id, NULL, make_interval(secs => $2::bigint)) AS "used!",
                  ARRAY(SELECT c.title FROM discount_code_items i JOIN content c ON c.id = i.content_id
                        WHERE i.code_id = d.id ORDER BY c.title) AS "items!"
           FROM discount_codes d CROSS JOIN site_settings s
           ORDER BY d.created_at DESC, d.code LIMIT $1"#,
        MAX_CODES,
        checkout_window_secs()
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
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

/// Counts one try of `code` from `client`; `RateLimited` past the limit of the address (an
/// IPv6 address counts as its /64, which one subscriber holds whole) or of the code (tried
/// from any number of addresses), so codes cannot be guessed by trying many.
pub async fn count_try(
    pool: &sqlx::PgPool,
    client: Option<std::net::IpAddr>,
    code: &str,
) -> Result<(), Error> {
    let address = client.map_or_else(|| "unknown".to_string(), address_key);
    let code = format!("code:{}", code.trim().to_ascii_uppercase());
    for (rule, key) in [
        (rate_limit::DISCOUNT_CODE, address),
        (rate_limit::DISCOUNT_CODE_TRIED, code),
    ] {
        if !rate_limit::hit(pool, rule, &key).await?.allowed {
            return Err(Error::Answer(Answer::RateLimited));
        }
    }
    Ok(())
}

/// An address as code tries count it: IPv4 as it is, IPv6 by its /64.
fn address_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        ip => ip.to_canonical().to_string(),
    }
}

/// A code that applies to an item.
#[derive(Debug, Clone)]
pub struct Applied {
    pub id: Uuid,
    pub code: DiscountCode,
    pub discount: Discount,
}

/// Whether the use is about to be taken by a customer (in the caller's transaction, which
/// then records the checkout) or only shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Quote,
    ForCheckout(Uuid),
}

/// How long an open checkout holds a use, in seconds: as long as its session can be paid.
fn checkout_window_secs() -> i64 {
    domain::purchases::CHECKOUT_LIFETIME.whole_seconds()
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
        return Ok(Err(CodeRefusal::Invalid));
    };
    if found.expired || !found.applies {
        return Ok(Err(CodeRefusal::Invalid));
    }
    if let Some(max_uses) = found.max_uses {
        let customer = match lock {
            Lock::ForCheckout(customer) => {
                sqlx::query!(
                    "SELECT id FROM discount_codes WHERE id = $1 FOR UPDATE",
                    found.id
                )
                .fetch_optional(&mut *conn)
                .await?;
                Some(customer)
            }
            Lock::Quote => None,
        };
        let used = sqlx::query_scalar!(
            r#"SELECT discount_code_uses($1, $2, make_interval(secs => $3::bigint)) AS "n!""#,
            found.id,
            customer,
            checkout_window_secs()
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

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn ipv6_tries_count_per_64() {
        let key = |ip: &str| address_key(ip.parse().unwrap());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
    }
}
