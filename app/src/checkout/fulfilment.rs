//! What a payment, a failed or expired checkout, and a refund do to purchases and access.
//! Every function runs inside the caller's transaction and locks the purchase row first, so
//! the webhook and the success page can confirm the same session at once and the work is
//! still done exactly once.

use sqlx::PgConnection;
use uuid::Uuid;

use super::gateway::SessionFacts;
use crate::email::outbox;
use crate::email::templates::{self, EmailKind, PurchaseFacts};
use crate::error::AppError;
use crate::settings::service::{brand, email_text};
use crate::state::SiteConfig;

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
    status: String,
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

async fn lock(conn: &mut PgConnection, key: PurchaseKey<'_>) -> Result<Option<Locked>, AppError> {
    let (id, session, payment) = match key {
        PurchaseKey::Id(id) => (Some(id), None, None),
        PurchaseKey::Session(session) => (None, Some(session), None),
        PurchaseKey::Payment(payment) => (None, None, Some(payment)),
    };
    Ok(sqlx::query_as!(
        Locked,
        r#"SELECT p.id, p.user_id, p.content_id, p.status, p.amount_cents, p.currency,
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

/// Whether `user` can play `content` now, holding a lock that makes every other access
/// change for this customer wait until the caller's transaction ends. The customer's row is
/// locked rather than the access row, which does not exist before the first access: two
/// "Get access" clicks at once would otherwise both see none and both record a purchase.
pub async fn lock_access(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
) -> Result<bool, AppError> {
    sqlx::query!(
        "SELECT 1 AS locked FROM users WHERE id = $1 FOR NO KEY UPDATE",
        user
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar!(
        "SELECT revoked_at IS NULL FROM access WHERE user_id = $1 AND content_id = $2",
        user,
        content
    )
    .fetch_optional(conn)
    .await?
    .flatten()
    .unwrap_or(false))
}

/// Lets `user` play `content` (again), for `reason`: purchased, free or granted.
pub async fn give_access(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO access (user_id, content_id, reason) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, content_id) DO UPDATE
               SET revoked_at = NULL, reason = EXCLUDED.reason, granted_at = now()
               WHERE access.revoked_at IS NOT NULL"#,
        user,
        content,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends access that was given for `reason` (a refund does not take away a grant).
pub async fn take_access(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE access SET revoked_at = now()
         WHERE user_id = $1 AND content_id = $2 AND reason = $3 AND revoked_at IS NULL",
        user,
        content,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
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
    site: &SiteConfig,
    session: &SessionFacts,
) -> Result<Outcome, AppError> {
    if !session.paid {
        return Ok(Outcome::AlreadyDone);
    }
    let Some(purchase) = lock(conn, PurchaseKey::Session(&session.session_id)).await? else {
        tracing::warn!(session = %session.session_id, "paid session without a purchase");
        return Ok(Outcome::Unknown);
    };
    if purchase.status != "pending" && purchase.status != "failed" {
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
        sqlx::query!(
            "UPDATE purchases SET status = 'failed', failure_reason = 'amount_mismatch', updated_at = now()
             WHERE id = $1",
            purchase.id
        )
        .execute(&mut *conn)
        .await?;
        return Ok(Outcome::Mismatch);
    }
    let payment_id = session.payment_intent.clone().unwrap_or_default();
    sqlx::query!(
        "UPDATE purchases SET status = 'completed', completed_at = now(), failure_reason = NULL,
                stripe_payment_intent_id = $2, updated_at = now()
         WHERE id = $1",
        purchase.id,
        session.payment_intent
    )
    .execute(&mut *conn)
    .await?;
    give_access(conn, purchase.user_id, purchase.content_id, "purchased").await?;

    let amount = crate::content::admin_pages::price_label(purchase.amount_cents);
    let date = today();
    let about = facts(&purchase, &amount, &payment_id, &date);
    let brand = brand(&mut *conn, site).await?;
    let intro = email_text(&mut *conn, EmailKind::PurchaseReceipt).await?;
    let receipt_url = site.link(&format!("/account/purchases/{}", purchase.id));
    outbox::enqueue(
        conn,
        &templates::purchase_receipt(
            &brand,
            &purchase.email,
            &purchase.name,
            &about,
            &receipt_url,
            &intro,
        ),
    )
    .await?;
    let owner = sqlx::query!("SELECT email, name FROM users WHERE role = 'owner'")
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(owner) = owner {
        outbox::enqueue(
            conn,
            &templates::sale_notification(
                &brand,
                &owner.email,
                &owner.name,
                &purchase.email,
                &about,
                &site.link("/admin/purchases"),
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
) -> Result<Outcome, AppError> {
    let Some(purchase) = lock(conn, PurchaseKey::Session(session_id)).await? else {
        return Ok(Outcome::Unknown);
    };
    if purchase.status != "pending" {
        return Ok(Outcome::AlreadyDone);
    }
    sqlx::query!(
        "UPDATE purchases SET status = 'failed', failure_reason = $2, ended_at = now(), updated_at = now()
         WHERE id = $1",
        purchase.id,
        reason
    )
    .execute(conn)
    .await?;
    Ok(Outcome::Done)
}

/// A completed purchase becomes refunded: access ends and the customer is told. Used by
/// the owner's refund (after Stripe accepted it) and by `charge.refunded`.
async fn mark_refunded(
    conn: &mut PgConnection,
    site: &SiteConfig,
    purchase: &Locked,
    reason: &str,
    refund_id: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE purchases SET status = 'refunded', refund_reason = $2, stripe_refund_id = $3,
                ended_at = now(), updated_at = now()
         WHERE id = $1",
        purchase.id,
        reason,
        refund_id
    )
    .execute(&mut *conn)
    .await?;
    take_access(conn, purchase.user_id, purchase.content_id, "purchased").await?;
    let amount = crate::content::admin_pages::price_label(purchase.amount_cents);
    let date = today();
    let payment = purchase.payment_intent.clone().unwrap_or_default();
    let brand = brand(&mut *conn, site).await?;
    outbox::enqueue(
        conn,
        &templates::refund_confirmation(
            &brand,
            &purchase.email,
            &purchase.name,
            &facts(purchase, &amount, &payment, &date),
            reason,
            &site.link("/account/purchases"),
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
    site: &SiteConfig,
    payment_intent: &str,
    fully_refunded: bool,
) -> Result<Outcome, AppError> {
    let Some(purchase) = lock(conn, PurchaseKey::Payment(payment_intent)).await? else {
        return Ok(Outcome::Unknown);
    };
    if purchase.status != "completed" {
        return Ok(Outcome::AlreadyDone);
    }
    if !fully_refunded {
        tracing::warn!(purchase = %purchase.id, "partial refund in Stripe; access kept");
        return Ok(Outcome::AlreadyDone);
    }
    mark_refunded(conn, site, &purchase, "Refunded in Stripe", None).await?;
    Ok(Outcome::Done)
}

/// The owner's refund: Stripe refunds the payment (once, whatever the retries), then the
/// purchase is refunded in the same transaction that holds its lock.
pub async fn refund_by_owner(
    conn: &mut PgConnection,
    site: &SiteConfig,
    gateway: &super::gateway::Gateway,
    purchase_id: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let purchase = lock(conn, PurchaseKey::Id(purchase_id))
        .await?
        .ok_or(AppError::NotFound)?;
    if purchase.status == "refunded" {
        return Err(AppError::Conflict(
            "This purchase has already been refunded.".into(),
        ));
    }
    let payment = match (&purchase.status[..], &purchase.payment_intent) {
        ("completed", Some(payment)) if purchase.amount_cents > 0 => payment.clone(),
        _ => {
            return Err(AppError::Conflict(
                "Only completed, paid purchases can be refunded.".into(),
            ))
        }
    };
    let refund_id = gateway.refund(&payment, purchase.id).await?;
    mark_refunded(conn, site, &purchase, reason, Some(&refund_id)).await
}
