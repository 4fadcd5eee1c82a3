//! The one checkout gate, for "Buy now", "Rent" and "Subscribe": who may start a checkout
//! (`customer`), and, once the sale is decided under the customer's lock, `begin`: an open
//! checkout on the same terms is taken up again (a second click, two tabs, a return from
//! "Cancel" never make a second payment page), else a new one is recorded within the
//! customer's rate limit, committed, and Stripe is asked for its page with no transaction
//! or lock held. What differs between an item and a membership is a [`Sale`].

use std::future::Future;

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::session;
use crate::auth::users::UserRecord;
use crate::error::Error;
use crate::rate_limit;
use crate::state::AppState;
use crate::stripe::gateway::SessionRequest;
use domain::paths;

/// Who is asking to pay.
pub enum Gate {
    Customer(UserRecord),
    /// Not signed in: log in, then come back.
    LogIn(String),
    /// The owner (`owner`), or an address not yet verified (`verify`: the verification page
    /// then offers the way back).
    Refused(&'static str),
}

/// A signed-in customer with a verified address may pay; `come_back_to` is the page they
/// started from.
pub async fn customer(
    state: &AppState,
    session: &Session,
    come_back_to: &str,
) -> Result<Gate, Error> {
    let Some(user) = session::current_user(&state.pool, session).await? else {
        return Ok(Gate::LogIn(paths::login_then(come_back_to)));
    };
    if user.view().is_owner() {
        return Ok(Gate::Refused("owner"));
    }
    if user.email_verified_at.is_none() {
        session::remember_after_verify(session, come_back_to).await?;
        return Ok(Gate::Refused("verify"));
    }
    Ok(Gate::Customer(user))
}

/// A checkout already started: its row and, once Stripe made it, its page.
pub struct Open {
    pub id: Uuid,
    pub url: Option<String>,
}

/// What a look at a checkout being made found.
pub enum Looked {
    Page(String),
    NotYet,
    /// Failed, or gone: no page will come.
    None,
}

/// What a checkout of an item or a membership does with its own rows.
pub trait Sale: Sync {
    /// Who is buying (their checkouts are counted).
    fn customer(&self) -> Uuid;
    /// The checkout started on the same terms, still payable (one still without its page is
    /// being made, unless its maker died long ago).
    fn open(
        &self,
        tx: &mut PgConnection,
    ) -> impl Future<Output = Result<Option<Open>, Error>> + Send;
    /// What became of checkout `id`, being made by another request.
    fn look(&self, pool: &PgPool, id: Uuid) -> impl Future<Output = Result<Looked, Error>> + Send;
    /// Records a new checkout; its id.
    fn record(&self, tx: &mut PgConnection) -> impl Future<Output = Result<Uuid, Error>> + Send;
    /// What Stripe is asked to make for checkout `id`.
    fn request(&self, id: Uuid, automatic_tax: bool) -> SessionRequest<'_>;
    /// Stripe made the session for checkout `id`.
    fn attach(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
        session_id: &str,
        url: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    /// Stripe could not: checkout `id` gives back what it held.
    fn abandon(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
    ) -> impl Future<Output = Result<(), Error>> + Send;
}

/// Where the customer goes.
pub enum Begun {
    Page(String),
    /// Stripe could not make the page.
    Unavailable,
    /// Past the customer's limit of checkouts.
    Busy,
}

/// Starts (or takes up) `sale`'s checkout; `tx` holds the customer's lock and has decided
/// the sale may go ahead.
pub async fn begin(
    state: &AppState,
    mut tx: Transaction<'_, Postgres>,
    sale: &impl Sale,
) -> Result<Begun, Error> {
    if let Some(open) = sale.open(&mut tx).await? {
        tx.commit().await?;
        let look = || sale.look(&state.pool, open.id);
        return Ok(match page_of_open(open.url, look).await? {
            Some(url) => Begun::Page(url),
            None => Begun::Unavailable,
        });
    }
    if !may_start_checkout(&mut tx, sale.customer()).await? {
        return Ok(Begun::Busy);
    }
    let id = sale.record(&mut tx).await?;
    let automatic_tax = sqlx::query_scalar!("SELECT automatic_tax FROM site_settings")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    // No transaction or lock is held while Stripe answers.
    let made = state
        .payments
        .create_session(sale.request(id, automatic_tax))
        .await;
    let mut tx = state.pool.begin().await?;
    let begun = match made {
        Ok((session_id, url)) => {
            sale.attach(&mut tx, id, &session_id, &url).await?;
            Begun::Page(url)
        }
        Err(_) => {
            sale.abandon(&mut tx, id).await?;
            Begun::Unavailable
        }
    };
    tx.commit().await?;
    Ok(begun)
}

/// How long a pending checkout is offered again, in seconds: while its session can still be
/// paid, with a minute to spare.
pub fn open_window_secs() -> i64 {
    (domain::purchases::CHECKOUT_LIFETIME - time::Duration::minutes(1)).whole_seconds()
}

/// Whether `user` may have another Checkout Session made ("Buy now", "Rent" and
/// "Subscribe" share the limit), counted in the caller's transaction: it holds the customer's
/// lock, and asking the pool for a second connection meanwhile could wait for ever on the
/// clicks queued behind that lock. A refusal rolls back, so only sessions made are counted.
pub async fn may_start_checkout(tx: &mut sqlx::PgConnection, user: Uuid) -> Result<bool, Error> {
    Ok(
        rate_limit::hit(tx, rate_limit::CHECKOUT_SESSIONS, &user.to_string())
            .await?
            .allowed,
    )
}

/// The page of an open checkout: `known`, or, while another request is asking Stripe for it
/// (a click just before this one), what `look` finds, asked every 200 ms (holding no
/// connection in between) until the page is there or will not come, 10 s at most.
pub async fn page_of_open<F, Fut>(
    known: Option<String>,
    mut look: F,
) -> Result<Option<String>, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Looked, Error>>,
{
    if known.is_some() {
        return Ok(known);
    }
    for _ in 0..50 {
        match look().await? {
            Looked::Page(url) => return Ok(Some(url)),
            Looked::None => return Ok(None),
            Looked::NotYet => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    Ok(None)
}
