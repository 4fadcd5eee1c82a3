//! Every write to `stripe_payments`: what Stripe has said about one payment (its charge,
//! refunds, dispute, card), kept whether or not the payment's purchase is known yet, so a
//! refund or a dispute that arrives before the payment is remembered and wins.
//!
//! `lock` comes first in every change to a payment: it orders the webhook's, the success
//! page's and the owner's work on one payment (then the purchase row is locked).

use sqlx::PgConnection;

use super::events::{ChargeFacts, DisputeFacts};
use crate::error::Error;
use domain::purchases::DisputeState;

/// The facts of one payment as they stand.
#[derive(Debug, Clone, Default)]
pub struct StripePayment {
    pub payment_intent: String,
    pub amount_refunded_cents: i64,
    pub fully_refunded: bool,
    pub dispute_id: Option<String>,
    pub dispute: Option<DisputeState>,
    pub dispute_reason: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub receipt_url: Option<String>,
}

/// Creates the payment's row if needed and locks it until the transaction ends.
pub async fn lock(conn: &mut PgConnection, payment_intent: &str) -> Result<StripePayment, Error> {
    Ok(sqlx::query_as!(
        StripePayment,
        r#"INSERT INTO stripe_payments (payment_intent_id) VALUES ($1)
           ON CONFLICT (payment_intent_id) DO UPDATE SET payment_intent_id = EXCLUDED.payment_intent_id
           RETURNING payment_intent_id AS payment_intent, amount_refunded_cents, fully_refunded, dispute_id,
                     dispute_status AS "dispute: DisputeState", dispute_reason,
                     card_brand, card_last4, receipt_url"#,
        payment_intent
    )
    .fetch_one(conn)
    .await?)
}

/// A charge as Stripe now reports it. Refunds only grow: an older event read late cannot
/// undo a refund; card details fill in once. The payment's facts after it (its row is locked).
pub async fn record_charge(
    conn: &mut PgConnection,
    charge: &ChargeFacts,
) -> Result<StripePayment, Error> {
    Ok(sqlx::query_as!(
        StripePayment,
        r#"UPDATE stripe_payments
         SET charge_id = COALESCE(charge_id, $2),
             amount_refunded_cents = GREATEST(amount_refunded_cents, $3),
             fully_refunded = fully_refunded OR $4,
             card_brand = COALESCE($5, card_brand),
             card_last4 = COALESCE($6, card_last4),
             receipt_url = COALESCE($7, receipt_url),
             updated_at = now()
         WHERE payment_intent_id = $1
         RETURNING payment_intent_id AS payment_intent, amount_refunded_cents, fully_refunded, dispute_id,
                   dispute_status AS "dispute: DisputeState", dispute_reason,
                   card_brand, card_last4, receipt_url"#,
        charge.payment_intent,
        charge.charge_id,
        charge.amount_refunded,
        charge.fully_refunded,
        charge.card_brand,
        charge.card_last4,
        charge.receipt_url
    )
    .fetch_one(conn)
    .await?)
}

/// A full refund Codex made itself (the owner's Refund), before Stripe's event says so. The
/// payment's facts after it (its row is locked).
pub async fn record_full_refund(
    conn: &mut PgConnection,
    payment_intent: &str,
    amount_cents: i64,
) -> Result<StripePayment, Error> {
    Ok(sqlx::query_as!(
        StripePayment,
        r#"UPDATE stripe_payments
         SET amount_refunded_cents = GREATEST(amount_refunded_cents, $2), fully_refunded = true,
             updated_at = now()
         WHERE payment_intent_id = $1
         RETURNING payment_intent_id AS payment_intent, amount_refunded_cents, fully_refunded, dispute_id,
                   dispute_status AS "dispute: DisputeState", dispute_reason,
                   card_brand, card_last4, receipt_url"#,
        payment_intent,
        amount_cents
    )
    .fetch_one(conn)
    .await?)
}

/// A dispute event: its state after `current` (a closed dispute stays closed). The
/// payment's facts after it (its row is locked).
pub async fn record_dispute(
    conn: &mut PgConnection,
    current: Option<DisputeState>,
    dispute: &DisputeFacts,
) -> Result<StripePayment, Error> {
    let state = DisputeState::then(current, dispute.state);
    Ok(sqlx::query_as!(
        StripePayment,
        r#"UPDATE stripe_payments
         SET dispute_id = $2, dispute_status = $3, dispute_reason = COALESCE($4, dispute_reason),
             dispute_amount_cents = $5, updated_at = now()
         WHERE payment_intent_id = $1
         RETURNING payment_intent_id AS payment_intent, amount_refunded_cents, fully_refunded, dispute_id,
                   dispute_status AS "dispute: DisputeState", dispute_reason,
                   card_brand, card_last4, receipt_url"#,
        dispute.payment_intent,
        dispute.dispute_id,
        state.as_str(),
        dispute.reason,
        dispute.amount
    )
    .fetch_one(conn)
    .await?)
}

/// The facts of a payment without locking them (receipts).
pub async fn read(
    executor: impl sqlx::PgExecutor<'_>,
    payment_intent: &str,
) -> Result<Option<StripePayment>, Error> {
    Ok(sqlx::query_as!(
        StripePayment,
        r#"SELECT payment_intent_id AS payment_intent, amount_refunded_cents, fully_refunded, dispute_id,
                  dispute_status AS "dispute: DisputeState", dispute_reason,
                  card_brand, card_last4, receipt_url
           FROM stripe_payments WHERE payment_intent_id = $1"#,
        payment_intent
    )
    .fetch_optional(executor)
    .await?)
}
