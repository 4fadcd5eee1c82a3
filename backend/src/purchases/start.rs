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

use super::gateway::{Sells, SessionRequest};
use super::store;
use crate::access;
use crate::auth::session;
use crate::client_ip::ClientIp;
use crate::error::Error;
use crate::rate_limit;
use crate::selling::discounts::{self, Lock};
use crate::selling::pricing::{self, Asked};
use crate::state::AppState;
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
        .ok_or(Error::NotFound)?;
    drop(conn);
    let Some(user) = session::current_user(&state.pool, &session).await? else {
        let to = paths::login_then(&paths::content(&item.slug));
        return Ok(Redirect::to(&to).into_response());
    };
    if user.view().is_owner() {
        return Ok(back(&item.slug, "owner"));
    }
    if user.email_verified_at.is_none() {
        // The verification page then offers the way back here.
        session::remember_after_verify(&session, &paths::content(&item.slug)).await?;
        return Ok(back(&item.slug, "verify"));
    }
    if let Some(code) = form
        .discount_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        let client = client.map(|Extension(ClientIp(ip))| ip);
        match discounts::count_try(&state.pool, client, code).await {
            Err(Error::RateLimited) => return Ok(back_with(&item.slug, "code_tries", &form)),
            other => other?,
        }
    }
    let asked = Asked {
        offer: Offer::parse(form.offer.as_deref()),
        code: form.discount_code.as_deref(),
        your_price: form.your_price.as_deref(),
    };
    // The customer's lock (and a limited code's) is held while the checkout is decided and
    // recorded, and released before Stripe is called: "Buy now" twice at once (two tabs, a
    // double click) waits here and then takes up the same checkout page.
    let mut tx = state.pool.begin().await?;
    let owned = match asked.offer {
        // Someone renting may buy to keep; someone who may play already need not rent.
        Offer::Buy => access::lock_to_keep(&mut tx, user.id, item.id).await?,
        Offer::Rent => access::lock(&mut tx, user.id, item.id).await?,
    };
    if owned {
        return Ok(back(&item.slug, "owned"));
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
    // A checkout started earlier on the same terms and still payable is taken up again, so a
    // second click or a return from "Cancel" never makes a second payment page.
    let open = sqlx::query!(
        "SELECT id, stripe_checkout_url FROM purchases
         WHERE user_id = $1 AND content_id = $2 AND status = 'pending' AND amount_cents = $3
           AND offer = $4 AND discount_code_id IS NOT DISTINCT FROM $5
           AND created_at > now() - make_interval(secs => $6::bigint)
           -- One still without its page is being made, unless its maker died long ago.
           AND (stripe_checkout_url IS NOT NULL OR created_at > now() - interval '1 minute')
         ORDER BY created_at DESC LIMIT 1",
        user.id,
        item.id,
        priced.amount_cents,
        priced.offer.as_str(),
        priced.code.as_ref().map(|c| c.id),
        open_window_secs()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(open) = open {
        tx.commit().await?;
        let look = || async {
            let row = sqlx::query!(
                "SELECT status, stripe_checkout_url FROM purchases WHERE id = $1",
                open.id
            )
            .fetch_one(&state.pool)
            .await?;
            Ok(match row.stripe_checkout_url {
                Some(url) => Looked::Page(url),
                None if row.status == "pending" => Looked::NotYet,
                None => Looked::None,
            })
        };
        return Ok(match page_of_open(open.stripe_checkout_url, look).await? {
            Some(url) => Redirect::to(&url).into_response(),
            None => back(&item.slug, "unavailable"),
        });
    }
    if !may_start_checkout(&mut tx, user.id).await? {
        return Ok(back_with(&item.slug, "busy", &form));
    }
    let purchase_id = store::start_checkout(&mut tx, user.id, item.id, &priced).await?;
    let automatic_tax = sqlx::query_scalar!("SELECT automatic_tax FROM site_settings")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;

    let title = match priced.offer {
        Offer::Buy => item.title.clone(),
        Offer::Rent => format!("Rental: {}", item.title),
    };
    let request = SessionRequest {
        automatic_tax,
        sells: Sells::Purchase(purchase_id),
        title: &title,
        amount_cents: i64::from(priced.amount_cents),
        customer_email: &user.email,
        success_url: state
            .public_url
            .link("/checkout/success?session_id={CHECKOUT_SESSION_ID}"),
        cancel_url: state
            .public_url
            .link(&format!("/content/{}?checkout=cancelled", item.slug)),
    };
    // No transaction or lock is held while Stripe answers.
    let made = state.payments.create_session(request).await;
    let mut tx = state.pool.begin().await?;
    match made {
        Ok((session_id, url)) => {
            store::attach_session(&mut tx, purchase_id, &session_id, &url).await?;
            tx.commit().await?;
            Ok(Redirect::to(&url).into_response())
        }
        Err(_) => {
            // Failed at once: a code's use is given back with it.
            store::fail(&mut tx, purchase_id, "checkout_unavailable").await?;
            tx.commit().await?;
            Ok(back(&item.slug, "unavailable"))
        }
    }
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

/// What a look at a checkout being made found.
pub enum Looked {
    Page(String),
    NotYet,
    /// Failed, or gone: no page will come.
    None,
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
