//! What reaches `POST /webhooks/stripe` from anyone: any header and body is refused or
//! accepted without panicking, a made-up signature never verifies, and a signed body of any
//! shape reads as an event, an unreadable one, or nothing we act on.
#![no_main]
use backend::stripe::events::{Envelope, StripeEvent};
use backend::stripe::signature::{header, verify};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "whsec_fuzzing";
const NOW: i64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (head, body) = data.split_at(split);
    if let Ok(head) = std::str::from_utf8(head) {
        assert!(verify(head, body, &[SECRET], NOW).is_err());
    }
    let signed = header(SECRET, NOW, body);
    assert!(verify(&signed, body, &[SECRET], NOW).is_ok());
    if let Ok(envelope) = serde_json::from_slice::<Envelope>(body) {
        let _ = StripeEvent::read(&envelope);
    }
});
