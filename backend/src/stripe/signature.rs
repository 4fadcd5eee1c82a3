//! The `Stripe-Signature` header, checked as Stripe documents it: `t=<unix time>` and one or
//! more `v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (Stripe sends several while an endpoint
//! secret is being rolled). Every `v1` is tried against every secret we hold, the current
//! one and `STRIPE_WEBHOOK_SECRET_PREVIOUS`, in constant time.

use crate::keys::{hmac_sha256, tag_matches};

/// How old a signature may be, as in Stripe's libraries: a replayed body is refused after.
pub const TOLERANCE_SECS: i64 = 300;
/// More `v1` entries than this is not Stripe (it sends one, two while rolling).
const MAX_SIGNATURES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the header has no timestamp or no v1 signature")]
    Malformed,
    #[error("the timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// HMAC-SHA256 of `<timestamp>.<payload>` under `secret`.
pub fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> [u8; 32] {
    let timestamp = timestamp.to_string();
    hmac_sha256(secret.as_bytes(), &[timestamp.as_bytes(), b".", payload])
}

/// `t=<timestamp>,v1=<hex>`: the header a payload is signed with (Codex's outbound events
/// use it too, so an owner's tools verify both the same way).
pub fn header(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, payload))
    )
}

/// Checks `header` for `payload` at time `now` against any of `secrets` (empty ones are
/// skipped).
pub fn verify(
    header: &str,
    payload: &[u8],
    secrets: &[&str],
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) if signatures.len() < MAX_SIGNATURES => {
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let matched = secrets
        .iter()
        .filter(|secret| !secret.is_empty())
        .map(|secret| mac(secret, timestamp, payload))
        .any(|expected| signatures.iter().any(|given| tag_matches(given, &expected)));
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1"}"#;
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn matches_stripes_own_helper() {
        let stripes = stripe_webhook::Webhook::generate_test_header(
            std::str::from_utf8(BODY).unwrap(),
            "whsec_abc",
            Some(NOW),
        );
        assert_eq!(header("whsec_abc", NOW, BODY), stripes);
        assert_eq!(verify(&stripes, BODY, &["whsec_abc"], NOW), Ok(()));
    }

    #[test]
    fn every_v1_is_tried_against_every_secret() {
        let old = header("whsec_old", NOW, BODY);
        let new = header("whsec_new", NOW, BODY);
        let new_v1 = new.split_once(',').unwrap().1;
        // Stripe signs with both secrets while one is rolled; the new one may come second.
        let both = format!("{old},{new_v1}");
        assert_eq!(verify(&both, BODY, &["whsec_new"], NOW), Ok(()));
        assert_eq!(verify(&both, BODY, &["whsec_old"], NOW), Ok(()));
        // The previous secret still verifies what only it signed.
        assert_eq!(verify(&old, BODY, &["whsec_new", "whsec_old"], NOW), Ok(()));
        assert_eq!(
            verify(&old, BODY, &["whsec_new", ""], NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn tampered_stale_and_malformed_headers_fail() {
        let good = header("whsec_abc", NOW, BODY);
        assert_eq!(
            verify(&good, b"{\"id\":\"evt_2\"}", &["whsec_abc"], NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&good, BODY, &["whsec_abc"], NOW + TOLERANCE_SECS + 1),
            Err(SignatureError::Stale)
        );
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "garbage"] {
            assert_eq!(
                verify(bad, BODY, &["whsec_abc"], NOW),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify(&format!("t={NOW},v1=zz"), BODY, &["whsec_abc"], NOW),
            Err(SignatureError::Malformed)
        );
    }
}
