//! The one HMAC-SHA256 every signature of Codex is made with: one-time link secrets and
//! outbound webhook secrets (`auth::tokens::LinkKey`), playback and download tokens
//! (`media::playback_token`), and the `t=…,v1=…` webhook signatures, Stripe's checked and
//! Codex's own sent (`purchases::signature`). Part of the ground floor: it names no feature.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// HMAC-SHA256 under `key` of `parts`, one after the other.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Whether a tag someone gave is `expected`, compared in constant time.
pub fn tag_matches(given: &[u8], expected: &[u8; 32]) -> bool {
    bool::from(given.ct_eq(expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2.
        let tag = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(tag_matches(&tag, &tag));
        assert!(!tag_matches(&tag[..31], &tag));
        assert!(!tag_matches(&[0; 32], &tag));
    }
}
