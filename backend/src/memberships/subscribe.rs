//! The customer's side of a membership, as plain forms and links (they work before the page
//! hydrates): `POST /memberships/checkout` ("Subscribe", to Stripe's subscription
//! Checkout), `GET /memberships/welcome` (Checkout's return: the subscription is read at
//! once rather than waiting for its webhook) and `POST /memberships/portal` ("Manage
//! membership", to Stripe's customer portal: card, cancellation at period end) and
//! `GET /memberships/return` (the portal's return, reading the subscriptions again).
//! Refusals go back to `/pricing?checkout=<reason>`.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::sync;
use crate::access;
use crate::auth::session;
use crate::error::Error;
use crate::purchases::gateway::{Sells, SessionRequest};
use crate::purchases::start::{may_start_checkout, open_window_secs, page_of_open, Looked};
use crate::rate_limit;
use crate::state::AppState;
use domain::memberships::Interval;
use domain::paths;

#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    pub tier_id: Uuid,
    /// `month` or `year`.
    pub interval: String,
}

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

fn back(reason: &str) -> Response {
    Redirect::to(&format!("{}?checkout={reason}", paths::PRICING)).into_response()
}

pub async fn checkout(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SubscribeForm>,
) -> Result<Response, Error> {
    let Some(user) = session::current_user(&state.pool, &session).await? else {
        return Ok(Redirect::to(&paths::login_then(paths::PRICING)).into_response());
    };
    if user.view().is_owner() {
        return Ok(back("owner"));
    }
    if user.email_verified_at.is_none() {
        session::remember_after_verify(&session, paths::PRICING).await?;
        return Ok(back("verify"));
    }
    let Some(interval) = Interval::parse(&form.interval) else {
        return Ok(back("unknown"));
    };
    let tier = sqlx::query!(
        "SELECT name, monthly_price_cents, yearly_price_cents FROM membership_tiers
         WHERE id = $1 AND retired_at IS NULL",
        form.tier_id
    )
    .fetch_optional(&state.pool)
    .await?;
    let Some((name, amount_cents)) = tier.and_then(|t| {
        let price = match interval {
            Interval::Month => t.monthly_price_cents,
            Interval::Year => t.yearly_price_cents,
        };
        price.map(|cents| (t.name, cents))
    }) else {
        return Ok(back("unknown"));
    };
    // As "Buy now": the customer's lock makes two clicks at once take up one checkout, and
    // is released before Stripe is called.
    let mut tx = state.pool.begin().await?;
    access::lock_customer(&mut tx, user.id).await?;
    let member = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM subscriptions
                          WHERE user_id = $1 AND tier_id = $2 AND access_until > now()) AS "member!""#,
        user.id,
        form.tier_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if member {
        return Ok(back("member"));
    }
    let open = sqlx::query!(
        "SELECT id, stripe_checkout_url FROM subscriptions
         WHERE user_id = $1 AND tier_id = $2 AND billing_interval = $3 AND amount_cents = $4
           AND status = 'checkout' AND created_at > now() - make_interval(secs => $5::bigint)
           -- One still without its page is being made, unless its maker died long ago.
           AND (stripe_checkout_url IS NOT NULL OR created_at > now() - interval '1 minute')
         ORDER BY created_at DESC LIMIT 1",
        user.id,
        form.tier_id,
        interval.as_str(),
        amount_cents,
        open_window_secs()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(open) = open {
        tx.commit().await?;
        let look = || async {
            let row = sqlx::query_scalar!(
                "SELECT stripe_checkout_url FROM subscriptions WHERE id = $1",
                open.id
            )
            .fetch_optional(&state.pool)
            .await?;
            Ok(match row {
                Some(Some(url)) => Looked::Page(url),
                Some(None) => Looked::NotYet,
                None => Looked::None,
            })
        };
        return Ok(match page_of_open(open.stripe_checkout_url, look).await? {
            Some(url) => Redirect::to(&url).into_response(),
            None => back("unavailable"),
        });
    }
    if !may_start_checkout(&mut tx, user.id).await? {
        return Ok(back("busy"));
    }
    let membership_id = sqlx::query_scalar!(
        "INSERT INTO subscriptions (user_id, tier_id, billing_interval, amount_cents)
         VALUES ($1, $2, $3, $4) RETURNING id",
        user.id,
        form.tier_id,
        interval.as_str(),
        amount_cents
    )
    .fetch_one(&mut *tx)
    .await?;
    let automatic_tax = sqlx::query_scalar!("SELECT automatic_tax FROM site_settings")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let title = format!(
        "{name} membership ({})",
        interval.adjective().to_lowercase()
    );
    let request = SessionRequest {
        sells: Sells::Membership {
            id: membership_id,
            interval,
        },
        title: &title,
        amount_cents: i64::from(amount_cents),
        customer_email: &user.email,
        success_url: state
            .public_url
            .link("/memberships/welcome?session_id={CHECKOUT_SESSION_ID}"),
        cancel_url: state
            .public_url
            .link(&format!("{}?checkout=cancelled", paths::PRICING)),
        automatic_tax,
    };
    // No transaction or lock is held while Stripe answers.
    match state.payments.create_session(request).await {
        Ok((session_id, url)) => {
            sqlx::query!(
                "UPDATE subscriptions SET stripe_checkout_session_id = $2, stripe_checkout_url = $3
                 WHERE id = $1",
                membership_id,
                session_id,
                url
            )
            .execute(&state.pool)
            .await?;
            Ok(Redirect::to(&url).into_response())
        }
        // Nothing is kept of a checkout Stripe never made.
        Err(_) => {
            sqlx::query!(
                "DELETE FROM subscriptions WHERE id = $1 AND status = 'checkout'",
                membership_id
            )
            .execute(&state.pool)
            .await?;
            Ok(back("unavailable"))
        }
    }
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
    sync::apply(&mut tx, &facts).await?;
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
