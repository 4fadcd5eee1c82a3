//! `POST /checkout/start`: "Buy now" and "Rent" as plain forms, so they work before the page
//! hydrates. The price is computed here (`selling::pricing`: the offer, the customer's own
//! price, a discount code) and stored on a pending purchase; the customer goes on to the
//! Checkout Session made for that purchase. Refusals go back to the item page with
//! `?checkout=<reason>` (and the code typed, so it is still there).

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use domain::paths;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use sqlx::{PgConnection, PgPool};

use super::checkout::{self, open_window_secs, Begun, Gate, Looked, Open, Sale};
use crate::access;
use crate::client_ip::ClientIp;
use crate::error::{Answer, Error};
use crate::purchases::store;
use crate::selling::discounts::{self, Lock};
use crate::selling::pricing::{self, Asked};
use crate::state::AppState;
use crate::stripe::gateway::{Sells, SessionRequest};
use domain::selling::Offer;

#[derive(Debug, Deserialize)]
pub struct StartForm {
    pub content_id: Uuid,
    /// `buy` (the default) or `rent`.
    #[serde(default)]
    pub offer: Option<String>,
    #[serde(default)]
    pub discount_code: Option<String>,
    /// The customer's price of a pay-what-you-want item.
    #[serde(default)]
    pub your_price: Option<String>,
    /// "Send me news and new releases", ticked.
    #[serde(default)]
    pub news: Option<String>,
}

fn back(slug: &str, reason: &str) -> Response {
    Redirect::to(&format!("/content/{slug}?checkout={reason}")).into_response()
}

/// Back to the item page with the code and price the customer typed, for them to correct.
fn back_with(slug: &str, reason: &str, form: &StartForm) -> Response {
    let typed = |value: &Option<String>| -> String {
        value
            .as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(40)
            .collect()
    };
    let to = paths::content_with(
        slug,
        &[
            ("checkout", reason),
            ("code", &typed(&form.discount_code)),
            ("your_price", &typed(&form.your_price)),
        ],
    );
    Redirect::to(&to).into_response()
}

pub async fn start(
    State(state): State<AppState>,
    session: Session,
    client: Option<Extension<ClientIp>>,
    Form(form): Form<StartForm>,
) -> Result<Response, Error> {
    let mut conn = state.pool.acquire().await?;
    let item = pricing::published(&mut conn, form.content_id)
        .await?
        .ok_or(Error::Answer(Answer::NotFound))?;
    drop(conn);
    let user = match checkout::customer(&state, &session, &paths::content(&item.slug)).await? {
        Gate::Customer(user) => user,
        Gate::LogIn(to) => return Ok(Redirect::to(&to).into_response()),
        Gate::Refused(reason) => return Ok(back(&item.slug, reason)),
    };
    if let Some(code) = form
        .discount_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        let client = client.map(|Extension(ClientIp(ip))| ip);
        match discounts::count_try(&state.pool, client, code).await {
            Err(Error::Answer(Answer::RateLimited)) => {
                return Ok(back_with(&item.slug, "code_tries", &form))
            }
            other => other?,
        }
    }
    let asked = Asked {
        offer: Offer::parse(form.offer.as_deref()),
        code: form.discount_code.as_deref(),
        your_price: form.your_price.as_deref(),
    };
    // The customer's lock (and a limited code's) is held while the checkout is decided and
    // recorded, and released before Stripe is called.
    let mut tx = state.pool.begin().await?;
    let owned = match asked.offer {
        // Someone renting may buy to keep; someone who may play already need not rent.
        Offer::Buy => access::lock_to_keep(&mut tx, user.id, item.id).await?,
        Offer::Rent => access::lock(&mut tx, user.id, item.id).await?,
    };
    if owned {
        return Ok(back(&item.slug, "owned"));
    }
    if form.news.is_some() {
        crate::marketing::consent::opt_in(&mut tx, user.id).await?;
    }
    // A limited code's row stays locked from here to the commit: its uses are counted and
    // this checkout recorded with no other checkout for the code in between.
    let priced = match pricing::price(&mut tx, &item, &asked, Lock::ForCheckout(user.id)).await? {
        Ok(priced) => priced,
        Err(refusal) => return Ok(back_with(&item.slug, refusal.as_str(), &form)),
    };
    if priced.amount_cents == 0 {
        store::record_free_checkout(&mut tx, user.id, item.id, &priced).await?;
        tx.commit().await?;
        return Ok(back(&item.slug, "got"));
    }
    let title = match priced.offer {
        Offer::Buy => item.title.clone(),
        Offer::Rent => format!("Rental: {}", item.title),
    };
    let source = crate::analytics::traffic::landing_of(&session).await?;
    let sale = ItemSale {
        source: source.as_deref(),
        state: &state,
        customer: user.id,
        email: &user.email,
        item: &item,
        priced: &priced,
        title,
    };
    Ok(match checkout::begin(&state, tx, &sale).await? {
        Begun::Page(url) => Redirect::to(&url).into_response(),
        Begun::Unavailable => back(&item.slug, "unavailable"),
        Begun::Busy => back_with(&item.slug, "busy", &form),
    })
}

/// A checkout of an item: a pending purchase at its price.
struct ItemSale<'a> {
    /// Where the buyer first came from (their session's landing).
    source: Option<&'a str>,
    state: &'a AppState,
    customer: Uuid,
    email: &'a str,
    item: &'a pricing::ForSale,
    priced: &'a pricing::Priced,
    title: String,
}

impl Sale for ItemSale<'_> {
    fn customer(&self) -> Uuid {
        self.customer
    }

    async fn open(&self, tx: &mut PgConnection) -> Result<Option<Open>, Error> {
        Ok(sqlx::query_as!(
            Open,
            "SELECT id, stripe_checkout_url AS url FROM purchases
             WHERE user_id = $1 AND content_id = $2 AND status = 'pending' AND amount_cents = $3
               AND offer = $4 AND discount_code_id IS NOT DISTINCT FROM $5
               AND created_at > now() - make_interval(secs => $6::bigint)
               AND (stripe_checkout_url IS NOT NULL OR created_at > now() - interval '1 minute')
             ORDER BY created_at DESC LIMIT 1",
            self.customer,
            self.item.id,
            self.priced.amount_cents,
            self.priced.offer.as_str(),
            self.priced.code.as_ref().map(|c| c.id),
            open_window_secs()
        )
        .fetch_optional(tx)
        .await?)
    }

    async fn look(&self, pool: &PgPool, id: Uuid) -> Result<Looked, Error> {
        let row = sqlx::query!(
            "SELECT status, stripe_checkout_url FROM purchases WHERE id = $1",
            id
        )
        .fetch_one(pool)
        .await?;
        Ok(match row.stripe_checkout_url {
            Some(url) => Looked::Page(url),
            None if row.status == "pending" => Looked::NotYet,
            None => Looked::None,
        })
    }

    async fn record(&self, tx: &mut PgConnection) -> Result<Uuid, Error> {
        let id = store::start_checkout(tx, self.customer, self.item.id, self.priced).await?;
        crate::analytics::traffic::remember_checkout_source(tx, id, self.source).await?;
        Ok(id)
    }

    fn request(&self, id: Uuid, automatic_tax: bool) -> SessionRequest<'_> {
        let public_url = &self.state.public_url;
        SessionRequest {
            automatic_tax,
            sells: Sells::Purchase(id),
            title: &self.title,
            amount_cents: i64::from(self.priced.amount_cents),
            customer_email: self.email,
            success_url: public_url.link("/checkout/success?session_id={CHECKOUT_SESSION_ID}"),
            cancel_url: public_url.link(&format!("/content/{}?checkout=cancelled", self.item.slug)),
        }
    }

    async fn attach(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
        session_id: &str,
        url: &str,
    ) -> Result<(), Error> {
        store::attach_session(conn, id, session_id, url).await
    }

    async fn abandon(&self, conn: &mut PgConnection, id: Uuid) -> Result<(), Error> {
        // A code's use is given back with it.
        store::fail(conn, id, "checkout_unavailable").await
    }
}
