//! `POST /webhooks/stripe`: the raw body, its signature checked (300 s tolerance), the
//! event id recorded in the transaction that handles the event, so a second delivery is
//! acknowledged and ignored.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use stripe_webhook::{EventObject, Webhook, WebhookError};

use super::fulfilment::{self, Outcome};
use super::gateway::SessionFacts;
use crate::error::Error;
use crate::state::AppState;

fn answer(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(signature) = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return answer(StatusCode::BAD_REQUEST, "missing Stripe-Signature header");
    };
    let Ok(payload) = std::str::from_utf8(&body) else {
        return answer(StatusCode::BAD_REQUEST, "body is not UTF-8");
    };
    let event = match Webhook::construct_event(payload, signature, state.payments.webhook_secret())
    {
        Ok(event) => event,
        Err(WebhookError::BadParse(reason)) => {
            tracing::warn!(%reason, "webhook: signed body does not parse");
            return answer(StatusCode::BAD_REQUEST, "malformed event");
        }
        Err(error) => {
            tracing::warn!(%error, "webhook: signature refused");
            return answer(StatusCode::BAD_REQUEST, "invalid signature");
        }
    };
    // A test event at a live endpoint (or the reverse) is a misconfiguration: it must not
    // grant anything. Acknowledged, so Stripe does not keep retrying it, and logged.
    if event.livemode == state.payments.test_mode {
        tracing::warn!(
            event = %event.id.as_str(),
            livemode = event.livemode,
            "webhook: event of the other Stripe mode ignored"
        );
        return answer(StatusCode::OK, "ignored: other mode");
    }
    match handle(&state, &event).await {
        Ok(outcome) => {
            tracing::info!(event = %event.id.as_str(), kind = %event.type_.as_str(), ?outcome, "webhook handled");
            answer(StatusCode::OK, "ok")
        }
        // Stripe retries on 5xx, which is what a database outage needs.
        Err(_) => answer(StatusCode::INTERNAL_SERVER_ERROR, "try again"),
    }
}

/// Records the event and acts on it, all in one transaction.
async fn handle(state: &AppState, event: &stripe_webhook::Event) -> Result<Option<Outcome>, Error> {
    let mut tx = state.pool.begin().await?;
    let first = sqlx::query!(
        "INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        event.id.as_str(),
        event.type_.as_str()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first {
        tx.commit().await?;
        return Ok(None);
    }
    let public_url = &state.public_url;
    let outcome = match &event.data.object {
        EventObject::CheckoutSessionCompleted(session)
        | EventObject::CheckoutSessionAsyncPaymentSucceeded(session) => {
            fulfilment::complete(&mut tx, public_url, &SessionFacts::of(session)).await?
        }
        EventObject::CheckoutSessionExpired(session) => {
            fulfilment::fail(&mut tx, session.id.as_str(), "expired").await?
        }
        EventObject::CheckoutSessionAsyncPaymentFailed(session) => {
            fulfilment::fail(&mut tx, session.id.as_str(), "payment_failed").await?
        }
        EventObject::ChargeRefunded(charge) => match &charge.payment_intent {
            Some(payment) => {
                fulfilment::refunded_in_stripe(
                    &mut tx,
                    public_url,
                    payment.id().as_str(),
                    charge.refunded,
                )
                .await?
            }
            None => Outcome::Unknown,
        },
        _ => Outcome::Unknown,
    };
    tx.commit().await?;
    Ok(Some(outcome))
}
