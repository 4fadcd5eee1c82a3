//! Reconciliation with Stripe (`server reconcile`, and daily in the worker): Stripe's events
//! and Checkout Sessions of the last 30 days are applied through the same code as the
//! webhook (each event once, each fact idempotent), then every customer's "purchased" access
//! is checked against their purchases. What it repaired is kept per run and shown on the
//! dashboard: a platform whose sales and access agree can say so.

use time::OffsetDateTime;
use uuid::Uuid;

use super::webhook::{self, Handled};
use crate::access;
use crate::error::Error;
use crate::purchases::fulfilment::{self, Outcome};
use crate::settings::service::email_context;
use crate::state::AppState;
use crate::stripe::events::{Envelope, HANDLED_TYPES};
use crate::stripe::session::SessionFacts;
use domain::purchases::PurchaseStatus;

/// How far back Stripe keeps events, and so how far a run looks.
pub const WINDOW_DAYS: i64 = 30;
/// At most this many events and this many sessions are read per run.
const MAX_OBJECTS: usize = 50_000;
/// The daily job runs when the last run started longer ago than this.
const DAILY_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Daily,
    Command,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Command => "command",
        }
    }
}

/// What one run found and repaired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub events_checked: i32,
    pub sessions_checked: i32,
    /// Paid in Stripe, not fulfilled here (a missed `checkout.session.completed`), or a
    /// completed purchase without its access.
    pub paid_without_access: i32,
    /// "Purchased" access without a completed purchase behind it: revoked.
    pub access_without_payment: i32,
    /// Refunded in Stripe, still completed here.
    pub refunds_applied: i32,
    /// Disputes opened or closed in Stripe that had not reached the purchase.
    pub disputes_applied: i32,
}

impl Figures {
    fn count(&mut self, outcome: Outcome) {
        let Outcome::Moved { from, to } = outcome else {
            return;
        };
        match (from, to) {
            (PurchaseStatus::Pending | PurchaseStatus::Failed, PurchaseStatus::Completed) => {
                self.paid_without_access += 1
            }
            (_, PurchaseStatus::Refunded) => self.refunds_applied += 1,
            (_, PurchaseStatus::Disputed | PurchaseStatus::DisputeLost)
            | (PurchaseStatus::Disputed, PurchaseStatus::Completed) => self.disputes_applied += 1,
            _ => {}
        }
    }
}

/// One run, recorded with its figures (or its failure) in `reconciliation_runs`.
pub async fn run(state: &AppState, trigger: Trigger) -> Result<Figures, Error> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO reconciliation_runs (id, trigger) VALUES ($1, $2)",
        id,
        trigger.as_str()
    )
    .execute(&state.pool)
    .await?;
    let result = repair(state).await;
    let figures = result.as_ref().copied().unwrap_or_default();
    let error = result
        .as_ref()
        .err()
        .map(|_| "The run stopped early; see the server log.");
    sqlx::query!(
        "UPDATE reconciliation_runs
         SET finished_at = now(), events_checked = $2, sessions_checked = $3,
             paid_without_access = $4, access_without_payment = $5, refunds_applied = $6,
             disputes_applied = $7, error = $8
         WHERE id = $1",
        id,
        figures.events_checked,
        figures.sessions_checked,
        figures.paid_without_access,
        figures.access_without_payment,
        figures.refunds_applied,
        figures.disputes_applied,
        error
    )
    .execute(&state.pool)
    .await?;
    match &result {
        Ok(figures) => tracing::info!(?figures, "reconciliation with Stripe done"),
        Err(error) => tracing::error!(?error, "reconciliation with Stripe failed"),
    }
    result
}

/// The periodic job (checked hourly) of `run_if_due`.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DailyReconciliation;

impl crate::jobs::Job for DailyReconciliation {
    const KIND: &'static str = "daily_reconciliation";
    // Stripe unreachable for a while: the next hour's run tries again.
    const MAX_ATTEMPTS: i32 = 1;

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        run_if_due(state).await.map(|_| ())
    }
}

/// The daily job: a run when none started in the last day (any instance's).
pub async fn run_if_due(state: &AppState) -> Result<Option<Figures>, Error> {
    let due = sqlx::query_scalar!(
        r#"SELECT NOT EXISTS (SELECT 1 FROM reconciliation_runs
                              WHERE started_at > now() - make_interval(secs => $1::bigint)) AS "due!""#,
        DAILY_SECS
    )
    .fetch_one(&state.pool)
    .await?;
    if !due {
        return Ok(None);
    }
    run(state, Trigger::Daily).await.map(Some)
}

async fn repair(state: &AppState) -> Result<Figures, Error> {
    let mut figures = Figures::default();
    let since = OffsetDateTime::now_utc().unix_timestamp() - WINDOW_DAYS * 24 * 3600;
    let types: Vec<(&str, &str)> = HANDLED_TYPES.iter().map(|t| ("types[]", *t)).collect();
    let mut events = state
        .payments
        .list_since("/v1/events", since, &types, MAX_OBJECTS)
        .await?;
    // Stripe lists newest first; applied in the order they happened.
    events.reverse();
    for event in events {
        figures.events_checked += 1;
        let envelope: Envelope = match serde_json::from_value(event) {
            Ok(envelope) => envelope,
            Err(error) => {
                tracing::warn!(%error, "reconcile: an event does not read; skipped");
                continue;
            }
        };
        if !state.payments.same_mode(envelope.livemode) {
            continue;
        }
        if let Handled::Applied(outcome) = webhook::record_and_apply(state, &envelope).await? {
            figures.count(outcome);
        }
    }
    let sessions = state
        .payments
        .list_since("/v1/checkout/sessions", since, &[], MAX_OBJECTS)
        .await?;
    for session in sessions {
        figures.sessions_checked += 1;
        let Ok(session) = SessionFacts::from_json(session) else {
            continue;
        };
        if !session.paid {
            continue;
        }
        let emails = email_context(state).await?;
        let mut tx = state.pool.begin().await?;
        let outcome = fulfilment::complete(&mut tx, &emails, &session).await?;
        tx.commit().await?;
        figures.count(outcome);
    }
    let (granted, revoked) = align_access(&state.pool).await?;
    figures.paid_without_access += granted;
    figures.access_without_payment += revoked;
    Ok(figures)
}

/// Every customer whose "purchased" access disagrees with their completed checkouts (of the
/// item, or of a bundle sold with it; rentals have their own ground) gets it aligned; how
/// many gained it and how many lost it.
async fn align_access(pool: &sqlx::PgPool) -> Result<(i32, i32), Error> {
    let disagreeing = sqlx::query!(
        r#"SELECT p.user_id AS "user_id!", p.content_id AS "content_id!", true AS "paid!"
           FROM purchases p
           WHERE p.kind = 'checkout' AND p.offer = 'buy' AND p.status = 'completed'
             AND NOT EXISTS (SELECT 1 FROM access a
                             WHERE a.user_id = p.user_id AND a.content_id = p.content_id
                               AND a.reason = 'purchased' AND a.revoked_at IS NULL)
           UNION
           SELECT a.user_id, a.content_id, false
           FROM access a
           WHERE a.reason = 'purchased' AND a.revoked_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM purchases p
                             WHERE p.user_id = a.user_id AND p.kind = 'checkout'
                               AND p.offer = 'buy' AND p.status = 'completed'
                               AND (p.content_id = a.content_id
                                    OR EXISTS (SELECT 1 FROM purchase_items i
                                               WHERE i.purchase_id = p.id
                                                 AND i.item_id = a.content_id)))"#
    )
    .fetch_all(pool)
    .await?;
    let (mut granted, mut revoked) = (0, 0);
    for row in disagreeing {
        let mut tx = pool.begin().await?;
        access::sync_purchased(&mut tx, row.user_id, row.content_id).await?;
        tx.commit().await?;
        tracing::warn!(user = %row.user_id, content = %row.content_id, paid = row.paid, "reconcile: access aligned with purchases");
        if row.paid {
            granted += 1;
        } else {
            revoked += 1;
        }
    }
    Ok((granted, revoked))
}

/// The latest run, for the dashboard.
pub async fn latest(
    db: impl sqlx::PgExecutor<'_>,
) -> Result<Option<domain::dashboard::ReconciliationRun>, Error> {
    Ok(sqlx::query_as!(
        domain::dashboard::ReconciliationRun,
        r#"SELECT to_char(r.started_at AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI') AS "started_at!",
                  r.finished_at IS NOT NULL AS "finished!", r.error IS NOT NULL AS "failed!",
                  r.events_checked, r.sessions_checked, r.paid_without_access,
                  r.access_without_payment, r.refunds_applied, r.disputes_applied
           FROM reconciliation_runs r CROSS JOIN site_settings s
           ORDER BY r.started_at DESC LIMIT 1"#
    )
    .fetch_optional(db)
    .await?)
}
