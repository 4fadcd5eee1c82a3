//! Argon2id password hashing, run as bounded CPU work (`cpu_work::passwords`): never on
//! the async runtime, at most one hash per core at once.

use std::sync::OnceLock;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::cpu_work;
use crate::error::{internal, Error};

pub async fn hash_password(password: String) -> Result<String, Error> {
    cpu_work::passwords()
        .run(move || hash_blocking(&password))
        .await?
}

fn hash_blocking(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| internal("password hashing failed", e))
}

/// Checks a password against a stored hash. With no hash (unknown email) it still does
/// the same work against a dummy hash, so response times do not reveal which emails exist.
pub async fn verify_password(password: String, stored_hash: Option<String>) -> Result<bool, Error> {
    cpu_work::passwords()
        .run(move || {
            let known = stored_hash.is_some();
            let hash = match stored_hash {
                Some(hash) => hash,
                None => dummy_hash()?.to_string(),
            };
            let parsed = PasswordHash::new(&hash)
                .map_err(|e| internal("stored password hash is malformed", e))?;
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await?
}

fn dummy_hash() -> Result<&'static str, Error> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = hash_blocking("not-a-real-password-0")?;
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("Secret12".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("Secret12".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!verify_password("Secret13".into(), Some(hash))
            .await
            .unwrap());
        assert!(!verify_password("Secret12".into(), None).await.unwrap());
    }
}
