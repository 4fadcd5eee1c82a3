//! The price of one offer of one item for one customer: the list price (or the customer's
//! own price for pay what you want), less a discount code. The item page's quote and the
//! checkout both come here, so the figure shown is the figure charged.

use sqlx::PgConnection;
use uuid::Uuid;

use super::discounts::{self, Applied, Lock};
use crate::error::Error;
use domain::selling::{self, CodeRefusal, DiscountCode, Offer, Quote, RentalTerms};

/// An item's selling columns.
#[derive(Debug, Clone)]
pub struct ForSale {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub price_cents: i32,
    pub pay_what_you_want: bool,
    pub rental: Option<RentalTerms>,
}

/// A published item, ready to price.
pub async fn published(conn: &mut PgConnection, id: Uuid) -> Result<Option<ForSale>, Error> {
    let row = sqlx::query!(
        "SELECT id, slug, title, price_cents, pay_what_you_want, rental_price_cents,
                rental_window_days, rental_viewing_hours
         FROM content WHERE id = $1 AND status = 'published' AND deleted_at IS NULL",
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| ForSale {
        id: r.id,
        slug: r.slug,
        title: r.title,
        price_cents: r.price_cents,
        pay_what_you_want: r.pay_what_you_want,
        rental: RentalTerms::from_columns(
            r.rental_price_cents,
            r.rental_window_days,
            r.rental_viewing_hours,
        ),
    }))
}

/// What the customer asked for at checkout.
#[derive(Debug, Clone, Default)]
pub struct Asked<'a> {
    pub offer: Offer,
    pub code: Option<&'a str>,
    pub your_price: Option<&'a str>,
}

/// A price the checkout charges.
#[derive(Debug, Clone)]
pub struct Priced {
    pub offer: Offer,
    /// Before the code (the customer's own price for pay what you want).
    pub list_cents: i32,
    pub amount_cents: i32,
    pub code: Option<Applied>,
    pub rental: Option<RentalTerms>,
}

/// Why a checkout cannot be priced; each has its `?checkout=` reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotForRent,
    /// The customer's price is missing or under the minimum.
    YourPrice,
    /// A plain free item: "Get access", not a checkout.
    Free,
    Code(CodeRefusal),
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotForRent => "not_for_rent",
            Self::YourPrice => "your_price",
            Self::Free => "free",
            Self::Code(refusal) => refusal.as_str(),
        }
    }
}

/// Prices `asked` for `item`. With `Lock::ForCheckout` a limited code stays locked in the
/// caller's transaction (see `discounts::find`).
pub async fn price(
    conn: &mut PgConnection,
    item: &ForSale,
    asked: &Asked<'_>,
    lock: Lock,
) -> Result<Result<Priced, Refusal>, Error> {
    let (list_cents, rental) = match asked.offer {
        Offer::Rent => match item.rental {
            Some(terms) => (terms.price_cents, Some(terms)),
            None => return Ok(Err(Refusal::NotForRent)),
        },
        Offer::Buy if item.pay_what_you_want => {
            match selling::your_price(asked.your_price.unwrap_or(""), item.price_cents) {
                Ok(cents) => (cents, None),
                Err(_) => return Ok(Err(Refusal::YourPrice)),
            }
        }
        Offer::Buy if item.price_cents == 0 => return Ok(Err(Refusal::Free)),
        Offer::Buy => (item.price_cents, None),
    };
    let code = match asked.code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(_) if asked.offer == Offer::Buy && item.pay_what_you_want => {
            return Ok(Err(Refusal::Code(CodeRefusal::NotForPayWhatYouWant)))
        }
        Some(text) => {
            let Ok(code) = DiscountCode::parse(text) else {
                return Ok(Err(Refusal::Code(CodeRefusal::Invalid)));
            };
            match discounts::find(conn, &code, item.id, lock).await? {
                Ok(applied) => Some(applied),
                Err(refusal) => return Ok(Err(Refusal::Code(refusal))),
            }
        }
    };
    let amount_cents = code
        .as_ref()
        .map_or(list_cents, |c| c.discount.apply(list_cents));
    Ok(Ok(Priced {
        offer: asked.offer,
        list_cents,
        amount_cents,
        code,
        rental,
    }))
}

/// What `code` makes of the item's prices, for its page (nothing is taken).
pub async fn quote(
    conn: &mut PgConnection,
    item: &ForSale,
    code: &str,
) -> Result<Result<Quote, CodeRefusal>, Error> {
    let Ok(parsed) = DiscountCode::parse(code) else {
        return Ok(Err(CodeRefusal::Invalid));
    };
    let applied = match discounts::find(conn, &parsed, item.id, Lock::Quote).await? {
        Ok(applied) => applied,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let buy_cents = (!item.pay_what_you_want && item.price_cents > 0)
        .then(|| applied.discount.apply(item.price_cents));
    let rent_cents = item
        .rental
        .map(|terms| applied.discount.apply(terms.price_cents));
    if buy_cents.is_none() && rent_cents.is_none() {
        return Ok(Err(if item.pay_what_you_want {
            CodeRefusal::NotForPayWhatYouWant
        } else {
            CodeRefusal::Invalid
        }));
    }
    Ok(Ok(Quote {
        code: parsed.as_str().to_string(),
        label: applied.discount.label(),
        buy_cents,
        rent_cents,
    }))
}
