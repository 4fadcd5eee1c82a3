//! The item editor's "Selling options": pay what you want (the price is then the minimum)
//! with a suggested price, and renting.

use uuid::Uuid;

use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::state::AppState;
use domain::selling::{self, RentalTerms, SellingOptions};

/// The "Selling options" form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SellingForm<'a> {
    pub pay_what_you_want: bool,
    pub suggested_price: &'a str,
    pub rental_price: &'a str,
    pub rental_window_days: &'a str,
    pub rental_viewing_hours: &'a str,
}

/// The form, parsed against the item's price (the minimum of pay what you want).
pub fn parse(price_cents: i32, form: SellingForm<'_>) -> Result<SellingOptions, Error> {
    let SellingForm {
        pay_what_you_want,
        suggested_price,
        rental_price,
        rental_window_days,
        rental_viewing_hours,
    } = form;
    let suggested_price_cents = if pay_what_you_want {
        selling::suggested_price(suggested_price, price_cents)?
    } else {
        None
    };
    Ok(SellingOptions {
        pay_what_you_want,
        suggested_price_cents,
        rental: RentalTerms::parse(rental_price, rental_window_days, rental_viewing_hours)?,
    })
}

/// Saves the options of the owner's item `id`.
pub async fn save(
    state: &AppState,
    owner: &Owner,
    id: Uuid,
    form: SellingForm<'_>,
) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    let item = sqlx::query!(
        "SELECT price_cents, is_bundle FROM content WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL FOR UPDATE",
        id,
        owner.id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    let options = parse(item.price_cents, form)?;
    let rental = options.rental;
    if item.is_bundle && rental.is_some() {
        return Err(Error::validation(
            "Bundles are sold, not rented: leave the rental price empty.",
        ));
    }
    sqlx::query!(
        "UPDATE content SET pay_what_you_want = $2, suggested_price_cents = $3,
                rental_price_cents = $4,
                rental_window_days = COALESCE($5, rental_window_days),
                rental_viewing_hours = COALESCE($6, rental_viewing_hours),
                updated_at = now()
         WHERE id = $1",
        id,
        options.pay_what_you_want,
        options.suggested_price_cents,
        rental.map(|r| r.price_cents),
        rental.map(|r| r.window_days),
        rental.map(|r| r.viewing_hours)
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
