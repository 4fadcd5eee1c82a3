//! The one HMAC-SHA256 every signature of Codex is made with: one-time link secrets and
//! outbound webhook secrets ([`LinkKey`]), playback and download tokens
//! (`media::playback_token`), and the `t=…,v1=…` webhook signatures, Stripe's checked and
//! Codex's own sent (`stripe::signature`). Part of the ground floor: it names no feature.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use uuid::Uuid;

use domain::email::TOKEN_SLOT;
use sha2::{Digest, Sha256};
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

/// The key one-time link secrets (and outbound webhook secrets) are derived with (from the
/// session secret; never logged).
#[derive(Clone)]
pub struct LinkKey(Arc<[u8]>);

impl LinkKey {
    pub fn from_secret(session_secret: &str) -> Self {
        Self(
            Sha256::digest(format!("codex-links:{session_secret}").as_bytes())
                .to_vec()
                .into(),
        )
    }

    pub(crate) fn secret_of(&self, id: Uuid) -> [u8; 32] {
        hmac_sha256(&self.0, &[b"one-time-link:", id.as_bytes()])
    }

    /// The token of the link of token `id`, as it goes in the link.
    pub fn token(&self, id: Uuid) -> String {
        format!(
            "{}.{}",
            id.simple(),
            URL_SAFE_NO_PAD.encode(self.secret_of(id))
        )
    }

    /// The id a token made by [`LinkKey::token`] names, if the token is genuine (a feed's
    /// URL; a one-time link is checked against its stored hash instead).
    pub fn verify_token(&self, token: &str) -> Option<Uuid> {
        let (id, tag) = token.trim().split_once('.')?;
        let id = Uuid::try_parse(id).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        tag_matches(&tag, &self.secret_of(id)).then_some(id)
    }

    /// A secret for `purpose` and `id` at `version`, derived, never stored (an outbound
    /// webhook endpoint's signing secret: rolling it bumps the version).
    pub fn derive(&self, purpose: &str, id: Uuid, version: i32) -> [u8; 32] {
        let version = version.to_be_bytes();
        hmac_sha256(
            &self.0,
            &[purpose.as_bytes(), b":", id.as_bytes(), &version],
        )
    }

    /// `body` with its token slot filled in.
    pub fn fill(&self, body: &str, id: Uuid) -> String {
        body.replace(TOKEN_SLOT, &self.token(id))
    }
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

    #[test]
    fn a_link_token_verifies_only_as_made() {
        let key = LinkKey::from_secret("a session secret of enough length");
        let id = Uuid::new_v4();
        let token = key.token(id);
        assert_eq!(key.verify_token(&token), Some(id));
        let other = LinkKey::from_secret("another session secret of enough length");
        assert_eq!(other.verify_token(&token), None);
        let (head, _) = token.split_once('.').unwrap();
        assert_eq!(key.verify_token(&format!("{head}.AAAA")), None);
        assert_eq!(key.verify_token("nonsense"), None);
    }
}
