//! `POST /webhooks/stripe`: the raw body, its signature checked (every `v1`, the current and
//! the previous endpoint secret, 300 s tolerance), the event id recorded in the transaction
//! that handles the event, so a second delivery is acknowledged and ignored.
//!
//! Answers: 400 only when the signature is missing or wrong (429 once an address has been
//! refused too often: only refusals are counted, after the check); a correctly signed event
//! is always acknowledged (200), even one of a type or a shape Codex does not use (logged),
//! since Stripe disables an endpoint that keeps failing; 500 when the database fails or Stripe cannot be asked, so Stripe retries (the
//! cause is logged).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::client_ip::ClientIp;
use crate::email::context::EmailContext;
use crate::error::Error;
use crate::memberships::payments as membership_payments;
use crate::memberships::store as memberships;
use crate::purchases::fulfilment::{self, Outcome};
use crate::rate_limit;
use crate::settings::service::email_context;
use crate::state::AppState;
use crate::stripe::events::{Envelope, InvoiceFacts, StripeEvent};
use crate::stripe::signature;
use domain::memberships::SubscriptionStatus;

fn answer(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub async fn receive(
    State(state): State<AppState>,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let secrets = state.payments.webhook_secrets();
    // The signature is checked first: it costs less than asking the database, and a
    // correctly signed delivery is never limited. Only refusals are counted.
    if let Err(error) = signature::verify(header, &body, &secrets, now()) {
        tracing::warn!(%error, "webhook: signature refused");
        let Some(Extension(ClientIp(ip))) = client else {
            return answer(StatusCode::BAD_REQUEST, "invalid signature");
        };
        return match rate_limit::hit(&state.pool, rate_limit::WEBHOOK_REFUSED, &ip.to_string())
            .await
        {
            Ok(decision) if !decision.allowed => {
                answer(StatusCode::TOO_MANY_REQUESTS, "too many refused deliveries")
            }
            Ok(_) => answer(StatusCode::BAD_REQUEST, "invalid signature"),
            Err(error) => {
                tracing::warn!(?error, "webhook: refusal not counted");
                answer(StatusCode::BAD_REQUEST, "invalid signature")
            }
        };
    }
    let envelope: Envelope = match serde_json::from_slice(&body) {
        Ok(envelope) => envelope,
        Err(error) => {
            tracing::warn!(%error, "webhook: signed body is not an event; acknowledged");
            return answer(StatusCode::OK, "ignored: not an event");
        }
    };
    // Acknowledged, so Stripe does not keep retrying it, and logged.
    if !state.payments.same_mode(envelope.livemode) {
        tracing::warn!(
            event = %envelope.id,
            livemode = envelope.livemode,
            "webhook: event of the other Stripe mode ignored"
        );
        return answer(StatusCode::OK, "ignored: other mode");
    }
    match record_and_apply(&state, &envelope).await {
        Ok(outcome) => {
            tracing::info!(event = %envelope.id, kind = %envelope.kind, ?outcome, "webhook handled");
            answer(StatusCode::OK, "ok")
        }
        // Stripe retries on 5xx, which is what a database outage or an unreachable Stripe
        // needs; the cause goes to the log.
        Err(error) => {
            tracing::error!(event = %envelope.id, kind = %envelope.kind, error = %error.chain(), "webhook: not handled; Stripe will retry");
            answer(StatusCode::INTERNAL_SERVER_ERROR, "try again")
        }
    }
}

/// What handling an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Seen before: nothing done.
    Repeat,
    /// A type Codex does not act on, or a shape it cannot read (logged).
    Ignored,
    /// What it did to a purchase.
    Applied(Outcome),
    /// A membership now matches its subscription, which has this status.
    Membership(SubscriptionStatus),
}

/// Records the event's id and acts on it, in one transaction: the webhook and
/// reconciliation both apply events through here, so each is applied once.
///
/// A subscription's event is applied from the subscription as Stripe has it now, read before
/// the transaction: if Stripe cannot be reached the event fails (500) and is retried.
pub async fn record_and_apply(state: &AppState, envelope: &Envelope) -> Result<Handled, Error> {
    let event = match StripeEvent::read(envelope) {
        Ok(StripeEvent::Ignored) => return Ok(Handled::Ignored),
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(event = %envelope.id, %error, "webhook: event of a known type does not read; acknowledged");
            return Ok(Handled::Ignored);
        }
    };
    let subscription = match &event {
        StripeEvent::Subscription(id) => match state.payments.retrieve_subscription(id).await? {
            Some(facts) => Some(facts),
            // Not in this Stripe account (any more), or not readable (logged): nothing of
            // Codex's to change.
            None => {
                tracing::warn!(event = %envelope.id, kind = %envelope.kind, subscription = %id, "webhook: no subscription Codex can read; acknowledged");
                return Ok(Handled::Ignored);
            }
        },
        _ => None,
    };
    // Read before the transaction: on a miss of the kept settings it takes a connection.
    let emails = &email_context(state).await?;
    let mut tx = state.pool.begin().await?;
    let first = sqlx::query!(
        "INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        envelope.id,
        envelope.kind
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first {
        tx.commit().await?;
        return Ok(Handled::Repeat);
    }
    let outcome = match &event {
        StripeEvent::SessionPaid(session) => fulfilment::complete(&mut tx, emails, session).await?,
        StripeEvent::SessionEnded { session_id, reason } => {
            fulfilment::fail(&mut tx, emails, session_id, reason).await?
        }
        StripeEvent::Charge(charge) => {
            let outcome = fulfilment::charge_changed(&mut tx, emails, charge).await?;
            membership_payment(&mut tx, emails, outcome, &charge.payment_intent).await?
        }
        StripeEvent::Dispute(dispute) => {
            let outcome = fulfilment::dispute_changed(&mut tx, emails, dispute).await?;
            membership_payment(&mut tx, emails, outcome, &dispute.payment_intent).await?
        }
        StripeEvent::InvoicePayment(paid) => {
            membership_payments::link(&mut tx, paid).await?;
            membership_payments::settle_recorded(&mut tx, emails, &paid.payment_intent).await?;
            Outcome::AlreadyDone
        }
        StripeEvent::Subscription(id) => match &subscription {
            Some(facts) => {
                let status = memberships::apply(&mut tx, facts).await?;
                if let Some(invoice) = InvoiceFacts::of_paid_invoice(envelope, id) {
                    let payment = membership_payments::record_invoice(&mut tx, &invoice).await?;
                    if let Some(payment) = payment {
                        membership_payments::settle_recorded(&mut tx, emails, &payment).await?;
                    }
                }
                return finish(
                    tx,
                    status.map_or(Handled::Applied(Outcome::Unknown), Handled::Membership),
                )
                .await;
            }
            None => Outcome::Unknown,
        },
        StripeEvent::Ignored => Outcome::Unknown,
    };
    finish(tx, Handled::Applied(outcome)).await
}

async fn finish(
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    handled: Handled,
) -> Result<Handled, Error> {
    tx.commit().await?;
    Ok(handled)
}

/// A charge or dispute of no purchase may be a membership's payment: its owner is told.
async fn membership_payment(
    conn: &mut sqlx::PgConnection,
    emails: &EmailContext,
    outcome: Outcome,
    payment_intent: &str,
) -> Result<Outcome, Error> {
    if outcome == Outcome::Unknown
        && membership_payments::settle(conn, emails, payment_intent).await?
    {
        return Ok(Outcome::AlreadyDone);
    }
    Ok(outcome)
}
