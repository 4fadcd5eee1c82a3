//! `POST /memberships/checkout`: "Subscribe", as a plain form (it works before the page
//! hydrates), through the one checkout gate to Stripe's subscription Checkout. Refusals go
//! back to `/pricing?checkout=<reason>`.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use tower_sessions::Session;
use uuid::Uuid;

use super::checkout::{self, open_window_secs, Begun, Gate, Looked, Open, Sale};
use crate::access;
use crate::error::Error;
use crate::memberships::portal::back;
use crate::memberships::store::{self, Plan};
use crate::state::AppState;
use crate::stripe::gateway::{Sells, SessionRequest};
use domain::memberships::Interval;
use domain::paths;

#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    pub tier_id: Uuid,
    /// `month` or `year`.
    pub interval: String,
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
        plan: Plan {
            tier: form.tier_id,
            interval,
            amount_cents,
        },
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
    plan: Plan,
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
            self.plan.tier,
            self.plan.interval.as_str(),
            self.plan.amount_cents,
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
        store::start_checkout(tx, self.customer, &self.plan).await
    }

    fn request(&self, id: Uuid, automatic_tax: bool) -> SessionRequest<'_> {
        let public_url = &self.state.public_url;
        SessionRequest {
            sells: Sells::Membership {
                id,
                interval: self.plan.interval,
            },
            title: &self.title,
            amount_cents: i64::from(self.plan.amount_cents),
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
        store::attach_session(conn, id, session_id, url).await
    }

    async fn abandon(&self, conn: &mut PgConnection, id: Uuid) -> Result<(), Error> {
        store::abandon_checkout(conn, id).await
    }
}
