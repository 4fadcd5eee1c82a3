//! What payments, expiries, refunds and disputes do to purchases, access and emails.
//!
//! Each event only records a fact (paid, failed, refunded, disputed, won, lost) and then
//! `settle` derives the purchase's status from all the facts known
//! (`PaymentFacts::status`), makes access match it and writes the emails those facts call
//! for, each once (`outbox::enqueue_once`). So any order of events, any repetition and any
//! delay ends in the same place as the natural order.
//!
//! Locks, in this order, inside the caller's transaction: the payment's facts
//! (`payment_facts::lock`), the purchase row, the customer (`access::sync_purchased`). The
//! webhook, the success page, the owner's refund and reconciliation all go through here.

use sqlx::PgConnection;
use uuid::Uuid;

use domain::purchases::{card_label, DisputeState, PaymentFacts, PurchaseKind, PurchaseStatus};

use super::store;
use crate::access;
use crate::email::context::EmailContext;
use crate::email::outbox;
use crate::email::templates::{self, OwnerNotice, PurchaseFacts};
use crate::error::{Answer, Error};
use crate::outbound::events;
use crate::settings::service::email_context;
use crate::state::AppState;
use crate::stripe::events::{ChargeFacts, DisputeFacts};
use crate::stripe::payment_facts::{self, StripePayment};
use crate::stripe::session::SessionFacts;
use domain::outbound::EventType;
use domain::selling::Offer;

/// What an event did to the purchase behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Its status moved.
    Moved {
        from: PurchaseStatus,
        to: PurchaseStatus,
    },
    /// Its status stayed (a repeat, or a fact that changes nothing yet).
    AlreadyDone,
    /// No purchase of ours belongs to it (yet: a refund or dispute is remembered).
    Unknown,
    /// The payment does not match the purchase (amount or currency): not fulfilled.
    Mismatch,
}

struct Locked {
    id: Uuid,
    user_id: Uuid,
    content_id: Uuid,
    kind: PurchaseKind,
    status: PurchaseStatus,
    amount_cents: i32,
    tax_cents: i32,
    currency: String,
    title: String,
    email: String,
    name: String,
    payment_intent: Option<String>,
    paid: bool,
    failed: bool,
    refund_reason: Option<String>,
    offer: Offer,
    discount_code: Option<String>,
}

impl Locked {
    /// Whether this settle records the payment for the first time: paid now, and its status
    /// before was not one of a paid purchase (whatever happened since).
    fn first_paid(&self) -> bool {
        let was_paid = matches!(
            self.status,
            PurchaseStatus::Completed
                | PurchaseStatus::Refunded
                | PurchaseStatus::Disputed
                | PurchaseStatus::DisputeLost
        );
        self.paid && !was_paid
    }
}

/// The purchase to lock: by its id, its Checkout Session or its payment.
#[derive(Clone, Copy)]
enum PurchaseKey<'a> {
    Id(Uuid),
    Session(&'a str),
    Payment(&'a str),
}

async fn lock(conn: &mut PgConnection, key: PurchaseKey<'_>) -> Result<Option<Locked>, Error> {
    let (id, session, payment) = match key {
        PurchaseKey::Id(id) => (Some(id), None, None),
        PurchaseKey::Session(session) => (None, Some(session), None),
        PurchaseKey::Payment(payment) => (None, None, Some(payment)),
    };
    Ok(sqlx::query_as!(
        Locked,
        r#"SELECT p.id, p.user_id, p.content_id, p.kind AS "kind: PurchaseKind",
                  p.status AS "status: PurchaseStatus", p.amount_cents, p.tax_cents, p.currency,
                  c.title, u.email, u.name, p.stripe_payment_intent_id AS payment_intent,
                  p.completed_at IS NOT NULL AS "paid!", p.failure_reason IS NOT NULL AS "failed!",
                  p.refund_reason, p.offer AS "offer: Offer", p.discount_code
           FROM purchases p JOIN content c ON c.id = p.content_id JOIN users u ON u.id = p.user_id
           WHERE p.kind = 'checkout'
             AND (p.id = $1 OR p.stripe_session_id = $2 OR p.stripe_payment_intent_id = $3)
           FOR UPDATE OF p"#,
        id,
        session,
        payment
    )
    .fetch_optional(conn)
    .await?)
}

/// `27 Nov 2026`, as dates appear on the site.
fn today() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[day padding:none] [month repr:short] [year]"
        ))
        .unwrap_or_default()
}

/// A paid session: the purchase is paid (if the payment matches it), then settled.
pub async fn complete(
    conn: &mut PgConnection,
    emails: &EmailContext,
    session: &SessionFacts,
) -> Result<Outcome, Error> {
    if !session.paid {
        return Ok(Outcome::AlreadyDone);
    }
    let known = match &session.payment_intent {
        Some(payment) => Some(payment_facts::lock(conn, payment).await?),
        None => None,
    };
    let Some(mut purchase) = lock(conn, PurchaseKey::Session(&session.session_id)).await? else {
        tracing::warn!(session = %session.session_id, "paid session without a purchase");
        return Ok(Outcome::Unknown);
    };
    if purchase.paid {
        return settle(conn, emails, purchase, known).await;
    }
    // The price is compared before tax: Stripe Tax adds its tax on top.
    let tax = session.amount_tax.unwrap_or(0);
    let matches = session.amount_subtotal.or(session.amount_total)
        == Some(i64::from(purchase.amount_cents))
        && session.amount_total == Some(i64::from(purchase.amount_cents) + tax)
        && session.currency.as_deref() == Some(purchase.currency.as_str())
        && session.purchase_id.is_none_or(|id| id == purchase.id);
    let tax_cents = i32::try_from(tax).ok().filter(|tax| *tax >= 0);
    let (true, Some(tax_cents)) = (matches, tax_cents) else {
        tracing::error!(
            purchase = %purchase.id,
            session = %session.session_id,
            expected_cents = purchase.amount_cents,
            expected_currency = %purchase.currency,
            paid_cents = ?session.amount_total,
            paid_currency = ?session.currency,
            "payment does not match the purchase; not fulfilled"
        );
        store::flag_mismatch(conn, purchase.id).await?;
        return Ok(Outcome::Mismatch);
    };
    store::mark_paid(
        conn,
        purchase.id,
        session.payment_intent.as_deref(),
        tax_cents,
    )
    .await?;
    purchase.paid = true;
    purchase.failed = false;
    purchase.tax_cents = tax_cents;
    purchase.payment_intent = session.payment_intent.clone();
    settle(conn, emails, purchase, known).await
}

/// An expired session or a failed asynchronous payment: remembered, and the purchase fails
/// unless it is paid (a payment wins over an expiry, in either order).
pub async fn fail(
    conn: &mut PgConnection,
    emails: &EmailContext,
    session_id: &str,
    reason: &str,
) -> Result<Outcome, Error> {
    let Some(mut purchase) = lock(conn, PurchaseKey::Session(session_id)).await? else {
        return Ok(Outcome::Unknown);
    };
    if purchase.paid {
        return Ok(Outcome::AlreadyDone);
    }
    store::record_failure(conn, purchase.id, reason).await?;
    if reason == "expired" {
        crate::marketing::abandoned::checkout_expired(conn, purchase.user_id, purchase.content_id)
            .await?;
    }
    purchase.failed = true;
    settle(conn, emails, purchase, None).await
}

/// `charge.succeeded` / `charge.refunded`: the charge's card and refunds are remembered for
/// its payment; a full refund ends the purchase, now or when its payment arrives.
pub async fn charge_changed(
    conn: &mut PgConnection,
    emails: &EmailContext,
    charge: &ChargeFacts,
) -> Result<Outcome, Error> {
    payment_facts::lock(conn, &charge.payment_intent).await?;
    let known = payment_facts::record_charge(conn, charge).await?;
    if charge.amount_refunded > 0 && !charge.fully_refunded {
        tracing::warn!(payment = %charge.payment_intent, "partial refund in Stripe; access kept");
    }
    settle_payment(conn, emails, known).await
}

/// `charge.dispute.*`: an open dispute suspends access, a won one restores it, a lost one
/// ends it; the owner is told of each.
pub async fn dispute_changed(
    conn: &mut PgConnection,
    emails: &EmailContext,
    dispute: &DisputeFacts,
) -> Result<Outcome, Error> {
    let before = payment_facts::lock(conn, &dispute.payment_intent).await?;
    let known = payment_facts::record_dispute(conn, before.dispute, dispute).await?;
    settle_payment(conn, emails, known).await
}

/// Settles the purchase of a payment whose facts (`known`) were just recorded under its lock.
async fn settle_payment(
    conn: &mut PgConnection,
    emails: &EmailContext,
    known: StripePayment,
) -> Result<Outcome, Error> {
    match lock(conn, PurchaseKey::Payment(&known.payment_intent)).await? {
        Some(purchase) => settle(conn, emails, purchase, Some(known)).await,
        None => Ok(Outcome::Unknown),
    }
}

/// The owner's refund, with no lock held while Stripe answers: the purchase is checked and
/// the owner's reason noted on it (a `charge.refunded` arriving meanwhile settles it with
/// that reason), Stripe refunds the payment (once, whatever the retries: the refund's
/// idempotency key is the purchase), then the refund is recorded and settled under the
/// payment's lock. Running it again, or Stripe's own event, changes nothing more.
pub async fn refund_by_owner(
    state: &AppState,
    purchase_id: Uuid,
    reason: &str,
) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    let purchase = lock_refundable(&mut tx, purchase_id).await?;
    let Some(payment) = purchase.payment_intent.clone() else {
        return Err(Error::conflict(NOT_REFUNDABLE));
    };
    store::note_refund_reason(&mut tx, purchase.id, reason).await?;
    tx.commit().await?;

    let refund_id = match state.payments.refund(&payment, purchase.id).await {
        Ok(refund_id) => refund_id,
        Err(error) => {
            store::forget_refund_reason(&state.pool, purchase.id).await?;
            return Err(error);
        }
    };

    let emails = email_context(state).await?;
    let mut tx = state.pool.begin().await?;
    payment_facts::lock(&mut tx, &payment).await?;
    let mut purchase = lock(&mut tx, PurchaseKey::Id(purchase_id))
        .await?
        .ok_or(Error::Answer(Answer::NotFound))?;
    store::record_owner_refund(&mut tx, purchase.id, reason, &refund_id).await?;
    let known = payment_facts::record_full_refund(
        &mut tx,
        &payment,
        i64::from(purchase.amount_cents) + i64::from(purchase.tax_cents),
    )
    .await?;
    purchase.refund_reason = Some(reason.to_string());
    settle(&mut tx, &emails, purchase, Some(known)).await?;
    tx.commit().await?;
    Ok(())
}

const NOT_REFUNDABLE: &str = "Only completed, paid purchases can be refunded.";

/// The purchase, locked (after its payment's facts), if the owner may refund it.
async fn lock_refundable(conn: &mut PgConnection, purchase_id: Uuid) -> Result<Locked, Error> {
    let payment = sqlx::query_scalar!(
        "SELECT stripe_payment_intent_id FROM purchases WHERE id = $1",
        purchase_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    if let Some(payment) = &payment {
        payment_facts::lock(conn, payment).await?;
    }
    let purchase = lock(conn, PurchaseKey::Id(purchase_id))
        .await?
        .ok_or_else(|| Error::conflict(NOT_REFUNDABLE))?;
    let refusal = match purchase.status {
        PurchaseStatus::Refunded => Some("This purchase has already been refunded."),
        PurchaseStatus::Disputed | PurchaseStatus::DisputeLost => Some(
            "This payment is disputed: the bank decides. Answer the dispute in your Stripe dashboard.",
        ),
        PurchaseStatus::Completed if purchase.amount_cents > 0 => None,
        _ => Some(NOT_REFUNDABLE),
    };
    match refusal {
        Some(refusal) => Err(Error::conflict(refusal)),
        None => Ok(purchase),
    }
}

/// Derives the purchase's status from every fact known, makes access match, and writes the
/// emails the facts call for (each once). Running it again changes nothing. `known`: the
/// facts of a payment as its lock or a write under it returned them (read again otherwise).
async fn settle(
    conn: &mut PgConnection,
    emails: &EmailContext,
    purchase: Locked,
    known: Option<StripePayment>,
) -> Result<Outcome, Error> {
    let stripe = match (&purchase.payment_intent, known) {
        (Some(payment), Some(known)) if known.payment_intent == *payment => known,
        (Some(payment), _) => payment_facts::read(&mut *conn, payment)
            .await?
            .unwrap_or_default(),
        (None, _) => StripePayment::default(),
    };
    let facts = PaymentFacts {
        paid: purchase.paid,
        failed: purchase.failed,
        refunded: stripe.fully_refunded,
        dispute: stripe.dispute,
    };
    let status = facts.status();
    if status != purchase.status {
        store::set_status(conn, purchase.id, status).await?;
    }
    if purchase.kind == PurchaseKind::Checkout {
        access::sync_purchase(conn, purchase.user_id, purchase.content_id, purchase.offer).await?;
    }
    if facts.paid {
        notify(conn, emails, &purchase, status, &stripe).await?;
    }
    if purchase.first_paid() {
        crate::marketing::abandoned::paid(conn, purchase.id, purchase.user_id, purchase.content_id)
            .await?;
        let after = domain::marketing::Automation::AfterPurchase;
        crate::marketing::automations::enrol(
            conn,
            after,
            purchase.user_id,
            Some(purchase.content_id),
        )
        .await?;
    }
    announce(conn, &purchase, status, &stripe).await?;
    Ok(if status == purchase.status {
        Outcome::AlreadyDone
    } else {
        tracing::info!(purchase = %purchase.id, from = purchase.status.as_str(), to = status.as_str(), "purchase settled");
        Outcome::Moved {
            from: purchase.status,
            to: status,
        }
    })
}

/// The outbound events of a status change: a sale when the purchase is first paid, a
/// refund, a dispute opened or closed. A repeat changes nothing and announces nothing.
async fn announce(
    conn: &mut PgConnection,
    purchase: &Locked,
    status: PurchaseStatus,
    stripe: &StripePayment,
) -> Result<(), Error> {
    if status == purchase.status {
        return Ok(());
    }
    let data = |status: PurchaseStatus| {
        serde_json::json!({
            "purchase_id": purchase.id,
            "customer_email": purchase.email,
            "customer_name": purchase.name,
            "content_id": purchase.content_id,
            "title": purchase.title,
            "amount_cents": purchase.amount_cents,
            "tax_cents": purchase.tax_cents,
            "currency": purchase.currency,
            "payment_intent": purchase.payment_intent,
            "status": status.as_str(),
            "offer": purchase.offer.as_str(),
            "discount_code": purchase.discount_code,
        })
    };
    if purchase.first_paid() {
        events::publish(conn, EventType::Sale, data(status)).await?;
    }
    if status == PurchaseStatus::Refunded {
        events::publish(conn, EventType::Refund, data(status)).await?;
    }
    let dispute_moved = matches!(
        status,
        PurchaseStatus::Disputed | PurchaseStatus::DisputeLost
    ) || purchase.status == PurchaseStatus::Disputed;
    if let (true, Some(dispute)) = (dispute_moved, stripe.dispute) {
        let mut body = data(status);
        body["dispute_status"] = dispute.as_str().into();
        body["dispute_reason"] = stripe.dispute_reason.clone().into();
        events::publish(conn, EventType::Dispute, body).await?;
    }
    Ok(())
}

/// The emails a paid purchase's facts call for: receipt and sale notification (when it is
/// first paid, in the transaction that records it), refund confirmation, dispute opened and
/// closed. Each has its key, so it is written once; nothing is rendered when none is due.
async fn notify(
    conn: &mut PgConnection,
    emails: &EmailContext,
    purchase: &Locked,
    status: PurchaseStatus,
    stripe: &StripePayment,
) -> Result<(), Error> {
    let first_paid = purchase.first_paid();
    let refunded = status == PurchaseStatus::Refunded;
    if !first_paid && !refunded && stripe.dispute.is_none() {
        return Ok(());
    }
    let amount = domain::content::price_label(purchase.amount_cents);
    let tax = (purchase.tax_cents > 0).then(|| domain::content::price_label(purchase.tax_cents));
    let date = today();
    let payment_id = purchase.payment_intent.clone().unwrap_or_default();
    let method = card_label(stripe.card_brand.as_deref(), stripe.card_last4.as_deref());
    let about = PurchaseFacts {
        title: &purchase.title,
        amount: &amount,
        payment_id: &payment_id,
        date: &date,
        payment_method: method.as_deref(),
        tax: tax.as_deref(),
        stripe_receipt_url: stripe.receipt_url.as_deref(),
    };
    let key = |what: &str| format!("{what}:{}", purchase.id);
    let purchases_url = emails.link("/admin/purchases");
    let notice = OwnerNotice {
        customer: &purchase.email,
        purchases_url: &purchases_url,
    };
    let owner = if first_paid || stripe.dispute.is_some() {
        crate::auth::users::owner_contact(&mut *conn).await?
    } else {
        None
    };
    if first_paid {
        let receipt = templates::purchase_receipt(
            emails.addressed(&purchase.email, &purchase.name),
            &about,
            &emails.link(&domain::paths::receipt_link(purchase.id)),
            &emails.receipt_text,
        );
        outbox::enqueue_once(conn, emails, &receipt, &key("receipt")).await?;
        if let Some(owner) = &owner {
            let sale = templates::sale_notification(
                emails.addressed(&owner.email, &owner.name),
                notice,
                &about,
            );
            outbox::enqueue_once(conn, emails, &sale, &key("sale")).await?;
        }
    }
    if refunded {
        let reason = purchase
            .refund_reason
            .as_deref()
            .unwrap_or(store::REFUNDED_IN_STRIPE);
        let refund = templates::refund_confirmation(
            emails.addressed(&purchase.email, &purchase.name),
            &about,
            reason,
            &emails.link("/account/purchases"),
        );
        outbox::enqueue_once(conn, emails, &refund, &key("refund")).await?;
    }
    if let (Some(dispute), Some(owner)) = (stripe.dispute, &owner) {
        let tell = |outcome: Option<bool>| {
            templates::dispute_notification(
                emails.addressed(&owner.email, &owner.name),
                notice,
                &about,
                outcome,
            )
        };
        outbox::enqueue_once(conn, emails, &tell(None), &key("dispute_opened")).await?;
        let closed = match dispute {
            DisputeState::Open => None,
            DisputeState::Won => Some(true),
            DisputeState::Lost => Some(false),
        };
        if let Some(won) = closed {
            outbox::enqueue_once(conn, emails, &tell(Some(won)), &key("dispute_closed")).await?;
        }
    }
    Ok(())
}
