//! Event delivery, signed as Stripe signs it and retried as Stripe retries it.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::Shared;

/// The `Stripe-Signature` header for `payload` sent at `timestamp`:
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<payload>")>`.
pub fn sign(payload: &str, secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Posts the event in the background until the app answers 2xx or the retries run out.
pub(crate) fn deliver(shared: &Shared, event: Value) {
    // Kept for `GET /v1/events`, as Stripe keeps events for 30 days.
    shared.store.lock().unwrap().events.push(event.clone());
    let shared = shared.clone();
    tokio::spawn(async move {
        let payload = event.to_string();
        let id = event["id"].as_str().unwrap_or_default().to_string();
        let kind = event["type"].as_str().unwrap_or_default().to_string();
        let delays = shared.config.retry_delays.clone();
        for attempt in 0..=delays.len() {
            // Each attempt is signed afresh, so its timestamp is current.
            let signature = sign(&payload, &shared.config.webhook_secret, crate::now());
            let result = shared
                .http
                .post(&shared.config.webhook_url)
                .header("content-type", "application/json")
                .header("stripe-signature", signature)
                .body(payload.clone())
                .send()
                .await;
            match result {
                Ok(response) if response.status().is_success() => {
                    tracing::info!(event = %id, %kind, attempt, "webhook delivered");
                    return;
                }
                Ok(response) => {
                    tracing::warn!(event = %id, %kind, attempt, status = %response.status(), "webhook refused")
                }
                Err(error) => tracing::warn!(event = %id, %kind, attempt, %error, "webhook failed"),
            }
            if let Some(delay) = delays.get(attempt) {
                tokio::time::sleep(*delay).await;
            }
        }
        tracing::error!(event = %id, %kind, "webhook given up after every retry");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_stripes_own_helper() {
        let payload = r#"{"id":"evt_1"}"#;
        let ours = sign(payload, "whsec_abc", 1_700_000_000);
        let stripes = stripe_webhook::Webhook::generate_test_header(
            payload,
            "whsec_abc",
            Some(1_700_000_000),
        );
        assert_eq!(ours, stripes);
    }
}
