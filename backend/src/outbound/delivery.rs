//! The worker that POSTs due deliveries to their endpoints, and the owner's log and Resend.
//!
//! A delivery is claimed with a lease (another worker skips it until the lease ends), sent
//! once per attempt, and marked delivered on any 2xx; anything else is retried with
//! exponential backoff (1 min, 2 min, 4 min … up to 8 attempts over about four hours), then
//! marked failed for the owner to resend.

use std::time::Duration as StdDuration;

use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use super::endpoints;
use super::targets::{CheckedResolver, TargetPolicy};
use crate::auth::tokens::LinkKey;
use crate::auth::Owner;
use crate::error::{internal, Error};
use crate::purchases::signature;
use crate::state::AppState;
use domain::outbound::DeliveryView;

const BATCH: i64 = 20;
const LEASE: Duration = Duration::minutes(2);
const POLL_EVERY: StdDuration = StdDuration::from_secs(2);
/// An endpoint that takes longer than this to answer has failed this attempt.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);
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
    attempts: i32,
}

/// The pause after failed attempt `attempts` (1-based): a minute, doubling, at most 2 h.
pub fn backoff(attempts: i32) -> Duration {
    Duration::minutes(1i64 << (attempts - 1).clamp(0, 7)).min(Duration::hours(2))
}

/// The HTTP client deliveries are sent with: no redirects (a redirect could point anywhere),
/// a short timeout, and names resolved to the addresses `policy` allows only.
pub fn client(policy: TargetPolicy) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .dns_resolver(std::sync::Arc::new(CheckedResolver(policy)))
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Codex-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| internal("webhook client", e))
}

/// Sends every due delivery once; how many were delivered.
pub async fn deliver_due(
    pool: &PgPool,
    http: &reqwest::Client,
    policy: TargetPolicy,
    key: &LinkKey,
) -> Result<usize, Error> {
    let lease_until = time::OffsetDateTime::now_utc() + LEASE;
    let due = sqlx::query_as!(
        Due,
        r#"WITH claimed AS (
               UPDATE webhook_deliveries SET next_attempt_at = $2, attempts = attempts + 1
               WHERE id IN (SELECT id FROM webhook_deliveries
                            WHERE status = 'pending' AND next_attempt_at <= now()
                            ORDER BY next_attempt_at LIMIT $1
                            FOR UPDATE SKIP LOCKED)
               RETURNING id, endpoint_id, event_id, event_type, payload, attempts)
           SELECT c.id AS "id!", e.url, e.secret_version, c.endpoint_id AS "endpoint_id!",
                  c.event_id AS "event_id!", c.event_type AS "event_type!", c.payload AS "payload!",
                  c.attempts AS "attempts!"
           FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id"#,
        BATCH,
        lease_until
    )
    .fetch_all(pool)
    .await?;
    let mut delivered = 0;
    for delivery in due {
        let secret = endpoints::secret(key, delivery.endpoint_id, delivery.secret_version);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let signed = signature::header(&secret, now, delivery.payload.as_bytes());
        // A literal address is checked here; a name by the client's resolver as it connects.
        let allowed = url::Url::parse(&delivery.url).is_ok_and(|url| policy.allows_literal(&url));
        let (status, error) = if !allowed {
            (None, Some("refused: an internal address".to_string()))
        } else {
            let result = http
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
                Ok(response) if response.status().is_success() => {
                    (Some(response.status().as_u16()), None)
                }
                Ok(response) => (
                    Some(response.status().as_u16()),
                    Some(format!("answered {}", response.status())),
                ),
                Err(error) if error.is_timeout() => (None, Some("timed out".to_string())),
                Err(error) if error.is_connect() => (None, Some("could not connect".to_string())),
                Err(_) => (None, Some("request failed".to_string())),
            }
        };
        let status = status.map(i32::from);
        match error {
            None => {
                sqlx::query!(
                    "UPDATE webhook_deliveries
                     SET status = 'delivered', delivered_at = now(), last_status = $2, last_error = NULL
                     WHERE id = $1",
                    delivery.id,
                    status
                )
                .execute(pool)
                .await?;
                delivered += 1;
            }
            Some(error) => {
                tracing::warn!(delivery = %delivery.id, attempt = delivery.attempts, %error, "webhook delivery failed");
                let next = time::OffsetDateTime::now_utc() + backoff(delivery.attempts);
                sqlx::query!(
                    "UPDATE webhook_deliveries
                     SET last_status = $2, last_error = $3, next_attempt_at = $4,
                         status = CASE WHEN attempts >= $5 THEN 'failed' ELSE 'pending' END
                     WHERE id = $1",
                    delivery.id,
                    status,
                    error,
                    next,
                    MAX_ATTEMPTS
                )
                .execute(pool)
                .await?;
            }
        }
    }
    Ok(delivered)
}

/// Runs until the process stops.
pub async fn run(pool: PgPool, key: LinkKey, policy: TargetPolicy) {
    let http = match client(policy) {
        Ok(http) => http,
        Err(error) => {
            tracing::error!(?error, "outbound webhooks disabled");
            return;
        }
    };
    loop {
        match deliver_due(&pool, &http, policy, &key).await {
            Ok(n) if n > 0 => tracing::info!(delivered = n, "webhooks delivered"),
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, "webhook delivery round failed"),
        }
        tokio::time::sleep(POLL_EVERY).await;
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
    let queued = sqlx::query!(
        "UPDATE webhook_deliveries
         SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
         WHERE id = $1 AND status IN ('delivered', 'failed')",
        id
    )
    .execute(&state.pool)
    .await?
    .rows_affected();
    if queued == 0 {
        return Err(Error::Conflict(
            "This delivery is still being sent; wait for it to finish.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_growing() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(4), Duration::minutes(8));
        assert_eq!(backoff(8), Duration::hours(2));
        assert_eq!(backoff(30), Duration::hours(2));
    }
}
