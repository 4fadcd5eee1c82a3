//! Every write to the `purchases` table. Each runs inside the caller's transaction; the
//! callers (checkout start, fulfilment, free access, grants) lock what they need first.

use domain::access::AccessReason;
use domain::purchases::{PurchaseKind, PurchaseStatus};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::access;
use crate::error::Error;

/// A checkout about to go to Stripe, at the price read on the server.
pub async fn start_checkout(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    amount_cents: i32,
) -> Result<Uuid, Error> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO purchases (id, user_id, content_id, kind, status, amount_cents)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        user,
        content,
        PurchaseKind::Checkout.as_str(),
        PurchaseStatus::Pending.as_str(),
        amount_cents
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// The Checkout Session Stripe made for a pending purchase.
pub async fn attach_session(
    conn: &mut PgConnection,
    id: Uuid,
    session_id: &str,
    url: &str,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET stripe_session_id = $2, stripe_checkout_url = $3, updated_at = now()
         WHERE id = $1",
        id,
        session_id,
        url
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Paid: the purchase completes (access is given by the caller, `fulfilment::complete`).
pub async fn complete(
    conn: &mut PgConnection,
    id: Uuid,
    payment_intent: Option<&str>,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET status = $3, completed_at = now(), failure_reason = NULL,
                stripe_payment_intent_id = $2, updated_at = now()
         WHERE id = $1",
        id,
        payment_intent,
        PurchaseStatus::Completed.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The checkout ended without a payment (declined, expired, Stripe unreachable).
pub async fn fail(conn: &mut PgConnection, id: Uuid, reason: &str) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET status = $3, failure_reason = $2, ended_at = now(), updated_at = now()
         WHERE id = $1",
        id,
        reason,
        PurchaseStatus::Failed.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A payment that does not match the purchase: failed, but not ended, since money moved
/// and the owner has to look at it.
pub async fn flag_mismatch(conn: &mut PgConnection, id: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET status = $2, failure_reason = 'amount_mismatch', updated_at = now()
         WHERE id = $1",
        id,
        PurchaseStatus::Failed.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A completed purchase is refunded (access is taken by the caller).
pub async fn refund(
    conn: &mut PgConnection,
    id: Uuid,
    reason: &str,
    refund_id: Option<&str>,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET status = $4, refund_reason = $2, stripe_refund_id = $3,
                ended_at = now(), updated_at = now()
         WHERE id = $1",
        id,
        reason,
        refund_id,
        PurchaseStatus::Refunded.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A $0 item given without a checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complimentary {
    /// The customer took a free item.
    Free,
    /// The owner granted the item.
    Grant,
}

impl Complimentary {
    fn kind(self) -> PurchaseKind {
        match self {
            Self::Free => PurchaseKind::Free,
            Self::Grant => PurchaseKind::Grant,
        }
    }

    fn reason(self) -> AccessReason {
        match self {
            Self::Free => AccessReason::Free,
            Self::Grant => AccessReason::Granted,
        }
    }
}

/// Records a $0 completed purchase and gives access for it, in the caller's transaction
/// (which holds `access::lock` for this customer).
pub async fn record_complimentary(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    how: Complimentary,
) -> Result<(), Error> {
    sqlx::query!(
        "INSERT INTO purchases (id, user_id, content_id, kind, status, amount_cents, completed_at)
         VALUES ($1, $2, $3, $4, $5, 0, now())",
        Uuid::new_v4(),
        user,
        content,
        how.kind().as_str(),
        PurchaseStatus::Completed.as_str()
    )
    .execute(&mut *conn)
    .await?;
    access::grant(conn, user, content, how.reason()).await
}

/// Ends the owner's grant behind purchase `id` and the access it gave.
pub async fn revoke_grant(
    conn: &mut PgConnection,
    id: Uuid,
    user: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET status = $2, ended_at = now(), updated_at = now() WHERE id = $1",
        id,
        PurchaseStatus::Revoked.as_str()
    )
    .execute(&mut *conn)
    .await?;
    access::revoke(conn, user, content, AccessReason::Granted).await
}
