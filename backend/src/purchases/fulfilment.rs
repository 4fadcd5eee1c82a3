//! What a payment, a failed or expired checkout, and a refund do to purchases and access.
//! Every function runs inside the caller's transaction and locks the purchase row first, so
//! the webhook and the success page can confirm the same session at once and the work is
//! still done exactly once.

use sqlx::PgConnection;
use uuid::Uuid;

use domain::access::AccessReason;
use domain::purchases::PurchaseStatus;

use super::gateway::SessionFacts;
use super::store;
use crate::access;
use crate::email::outbox;
use crate::email::templates::{self, PurchaseFacts};
use crate::error::Error;
use crate::settings::service::email_context;
use crate::state::PublicUrl;

/// What happened to the purchase behind a session or payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It changed now (completed, failed or refunded).
    Done,
    /// It was already in that state: nothing was written.
    AlreadyDone,
    /// No purchase of ours belongs to it (another integration on the same account).
    Unknown,
    /// The payment does not match the purchase (amount or currency): not fulfilled.
    Mismatch,
}

struct Locked {
    id: Uuid,
    user_id: Uuid,
    content_id: Uuid,
    status: PurchaseStatus,
    amount_cents: i32,
    currency: String,
    title: String,
    email: String,
    name: String,
    payment_intent: Option<String>,
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
        r#"SELECT p.id, p.user_id, p.content_id, p.status AS "status: PurchaseStatus", p.amount_cents, p.currency,
                  c.title, u.email, u.name, p.stripe_payment_intent_id AS payment_intent
           FROM purchases p JOIN content c ON c.id = p.content_id JOIN users u ON u.id = p.user_id
           WHERE p.id = $1 OR p.stripe_session_id = $2 OR p.stripe_payment_intent_id = $3
           FOR UPDATE OF p"#,
        id,
        session,
        payment
    )
    .fetch_optional(conn)
    .await?)
}

fn facts<'a>(
    purchase: &'a Locked,
    amount: &'a str,
    payment: &'a str,
    date: &'a str,
) -> PurchaseFacts<'a> {
    PurchaseFacts {
        title: &purchase.title,
        amount,
        payment_id: payment,
        date,
    }
}

/// `27 Nov 2026`, as dates appear on the site.
fn today() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[day padding:none] [month repr:short] [year]"
        ))
        .unwrap_or_default()
}

/// A paid session: the purchase completes, access is given, and the receipt and the
/// owner's sale notification go to the outbox. Anything else about the session is left.
pub async fn complete(
    conn: &mut PgConnection,
    public_url: &PublicUrl,
    session: &SessionFacts,
) -> Result<Outcome, Error> {
    if !session.paid {
        return Ok(Outcome::AlreadyDone);
    }
    let Some(purchase) = lock(conn, PurchaseKey::Session(&session.session_id)).await? else {
        tracing::warn!(session = %session.session_id, "paid session without a purchase");
        return Ok(Outcome::Unknown);
    };
    if !matches!(
        purchase.status,
        PurchaseStatus::Pending | PurchaseStatus::Failed
    ) {
        return Ok(Outcome::AlreadyDone);
    }
    let matches = session.amount_total == Some(i64::from(purchase.amount_cents))
        && session.currency.as_deref() == Some(purchase.currency.as_str())
        && session.purchase_id.is_none_or(|id| id == purchase.id);
    if !matches {
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
    }
    let payment_id = session.payment_intent.clone().unwrap_or_default();
    store::complete(conn, purchase.id, session.payment_intent.as_deref()).await?;
    access::grant(
        conn,
        purchase.user_id,
        purchase.content_id,
        AccessReason::Purchased,
    )
    .await?;

    let amount = domain::content::price_label(purchase.amount_cents);
    let date = today();
    let about = facts(&purchase, &amount, &payment_id, &date);
    let emails = email_context(&mut *conn, public_url).await?;
    let receipt_url = public_url.link(&format!("/account/purchases/{}", purchase.id));
    outbox::enqueue(
        conn,
        &emails,
        &templates::purchase_receipt(
            &emails.brand,
            &purchase.email,
            &purchase.name,
            &about,
            &receipt_url,
            &emails.receipt_text,
        ),
    )
    .await?;
    let owner = sqlx::query!("SELECT email, name FROM users WHERE role = 'owner'")
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(owner) = owner {
        outbox::enqueue(
            conn,
            &emails,
            &templates::sale_notification(
                &emails.brand,
                &owner.email,
                &owner.name,
                &purchase.email,
                &about,
                &public_url.link("/admin/purchases"),
            ),
        )
        .await?;
    }
    tracing::info!(purchase = %purchase.id, "purchase completed");
    Ok(Outcome::Done)
}

/// An expired session or a failed asynchronous payment: a pending purchase fails.
pub async fn fail(
    conn: &mut PgConnection,
    session_id: &str,
    reason: &str,
) -> Result<Outcome, Error> {
    let Some(purchase) = lock(conn, PurchaseKey::Session(session_id)).await? else {
        return Ok(Outcome::Unknown);
    };
    if purchase.status != PurchaseStatus::Pending {
        return Ok(Outcome::AlreadyDone);
    }
    store::fail(conn, purchase.id, reason).await?;
    Ok(Outcome::Done)
}

/// A completed purchase becomes refunded: access ends and the customer is told. Used by
/// the owner's refund (after Stripe accepted it) and by `charge.refunded`.
async fn mark_refunded(
    conn: &mut PgConnection,
    public_url: &PublicUrl,
    purchase: &Locked,
    reason: &str,
    refund_id: Option<&str>,
) -> Result<(), Error> {
    store::refund(conn, purchase.id, reason, refund_id).await?;
    access::revoke(
        conn,
        purchase.user_id,
        purchase.content_id,
        AccessReason::Purchased,
    )
    .await?;
    let amount = domain::content::price_label(purchase.amount_cents);
    let date = today();
    let payment = purchase.payment_intent.clone().unwrap_or_default();
    let emails = email_context(&mut *conn, public_url).await?;
    outbox::enqueue(
        conn,
        &emails,
        &templates::refund_confirmation(
            &emails.brand,
            &purchase.email,
            &purchase.name,
            &facts(purchase, &amount, &payment, &date),
            reason,
            &public_url.link("/account/purchases"),
        ),
    )
    .await?;
    tracing::info!(purchase = %purchase.id, "purchase refunded");
    Ok(())
}

/// `charge.refunded`: a full refund (from the owner's page or Stripe's dashboard) ends the
/// purchase once; a partial refund is logged and leaves access alone.
pub async fn refunded_in_stripe(
    conn: &mut PgConnection,
    public_url: &PublicUrl,
    payment_intent: &str,
    fully_refunded: bool,
) -> Result<Outcome, Error> {
    let Some(purchase) = lock(conn, PurchaseKey::Payment(payment_intent)).await? else {
        return Ok(Outcome::Unknown);
    };
    if purchase.status != PurchaseStatus::Completed {
        return Ok(Outcome::AlreadyDone);
    }
    if !fully_refunded {
        tracing::warn!(purchase = %purchase.id, "partial refund in Stripe; access kept");
        return Ok(Outcome::AlreadyDone);
    }
    mark_refunded(conn, public_url, &purchase, "Refunded in Stripe", None).await?;
    Ok(Outcome::Done)
}

/// The owner's refund: Stripe refunds the payment (once, whatever the retries), then the
/// purchase is refunded in the same transaction that holds its lock.
pub async fn refund_by_owner(
    conn: &mut PgConnection,
    public_url: &PublicUrl,
    gateway: &super::gateway::Gateway,
    purchase_id: Uuid,
    reason: &str,
) -> Result<(), Error> {
    let purchase = lock(conn, PurchaseKey::Id(purchase_id))
        .await?
        .ok_or(Error::NotFound)?;
    if purchase.status == PurchaseStatus::Refunded {
        return Err(Error::Conflict(
            "This purchase has already been refunded.".into(),
        ));
    }
    let payment = match (purchase.status, &purchase.payment_intent) {
        (PurchaseStatus::Completed, Some(payment)) if purchase.amount_cents > 0 => payment.clone(),
        _ => {
            return Err(Error::Conflict(
                "Only completed, paid purchases can be refunded.".into(),
            ))
        }
    };
    let refund_id = gateway.refund(&payment, purchase.id).await?;
    mark_refunded(conn, public_url, &purchase, reason, Some(&refund_id)).await
}
