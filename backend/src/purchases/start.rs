//! `POST /checkout/start`: "Buy now" as a plain form, so it works before the page hydrates.
//! The price is read here and stored on a pending purchase; the customer goes on to the
//! Checkout Session made for that purchase. Refusals go back to the item page with
//! `?checkout=<reason>`.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::paths;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::gateway::SessionRequest;
use super::store;
use crate::access;
use crate::auth::session;
use crate::error::Error;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct StartForm {
    pub content_id: Uuid,
}

fn back(slug: &str, reason: &str) -> Response {
    Redirect::to(&format!("/content/{slug}?checkout={reason}")).into_response()
}

pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<StartForm>,
) -> Result<Response, Error> {
    let item = sqlx::query!(
        "SELECT id, slug, title, price_cents FROM content
         WHERE id = $1 AND status = 'published' AND deleted_at IS NULL",
        form.content_id
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::NotFound)?;
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
    if item.price_cents == 0 {
        return Ok(back(&item.slug, "free"));
    }
    // The customer's lock is held until the session is made and recorded: "Buy now" twice at
    // once (two tabs, a double click) waits here and then takes up the same checkout page,
    // rather than opening a second one that could be paid as well.
    let mut tx = state.pool.begin().await?;
    if access::lock(&mut tx, user.id, item.id).await? {
        return Ok(back(&item.slug, "owned"));
    }
    // A checkout started earlier at the same price and still open is taken up again, so a
    // second click or a return from "Cancel" never makes a second payment page.
    let open = sqlx::query_scalar!(
        "SELECT stripe_checkout_url FROM purchases
         WHERE user_id = $1 AND content_id = $2 AND status = 'pending' AND amount_cents = $3
           AND stripe_checkout_url IS NOT NULL AND created_at > now() - interval '23 hours'
         ORDER BY created_at DESC LIMIT 1",
        user.id,
        item.id,
        item.price_cents
    )
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    if let Some(url) = open {
        return Ok(Redirect::to(&url).into_response());
    }

    let purchase_id = store::start_checkout(&mut tx, user.id, item.id, item.price_cents).await?;
    let automatic_tax = sqlx::query_scalar!("SELECT automatic_tax FROM site_settings")
        .fetch_one(&mut *tx)
        .await?;
    let request = SessionRequest {
        automatic_tax,
        purchase_id,
        title: &item.title,
        amount_cents: i64::from(item.price_cents),
        customer_email: &user.email,
        success_url: state
            .public_url
            .link("/checkout/success?session_id={CHECKOUT_SESSION_ID}"),
        cancel_url: state
            .public_url
            .link(&format!("/content/{}?checkout=cancelled", item.slug)),
    };
    match state.payments.create_session(request).await {
        Ok((session_id, url)) => {
            store::attach_session(&mut tx, purchase_id, &session_id, &url).await?;
            tx.commit().await?;
            Ok(Redirect::to(&url).into_response())
        }
        Err(_) => {
            store::fail(&mut tx, purchase_id, "checkout_unavailable").await?;
            tx.commit().await?;
            Ok(back(&item.slug, "unavailable"))
        }
    }
}
