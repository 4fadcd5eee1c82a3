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
use sqlx::{PgConnection, PgPool};
use tower_sessions::Session;
use uuid::Uuid;

use super::sync;
use crate::access;
use crate::auth::session;
use crate::error::Error;
use crate::purchases::checkout::{self, open_window_secs, Begun, Gate, Looked, Open, Sale};
use crate::purchases::gateway::{Sells, SessionRequest};
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
    let user = match checkout::customer(&state, &session, paths::PRICING).await? {
        Gate::Customer(user) => user,
        Gate::LogIn(to) => return Ok(Redirect::to(&to).into_response()),
        Gate::Refused(reason) => return Ok(back(reason)),
    };
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
    let sale = MembershipSale {
        state: &state,
        customer: user.id,
        email: &user.email,
        tier: form.tier_id,
        interval,
        amount_cents,
        title: format!(
            "{name} membership ({})",
            interval.adjective().to_lowercase()
        ),
    };
    Ok(match checkout::begin(&state, tx, &sale).await? {
        Begun::Page(url) => Redirect::to(&url).into_response(),
        Begun::Unavailable => back("unavailable"),
        Begun::Busy => back("busy"),
    })
}

/// A checkout of a membership: a subscription row waiting for Stripe's subscription.
struct MembershipSale<'a> {
    state: &'a AppState,
    customer: Uuid,
    email: &'a str,
    tier: Uuid,
    interval: Interval,
    amount_cents: i32,
    title: String,
}

impl Sale for MembershipSale<'_> {
    fn customer(&self) -> Uuid {
        self.customer
    }

    async fn open(&self, tx: &mut PgConnection) -> Result<Option<Open>, Error> {
        Ok(sqlx::query_as!(
            Open,
            "SELECT id, stripe_checkout_url AS url FROM subscriptions
             WHERE user_id = $1 AND tier_id = $2 AND billing_interval = $3 AND amount_cents = $4
               AND status = 'checkout' AND created_at > now() - make_interval(secs => $5::bigint)
               AND (stripe_checkout_url IS NOT NULL OR created_at > now() - interval '1 minute')
             ORDER BY created_at DESC LIMIT 1",
            self.customer,
            self.tier,
            self.interval.as_str(),
            self.amount_cents,
            open_window_secs()
        )
        .fetch_optional(tx)
        .await?)
    }

    async fn look(&self, pool: &PgPool, id: Uuid) -> Result<Looked, Error> {
        let row = sqlx::query_scalar!(
            "SELECT stripe_checkout_url FROM subscriptions WHERE id = $1",
            id
        )
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            Some(Some(url)) => Looked::Page(url),
            Some(None) => Looked::NotYet,
            None => Looked::None,
        })
    }

    async fn record(&self, tx: &mut PgConnection) -> Result<Uuid, Error> {
        Ok(sqlx::query_scalar!(
            "INSERT INTO subscriptions (user_id, tier_id, billing_interval, amount_cents)
             VALUES ($1, $2, $3, $4) RETURNING id",
            self.customer,
            self.tier,
            self.interval.as_str(),
            self.amount_cents
        )
        .fetch_one(tx)
        .await?)
    }

    fn request(&self, id: Uuid, automatic_tax: bool) -> SessionRequest<'_> {
        let public_url = &self.state.public_url;
        SessionRequest {
            sells: Sells::Membership {
                id,
                interval: self.interval,
            },
            title: &self.title,
            amount_cents: i64::from(self.amount_cents),
            customer_email: self.email,
            success_url: public_url.link("/memberships/welcome?session_id={CHECKOUT_SESSION_ID}"),
            cancel_url: public_url.link(&format!("{}?checkout=cancelled", paths::PRICING)),
            automatic_tax,
        }
    }

    async fn attach(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
        session_id: &str,
        url: &str,
    ) -> Result<(), Error> {
        sqlx::query!(
            "UPDATE subscriptions SET stripe_checkout_session_id = $2, stripe_checkout_url = $3
             WHERE id = $1",
            id,
            session_id,
            url
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Nothing is kept of a checkout Stripe never made.
    async fn abandon(&self, conn: &mut PgConnection, id: Uuid) -> Result<(), Error> {
        sqlx::query!(
            "DELETE FROM subscriptions WHERE id = $1 AND status = 'checkout'",
            id
        )
        .execute(conn)
        .await?;
        Ok(())
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
