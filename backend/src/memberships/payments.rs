//! Every write to `membership_payments`: each paid invoice of a membership and the payment
//! that paid it. What Stripe says of that payment afterwards (refunds, a dispute) is kept in
//! `stripe_payments` like any payment's, whatever the order it comes in; `settle` tells the
//! owner of each change once, as soon as the payment, its invoice and the fact are all known.

use sqlx::PgConnection;

use crate::auth::Owner;
use crate::email::context::EmailContext;
use crate::email::outbox;
use crate::email::templates::{self, MembershipPaymentChange, PurchaseFacts};
use crate::error::Error;
use crate::state::AppState;
use crate::stripe::events::{InvoiceFacts, InvoicePaymentFacts};
use crate::stripe::payment_facts;
use domain::memberships::{MembershipPaymentStatus, MembershipPaymentView};
use domain::money::signed_label;
use domain::purchases::{card_label, DisputeState};

/// The owner's list shows the latest this many.
const LISTED: i64 = 200;

/// A paid invoice of a subscription; gives the payment that paid it, once known (from the
/// invoice itself, or from an `invoice_payment.paid` that came first).
pub async fn record_invoice(
    conn: &mut PgConnection,
    invoice: &InvoiceFacts,
) -> Result<Option<String>, Error> {
    let paid_at = time::OffsetDateTime::from_unix_timestamp(invoice.paid_at)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    Ok(sqlx::query_scalar!(
        "INSERT INTO membership_payments
             (invoice_id, stripe_subscription_id, payment_intent_id, amount_paid_cents,
              tax_cents, currency, paid_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (invoice_id) DO UPDATE
         SET stripe_subscription_id = EXCLUDED.stripe_subscription_id,
             payment_intent_id = COALESCE(membership_payments.payment_intent_id, EXCLUDED.payment_intent_id),
             amount_paid_cents = EXCLUDED.amount_paid_cents,
             tax_cents = EXCLUDED.tax_cents,
             currency = EXCLUDED.currency,
             paid_at = COALESCE(membership_payments.paid_at, EXCLUDED.paid_at)
         RETURNING payment_intent_id",
        invoice.invoice_id,
        invoice.subscription_id,
        invoice.payment_intent,
        invoice.amount_paid.max(0),
        invoice.tax.clamp(0, invoice.amount_paid.max(0)),
        invoice.currency,
        paid_at
    )
    .fetch_one(conn)
    .await?)
}

/// `invoice_payment.paid`: the payment intent that paid an invoice (the invoice itself may
/// come later).
pub async fn link(conn: &mut PgConnection, paid: &InvoicePaymentFacts) -> Result<(), Error> {
    sqlx::query!(
        "INSERT INTO membership_payments (invoice_id, payment_intent_id, amount_paid_cents, currency)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (invoice_id) DO UPDATE
         SET payment_intent_id = COALESCE(membership_payments.payment_intent_id, EXCLUDED.payment_intent_id),
             amount_paid_cents = COALESCE(membership_payments.amount_paid_cents, EXCLUDED.amount_paid_cents),
             currency = COALESCE(membership_payments.currency, EXCLUDED.currency)",
        paid.invoice_id,
        paid.payment_intent,
        paid.amount_paid.max(0),
        paid.currency
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Tells the owner what Stripe has said of the membership payment `payment_intent`
/// (refunded, disputed, dispute won or lost), each once. `false` when no membership payment
/// of Codex's is known by it (yet). Call it holding the payment's lock
/// (`payment_facts::lock`).
pub async fn settle(
    conn: &mut PgConnection,
    emails: &EmailContext,
    payment_intent: &str,
) -> Result<bool, Error> {
    let Some(payment) = sqlx::query!(
        r#"SELECT m.invoice_id, m.amount_paid_cents AS "amount_paid_cents!",
                  to_char(m.paid_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS "paid_on!",
                  t.name AS tier_name, u.email, sp.amount_refunded_cents, sp.fully_refunded,
                  sp.dispute_status AS "dispute: DisputeState", sp.card_brand, sp.card_last4,
                  sp.receipt_url
           FROM membership_payments m
           JOIN subscriptions s ON s.stripe_subscription_id = m.stripe_subscription_id
           JOIN membership_tiers t ON t.id = s.tier_id
           JOIN users u ON u.id = s.user_id
           JOIN stripe_payments sp ON sp.payment_intent_id = m.payment_intent_id
           WHERE m.payment_intent_id = $1 AND m.paid_at IS NOT NULL
             AND m.amount_paid_cents IS NOT NULL AND m.currency IS NOT NULL"#,
        payment_intent
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(false);
    };
    let mut changes = Vec::new();
    if payment.amount_refunded_cents > 0 {
        changes.push(("membership_refund", MembershipPaymentChange::Refunded));
    }
    if let Some(dispute) = payment.dispute {
        changes.push((
            "membership_dispute_opened",
            MembershipPaymentChange::DisputeOpened,
        ));
        match dispute {
            DisputeState::Open => {}
            DisputeState::Won => changes.push((
                "membership_dispute_closed",
                MembershipPaymentChange::DisputeWon,
            )),
            DisputeState::Lost => changes.push((
                "membership_dispute_closed",
                MembershipPaymentChange::DisputeLost,
            )),
        }
    }
    let owner = crate::auth::users::owner_contact(&mut *conn).await?;
    let (Some(owner), false) = (owner, changes.is_empty()) else {
        return Ok(true);
    };
    let title = format!("{} membership", payment.tier_name);
    let amount = signed_label(payment.amount_paid_cents);
    let method = card_label(payment.card_brand.as_deref(), payment.card_last4.as_deref());
    let about = PurchaseFacts {
        title: &title,
        amount: &amount,
        payment_id: payment_intent,
        date: &payment.paid_on,
        payment_method: method.as_deref(),
        tax: None,
        stripe_receipt_url: payment.receipt_url.as_deref(),
    };
    let purchases_url = emails.link("/admin/purchases");
    for (what, change) in changes {
        let notice = templates::OwnerNotice {
            customer: &payment.email,
            purchases_url: &purchases_url,
        };
        let email = templates::membership_payment_notification(
            emails.addressed(&owner.email, &owner.name),
            notice,
            &about,
            change,
        );
        let key = format!("{what}:{}", payment.invoice_id);
        outbox::enqueue_once(conn, emails, &email, &key).await?;
    }
    tracing::info!(invoice = %payment.invoice_id, payment = payment_intent, "membership payment settled");
    Ok(true)
}

/// After an invoice or its payment is recorded: what Stripe already said of the payment (a
/// refund or dispute that came first) reaches the owner now.
pub async fn settle_recorded(
    conn: &mut PgConnection,
    emails: &EmailContext,
    payment_intent: &str,
) -> Result<(), Error> {
    payment_facts::lock(conn, payment_intent).await?;
    settle(conn, emails, payment_intent).await?;
    Ok(())
}

/// The latest membership payments, newest first, for the owner's purchases page.
pub async fn latest(state: &AppState, _owner: &Owner) -> Result<Vec<MembershipPaymentView>, Error> {
    let rows = sqlx::query!(
        r#"SELECT u.email AS customer_email, t.name AS tier_name,
                  m.amount_paid_cents AS "amount_cents!", r.refunded_cents AS "refunded_cents!",
                  r.fully_refunded AS "fully_refunded!", r.dispute_status AS "dispute: DisputeState",
                  to_char(m.paid_at AT TIME ZONE st.timezone, 'YYYY-MM-DD HH24:MI') AS "paid_at!",
                  m.payment_intent_id AS payment_id
           FROM membership_revenue r
           JOIN membership_payments m ON m.invoice_id = r.invoice_id
           JOIN users u ON u.id = r.user_id
           JOIN membership_tiers t ON t.id = r.tier_id
           CROSS JOIN site_settings st
           ORDER BY m.paid_at DESC, m.created_at DESC
           LIMIT $1"#,
        LISTED
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| MembershipPaymentView {
            status: MembershipPaymentStatus::of(
                row.refunded_cents,
                row.fully_refunded,
                row.dispute,
            ),
            customer_email: row.customer_email,
            tier_name: row.tier_name,
            amount_cents: row.amount_cents,
            refunded_cents: row.refunded_cents,
            paid_at: row.paid_at,
            payment_id: row.payment_id,
        })
        .collect())
}
