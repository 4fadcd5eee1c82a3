//! Playback tokens from anyone: any text is refused or names a user, never panics; a token
//! issued for one media item opens only that one.
#![no_main]
use backend::media::playback_token::{issue, verify};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

const SECRET: &[u8] = b"fuzzing-secret-fuzzing-secret-00";

fuzz_target!(|data: &[u8]| {
    let media = Uuid::from_u128(7);
    if let Ok(text) = std::str::from_utf8(data) {
        // Made-up tokens never verify (the fuzzer cannot forge an HMAC).
        assert_eq!(verify(SECRET, media, text), None);
    }
    if data.len() >= 16 {
        let user = Uuid::from_slice(&data[..16]).unwrap();
        let token = issue(SECRET, media, user, time::Duration::minutes(5));
        assert_eq!(verify(SECRET, media, &token), Some(user));
        assert_eq!(verify(SECRET, Uuid::from_u128(8), &token), None);
    }
});
