//! The member's side of a membership after "Subscribe" (`payments::subscribe`), as plain
//! forms and links (they work before the page hydrates): `GET /memberships/welcome`
//! (Checkout's return: the subscription is read at once rather than waiting for its
//! webhook), `POST /memberships/portal` ("Manage membership", to Stripe's customer portal:
//! card, cancellation at period end) and `GET /memberships/return` (the portal's return,
//! reading the subscriptions again). Refusals go back to `/pricing?checkout=<reason>`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::store;
use crate::auth::session;
use crate::error::Error;
use crate::rate_limit;
use crate::state::AppState;
use domain::paths;

/// Counts one call to Stripe for `user`; false past `rate_limit::MEMBERSHIP_STRIPE`.
async fn may_call_stripe(state: &AppState, user: Uuid) -> Result<bool, Error> {
    let decision = rate_limit::hit(
        &state.pool,
        rate_limit::MEMBERSHIP_STRIPE,
        &user.to_string(),
    )
    .await?;
    Ok(decision.allowed)
}

/// Back to the pricing page, saying why (`?checkout=<reason>`).
pub fn back(reason: &str) -> Response {
    Redirect::to(&format!("{}?checkout={reason}", paths::PRICING)).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Welcome {
    pub session_id: String,
}

/// Back from a paid subscription Checkout: the membership is made to match Stripe now (the
/// webhook would do the same a moment later), then the pricing page greets the member.
pub async fn welcome(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<Welcome>,
) -> Result<Response, Error> {
    let done = Redirect::to(&format!("{}?welcome=1", paths::PRICING)).into_response();
    let Some(user) = session::current_user(&state.pool, &session).await? else {
        return Ok(done);
    };
    let mine = sqlx::query_scalar!(
        "SELECT id FROM subscriptions WHERE stripe_checkout_session_id = $1 AND user_id = $2",
        query.session_id,
        user.id
    )
    .fetch_optional(&state.pool)
    .await?;
    if mine.is_none() || !may_call_stripe(&state, user.id).await? {
        return Ok(done);
    }
    // A failure here only leaves the work to the webhook.
    let result: Result<(), Error> = async {
        match state
            .payments
            .session_subscription(&query.session_id)
            .await?
        {
            Some(subscription) => refresh(&state, &subscription).await,
            None => Ok(()),
        }
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(?error, "welcome: the membership waits for its webhook");
    }
    Ok(done)
}

/// Reads a subscription from Stripe and makes its membership match.
async fn refresh(state: &AppState, subscription: &str) -> Result<(), Error> {
    let Some(facts) = state.payments.retrieve_subscription(subscription).await? else {
        return Ok(());
    };
    let mut tx = state.pool.begin().await?;
    store::apply(&mut tx, &facts).await?;
    tx.commit().await?;
    Ok(())
}

/// The customer portal's return: the caller's current subscriptions (a few at most) are
/// read again, so a cancellation made there shows at once, then the pricing page.
pub async fn portal_return(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, Error> {
    let user = session::current_user(&state.pool, &session).await?;
    if let Some(user) = user {
        if !may_call_stripe(&state, user.id).await? {
            return Ok(Redirect::to(paths::PRICING).into_response());
        }
        let current = sqlx::query_scalar!(
            r#"SELECT stripe_subscription_id AS "id!" FROM subscriptions
               WHERE user_id = $1 AND stripe_subscription_id IS NOT NULL AND access_until > now()
               ORDER BY created_at DESC LIMIT 5"#,
            user.id
        )
        .fetch_all(&state.pool)
        .await?;
        for subscription in current {
            if let Err(error) = refresh(&state, &subscription).await {
                tracing::warn!(
                    ?error,
                    "portal return: the membership waits for its webhook"
                );
            }
        }
    }
    Ok(Redirect::to(paths::PRICING).into_response())
}

/// "Manage membership": a customer portal session for the caller's Stripe customer.
pub async fn portal(State(state): State<AppState>, session: Session) -> Result<Response, Error> {
    let Some(user) = session::current_user(&state.pool, &session).await? else {
        return Ok(Redirect::to(&paths::login_then(paths::PRICING)).into_response());
    };
    let customer = sqlx::query_scalar!(
        "SELECT stripe_customer_id FROM subscriptions
         WHERE user_id = $1 AND stripe_customer_id IS NOT NULL
         ORDER BY (access_until > now()) DESC NULLS LAST, created_at DESC LIMIT 1",
        user.id
    )
    .fetch_optional(&state.pool)
    .await?
    .flatten();
    let Some(customer) = customer else {
        return Ok(Redirect::to(paths::PRICING).into_response());
    };
    if !may_call_stripe(&state, user.id).await? {
        return Ok(back("busy"));
    }
    match state
        .payments
        .portal_session(&customer, &state.public_url.link("/memberships/return"))
        .await
    {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(_) => Ok(back("unavailable")),
    }
}
