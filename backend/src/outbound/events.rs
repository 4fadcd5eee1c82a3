//! Publishing an outbound event: one delivery row per endpoint, and the job that sends it,
//! in the caller's transaction.

use serde_json::{json, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::Error;
use domain::outbound::EventType;

/// Writes `kind` with `data` for every endpoint. Nothing is written without endpoints. The
/// change it reports is in the same transaction, so a rolled-back change sends nothing and
/// a repeated one (which changes nothing, and so publishes nothing) sends nothing twice.
pub async fn publish(conn: &mut PgConnection, kind: EventType, data: Value) -> Result<(), Error> {
    let event_id = Uuid::new_v4();
    let payload = json!({
        "id": event_id,
        "type": kind.as_str(),
        "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "data": data,
    })
    .to_string();
    // `next_attempt_at` out of reach: an old release's worker, still running during a
    // rollout, leaves the delivery to its job.
    let deliveries = sqlx::query_scalar!(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, next_attempt_at)
         SELECT gen_random_uuid(), id, $1, $2, $3, 'infinity' FROM webhook_endpoints
         RETURNING id",
        event_id,
        kind.as_str(),
        payload
    )
    .fetch_all(&mut *conn)
    .await?;
    for delivery in deliveries {
        super::delivery::queue(conn, delivery).await?;
    }
    Ok(())
}
