//! Every write to the `purchases` table. Each runs inside the caller's transaction; the
//! callers (checkout start, fulfilment, free access, grants) lock what they need first.

use domain::access::AccessReason;
use domain::purchases::{PurchaseKind, PurchaseStatus};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::access;
use crate::error::Error;
use crate::selling::pricing::Priced;
use domain::selling::Offer;

/// A checkout about to go to Stripe, at the price computed on the server (with its code,
/// list price and rental terms, as the customer was shown them).
pub async fn start_checkout(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    priced: &Priced,
) -> Result<Uuid, Error> {
    insert_priced(
        conn,
        user,
        content,
        PurchaseKind::Checkout,
        PurchaseStatus::Pending,
        priced,
    )
    .await
}

/// A checkout whose price came to nothing (pay what you want at $0, a code that takes it
/// all): completed at once, without Stripe, and access given for it.
pub async fn record_free_checkout(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    priced: &Priced,
) -> Result<(), Error> {
    insert_priced(
        conn,
        user,
        content,
        PurchaseKind::Free,
        PurchaseStatus::Completed,
        priced,
    )
    .await?;
    match priced.offer {
        Offer::Buy => access::sync(conn, user, content, AccessReason::Free).await,
        Offer::Rent => access::sync_purchase(conn, user, content, Offer::Rent).await,
    }
}

async fn insert_priced(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
    kind: PurchaseKind,
    status: PurchaseStatus,
    priced: &Priced,
) -> Result<Uuid, Error> {
    let id = Uuid::new_v4();
    let code = priced.code.as_ref();
    sqlx::query!(
        "INSERT INTO purchases (id, user_id, content_id, kind, status, amount_cents, offer,
                                list_price_cents, discount_code_id, discount_code,
                                rental_window_days, rental_viewing_hours, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 CASE WHEN $5 = 'completed' THEN now() END)",
        id,
        user,
        content,
        kind.as_str(),
        status.as_str(),
        priced.amount_cents,
        priced.offer.as_str(),
        priced.list_cents,
        code.map(|c| c.id),
        code.map(|c| c.code.as_str()),
        priced.rental.map(|r| r.window_days),
        priced.rental.map(|r| r.viewing_hours)
    )
    .execute(&mut *conn)
    .await?;
    access::record_bundle_items(conn, id, content).await?;
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

/// The refund reason of a refund made in Stripe's dashboard rather than by the owner here.
pub const REFUNDED_IN_STRIPE: &str = "Refunded in Stripe";

/// Paid: the fact is recorded; `fulfilment::settle` derives the status and access. A payment
/// wins over an expiry seen before it, so the failure is cleared.
pub async fn mark_paid(
    conn: &mut PgConnection,
    id: Uuid,
    payment_intent: Option<&str>,
    tax_cents: i32,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET completed_at = COALESCE(completed_at, now()), failure_reason = NULL,
                ended_at = NULL, stripe_payment_intent_id = $2, tax_cents = $3, updated_at = now()
         WHERE id = $1",
        id,
        payment_intent,
        tax_cents
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The checkout ended without a payment (declined, expired, Stripe unreachable): the first
/// reason is kept.
pub async fn record_failure(conn: &mut PgConnection, id: Uuid, reason: &str) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET failure_reason = COALESCE(failure_reason, $2), updated_at = now()
         WHERE id = $1",
        id,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A checkout that never reached Stripe: failed at once.
pub async fn fail(conn: &mut PgConnection, id: Uuid, reason: &str) -> Result<(), Error> {
    record_failure(&mut *conn, id, reason).await?;
    set_status(conn, id, PurchaseStatus::Failed).await
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

/// The owner asked Stripe to refund purchase `id`, for `reason`: kept, so that the refund's
/// own event, if it comes first, settles the purchase with the owner's reason.
pub async fn note_refund_reason(
    conn: &mut PgConnection,
    id: Uuid,
    reason: &str,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET refund_reason = $2, updated_at = now() WHERE id = $1",
        id,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Stripe did not refund purchase `id`: the reason noted for it goes, unless the purchase
/// was refunded meanwhile.
pub async fn forget_refund_reason(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET refund_reason = NULL, updated_at = now()
         WHERE id = $1 AND status = 'completed' AND stripe_refund_id IS NULL",
        id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The owner's refund went through in Stripe: its reason and Stripe's refund id.
pub async fn record_owner_refund(
    conn: &mut PgConnection,
    id: Uuid,
    reason: &str,
    refund_id: &str,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE purchases SET refund_reason = $2, stripe_refund_id = $3, updated_at = now()
         WHERE id = $1",
        id,
        reason,
        refund_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The status the facts lead to (`fulfilment::settle`). An ending status keeps when it
/// first ended; a refund made in Stripe gets its reason.
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: PurchaseStatus,
) -> Result<(), Error> {
    let ends = matches!(
        status,
        PurchaseStatus::Failed | PurchaseStatus::Refunded | PurchaseStatus::DisputeLost
    );
    let refunded = status == PurchaseStatus::Refunded;
    sqlx::query!(
        "UPDATE purchases
         SET status = $2,
             ended_at = CASE WHEN $3 THEN COALESCE(ended_at, now()) END,
             refund_reason = CASE WHEN $4 THEN COALESCE(refund_reason, $5) ELSE refund_reason END,
             updated_at = now()
         WHERE id = $1",
        id,
        status.as_str(),
        ends,
        refunded,
        REFUNDED_IN_STRIPE
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
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO purchases (id, user_id, content_id, kind, status, amount_cents, completed_at)
         VALUES ($1, $2, $3, $4, $5, 0, now())",
        id,
        user,
        content,
        how.kind().as_str(),
        PurchaseStatus::Completed.as_str()
    )
    .execute(&mut *conn)
    .await?;
    access::record_bundle_items(conn, id, content).await?;
    access::sync(conn, user, content, how.reason()).await
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
    access::sync(conn, user, content, AccessReason::Granted).await
}
