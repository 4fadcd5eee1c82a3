//! The checkout server functions' work: who may call, which rows they may touch.

use uuid::Uuid;

use super::fulfilment;
use super::store::{self, Complimentary};
use crate::access;
use crate::auth::{Owner, SignedIn};
use crate::error::{Answer, Error};
use crate::query::clean_filter;
use crate::settings::service::email_context;
use crate::state::AppState;
use domain::auth::Email;
use domain::purchases::{AdminPurchase, CheckoutState, PurchaseKind, PurchaseStatus, PurchaseView};
use domain::selling::Offer;

const MAX_REASON_CHARS: usize = 500;
const ADMIN_PAGE_SIZE: i64 = 200;

/// The success page: the caller's checkout, confirmed with Stripe while it is pending
/// (through the same code as the webhook, so the two never fulfil twice).
pub async fn confirm(
    state: &AppState,
    user: &SignedIn,
    session_id: String,
) -> Result<CheckoutState, Error> {
    let find = || {
        sqlx::query_as!(
            CheckoutState,
            r#"SELECT p.id AS purchase_id, p.status AS "status: PurchaseStatus", c.title, c.slug,
                      c.is_bundle
               FROM purchases p JOIN content c ON c.id = p.content_id
               WHERE p.stripe_session_id = $1 AND p.user_id = $2"#,
            session_id,
            user.id
        )
        .fetch_optional(&state.pool)
    };
    let found = find().await?.ok_or(Error::Answer(Answer::NotFound))?;
    if found.status != PurchaseStatus::Pending {
        return Ok(found);
    }
    let facts = state.payments.retrieve_session(&session_id).await?;
    if facts.paid {
        let emails = email_context(state).await?;
        let mut tx = state.pool.begin().await?;
        fulfilment::complete(&mut tx, &emails, &facts).await?;
        tx.commit().await?;
    }
    find().await?.ok_or(Error::Answer(Answer::NotFound))
}

/// The caller's purchases, newest first.
pub async fn mine(state: &AppState, user: &SignedIn) -> Result<Vec<PurchaseView>, Error> {
    Ok(sqlx::query_as!(
        PurchaseView,
        r#"SELECT p.id, c.title, c.slug, p.amount_cents, p.tax_cents, sp.card_brand AS "card_brand?",
                  sp.card_last4 AS "card_last4?", sp.receipt_url AS "stripe_receipt_url?",
                  p.status AS "status: PurchaseStatus", p.kind AS "kind: PurchaseKind",
                  to_char(p.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS "created_on!",
                  p.stripe_payment_intent_id AS payment_id, p.refund_reason,
                  p.offer AS "offer: Offer", p.discount_code, p.list_price_cents, c.is_bundle
           FROM purchases p JOIN content c ON c.id = p.content_id
                LEFT JOIN stripe_payments sp ON sp.payment_intent_id = p.stripe_payment_intent_id
           WHERE p.user_id = $1
           ORDER BY p.created_at DESC"#,
        user.id
    )
    .fetch_all(&state.pool)
    .await?)
}

/// One purchase of the caller's (the owner may read any).
pub async fn receipt(state: &AppState, user: &SignedIn, id: Uuid) -> Result<PurchaseView, Error> {
    let is_owner = user.view().is_owner();
    sqlx::query_as!(
        PurchaseView,
        r#"SELECT p.id, c.title, c.slug, p.amount_cents, p.tax_cents, sp.card_brand AS "card_brand?",
                  sp.card_last4 AS "card_last4?", sp.receipt_url AS "stripe_receipt_url?",
                  p.status AS "status: PurchaseStatus", p.kind AS "kind: PurchaseKind",
                  to_char(p.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS "created_on!",
                  p.stripe_payment_intent_id AS payment_id, p.refund_reason,
                  p.offer AS "offer: Offer", p.discount_code, p.list_price_cents, c.is_bundle
           FROM purchases p JOIN content c ON c.id = p.content_id
                LEFT JOIN stripe_payments sp ON sp.payment_intent_id = p.stripe_payment_intent_id
           WHERE p.id = $1 AND (p.user_id = $2 OR $3)"#,
        id,
        user.id,
        is_owner
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))
}

/// What the owner's purchase list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct PurchaseFilter {
    pub status: Option<String>,
    /// Part of the customer's email, or a payment id.
    pub query: Option<String>,
    /// `YYYY-MM-DD`, inclusive, in the platform's timezone.
    pub from: Option<String>,
    pub to: Option<String>,
    /// One customer's purchases only (their detail page).
    pub customer: Option<Uuid>,
}

fn date(label: &str, value: Option<String>) -> Result<Option<time::Date>, Error> {
    clean_filter(value)
        .map(|v| {
            time::Date::parse(
                &v,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| Error::validation(format!("{label}: use a date such as 2026-11-27.")))
        })
        .transpose()
}

/// The filtered purchases, newest first, without checking the caller (the CSV route and
/// the server function check it first).
pub async fn admin_rows(
    db: &sqlx::PgPool,
    filter: PurchaseFilter,
    limit: i64,
) -> Result<Vec<AdminPurchase>, Error> {
    let status = clean_filter(filter.status)
        .and_then(|s| PurchaseStatus::parse(&s))
        .map(PurchaseStatus::as_str);
    let query = clean_filter(filter.query).map(|q| q.to_lowercase());
    let from = date("From", filter.from)?;
    let to = date("To", filter.to)?;
    Ok(sqlx::query_as!(
        AdminPurchase,
        r#"SELECT p.id, u.email AS customer_email, u.name AS customer_name, c.title,
                  p.amount_cents, p.status AS "status: PurchaseStatus", p.kind AS "kind: PurchaseKind",
                  to_char(p.created_at AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI') AS "created_at!",
                  p.stripe_payment_intent_id AS payment_id, p.refund_reason,
                  p.offer AS "offer: Offer", p.discount_code, p.list_price_cents, c.is_bundle
           FROM purchases p JOIN users u ON u.id = p.user_id JOIN content c ON c.id = p.content_id
                CROSS JOIN site_settings s
           WHERE ($1::text IS NULL OR p.status = $1)
             AND ($2::text IS NULL OR strpos(lower(u.email), $2) > 0 OR lower(p.stripe_payment_intent_id) = $2)
             AND ($3::date IS NULL OR (p.created_at AT TIME ZONE s.timezone)::date >= $3)
             AND ($4::date IS NULL OR (p.created_at AT TIME ZONE s.timezone)::date <= $4)
             AND ($6::uuid IS NULL OR p.user_id = $6)
           ORDER BY p.created_at DESC
           LIMIT $5"#,
        status,
        query,
        from,
        to,
        limit,
        filter.customer
    )
    .fetch_all(db)
    .await?)
}

/// The owner's list (the latest 200 that match; the CSV export has them all).
pub async fn admin_list(
    state: &AppState,
    _owner: &Owner,
    filter: PurchaseFilter,
) -> Result<Vec<AdminPurchase>, Error> {
    admin_rows(&state.pool, filter, ADMIN_PAGE_SIZE).await
}

pub async fn refund(
    state: &AppState,
    _owner: &Owner,
    purchase_id: Uuid,
    reason: String,
) -> Result<(), Error> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::validation(
            "Reason: say why the purchase is refunded.",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::validation(format!(
            "Reason: at most {MAX_REASON_CHARS} characters."
        )));
    }
    fulfilment::refund_by_owner(state, purchase_id, reason).await
}

/// The owner gives an item to a customer, free of charge.
pub async fn grant(
    state: &AppState,
    _owner: &Owner,
    email: String,
    content_id: Uuid,
) -> Result<(), Error> {
    let email = Email::parse(&email)?;
    let mut tx = state.pool.begin().await?;
    let customer = sqlx::query_scalar!(
        "SELECT id FROM users WHERE lower(email) = lower($1) AND role = 'customer'",
        email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Error::validation("Customer email: no customer has this address."))?;
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM content WHERE id = $1 AND deleted_at IS NULL) AS "exists!""#,
        content_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !exists {
        return Err(Error::validation("Item: choose an item to grant."));
    }
    if access::lock(&mut tx, customer, content_id).await? {
        return Err(Error::conflict(
            "This customer already has access to that item.",
        ));
    }
    store::record_complimentary(&mut tx, customer, content_id, Complimentary::Grant).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a grant: the customer loses the item (unless they bought it since).
pub async fn revoke_grant(
    state: &AppState,
    _owner: &Owner,
    purchase_id: Uuid,
) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    let grant = sqlx::query!(
        "SELECT user_id, content_id FROM purchases
         WHERE id = $1 AND kind = 'grant' AND status = 'completed' FOR UPDATE",
        purchase_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    store::revoke_grant(&mut tx, purchase_id, grant.user_id, grant.content_id).await?;
    tx.commit().await?;
    Ok(())
}

/// "Get access" on a free, published item: signed-in, verified customers only.
pub async fn get_free_access(
    state: &AppState,
    user: &SignedIn,
    content: Uuid,
) -> Result<(), Error> {
    if user.email_verified_at.is_none() {
        return Err(Error::validation(
            "Verify your email address to get this item.",
        ));
    }
    let price = sqlx::query_scalar!(
        "SELECT price_cents FROM content WHERE id = $1 AND status = 'published' AND deleted_at IS NULL",
        content
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    if price != 0 {
        return Err(Error::validation("This item is not free."));
    }
    // One purchase row per free item taken, so it shows in the customer's purchases.
    let mut tx = state.pool.begin().await?;
    if access::lock(&mut tx, user.id, content).await? {
        return Ok(());
    }
    store::record_complimentary(&mut tx, user.id, content, Complimentary::Free).await?;
    tx.commit().await?;
    Ok(())
}
