//! Delivering outbound events, as jobs of the one runner (`crate::jobs`), and the owner's
//! log and Resend.
//!
//! Each delivery is a `deliver_webhook` job, queued with its row in the transaction of the
//! change it reports. A job sends its delivery once per try and marks it delivered on any
//! 2xx; anything else is tried again with a backoff of a minute, doubling (up to 8 tries,
//! over about two hours), then marked failed for the owner to resend.

use std::time::Duration as StdDuration;

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::endpoints;
use crate::auth::Owner;
use crate::error::Error;
use crate::jobs::Job;
use crate::state::AppState;
use crate::stripe::signature;
use domain::outbound::DeliveryView;

pub const MAX_ATTEMPTS: i32 = 8;
const LOG_SIZE: i64 = 100;

struct Due {
    id: Uuid,
    url: String,
    secret_version: i32,
    endpoint_id: Uuid,
    event_id: Uuid,
    event_type: String,
    payload: String,
}

/// Sending one delivery to its endpoint.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DeliverWebhook {
    pub delivery: Uuid,
}

impl Job for DeliverWebhook {
    const KIND: &'static str = "deliver_webhook";
    const MAX_ATTEMPTS: i32 = MAX_ATTEMPTS;
    const FIRST_RETRY: Option<StdDuration> = Some(StdDuration::from_secs(60));

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        // Delivered already (a run whose completion was lost), or its endpoint removed.
        let Some(delivery) = start_attempt(&state.pool, self.delivery).await? else {
            return Ok(());
        };
        let (status, error) = send(state, &delivery).await;
        let status = status.map(i32::from);
        sqlx::query!(
            "UPDATE webhook_deliveries
             SET last_status = $2, last_error = $3,
                 status = CASE WHEN $3::text IS NULL THEN 'delivered' ELSE status END,
                 delivered_at = CASE WHEN $3::text IS NULL THEN now() ELSE delivered_at END
             WHERE id = $1",
            delivery.id,
            status,
            error
        )
        .execute(&state.pool)
        .await?;
        match error {
            None => Ok(()),
            Some(error) => Err(Error::Unprocessable(error)),
        }
    }

    async fn failed(&self, state: &AppState, error: &str, retrying: bool) -> Result<(), Error> {
        tracing::warn!(delivery = %self.delivery, retrying, %error, "webhook delivery failed");
        if !retrying {
            sqlx::query!(
                "UPDATE webhook_deliveries SET status = 'failed', last_error = $2
                 WHERE id = $1 AND status = 'pending'",
                self.delivery,
                error
            )
            .execute(&state.pool)
            .await?;
        }
        Ok(())
    }
}

/// Queues the job that sends delivery `id`, in the caller's transaction.
pub async fn queue(conn: &mut PgConnection, id: Uuid) -> Result<(), Error> {
    let key = crate::jobs::unique_key::<DeliverWebhook>(id);
    let job = DeliverWebhook { delivery: id };
    crate::jobs::enqueue(conn, &job, Some(&key), StdDuration::ZERO).await?;
    Ok(())
}

/// A try at delivery `id` begins: its count goes up, and it is read to be sent.
async fn start_attempt(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Due>, Error> {
    Ok(sqlx::query_as!(
        Due,
        r#"WITH tried AS (
               UPDATE webhook_deliveries SET attempts = attempts + 1
               WHERE id = $1 AND status = 'pending'
               RETURNING id, endpoint_id, event_id, event_type, payload)
           SELECT t.id AS "id!", e.url, e.secret_version, t.endpoint_id AS "endpoint_id!",
                  t.event_id AS "event_id!", t.event_type AS "event_type!", t.payload AS "payload!"
           FROM tried t JOIN webhook_endpoints e ON e.id = t.endpoint_id"#,
        id
    )
    .fetch_optional(db)
    .await?)
}

/// POSTs `delivery`, signed: the endpoint's HTTP status, and why it failed if it did.
async fn send(state: &AppState, delivery: &Due) -> (Option<u16>, Option<String>) {
    let targets = &state.web_targets;
    let secret = endpoints::secret(
        &state.link_key,
        delivery.endpoint_id,
        delivery.secret_version,
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signed = signature::header(&secret, now, delivery.payload.as_bytes());
    // A literal address is checked here; a name by the client's resolver as it connects.
    let allowed =
        url::Url::parse(&delivery.url).is_ok_and(|url| targets.policy.allows_literal(&url));
    if !allowed {
        return (None, Some("refused: an internal address".to_string()));
    }
    let result = targets
        .client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("codex-signature", signed)
        .header("codex-event-id", delivery.event_id.to_string())
        .header("codex-event-type", &delivery.event_type)
        .body(delivery.payload.clone())
        .send()
        .await;
    // The body is never read: only the status matters.
    match result {
        Ok(response) if response.status().is_success() => (Some(response.status().as_u16()), None),
        Ok(response) => (
            Some(response.status().as_u16()),
            Some(format!("answered {}", response.status())),
        ),
        Err(error) if error.is_timeout() => (None, Some("timed out".to_string())),
        Err(error) if error.is_connect() => (None, Some("could not connect".to_string())),
        Err(_) => (None, Some("request failed".to_string())),
    }
}

/// The latest deliveries, newest first.
pub async fn log(state: &AppState, _owner: &Owner) -> Result<Vec<DeliveryView>, Error> {
    Ok(sqlx::query_as!(
        DeliveryView,
        r#"SELECT d.id, e.url, d.event_id, d.event_type, d.status, d.attempts, d.last_status,
                  d.last_error,
                  to_char(d.created_at AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI:SS') AS "created_at!"
           FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                CROSS JOIN site_settings s
           ORDER BY d.created_at DESC LIMIT $1"#,
        LOG_SIZE
    )
    .fetch_all(&state.pool)
    .await?)
}

/// Sends a delivered or failed delivery again (same event id, so the receiver can tell).
pub async fn resend(state: &AppState, _owner: &Owner, id: Uuid) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    let queued = sqlx::query!(
        "UPDATE webhook_deliveries
         SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = 'infinity'
         WHERE id = $1 AND status IN ('delivered', 'failed')",
        id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if queued == 0 {
        return Err(Error::conflict(
            "This delivery is still being sent; wait for it to finish.",
        ));
    }
    queue(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}
