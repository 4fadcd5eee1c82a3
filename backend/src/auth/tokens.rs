//! Single-use tokens sent by email (verify email, reset password).
//!
//! A token is `<id>.<secret>`: the id finds the row, and only the SHA-256 of the secret is
//! stored, compared in constant time. Consuming a token locks its row, so two concurrent
//! uses cannot both succeed.
//!
//! The secret is derived from the id with a key from the environment ([`LinkKey`]), so the
//! email in the outbox holds only [`TOKEN_SLOT`] and the id, and the delivery worker fills
//! the link in as it sends: neither the database alone nor the owner's outbox page can
//! open anyone's account.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::error::{Answer, Error};
use crate::keys::LinkKey;

pub use domain::email::TOKEN_SLOT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }

    pub fn lifetime(self) -> Duration {
        match self {
            Self::VerifyEmail => Duration::hours(24),
            Self::ResetPassword => Duration::hours(1),
        }
    }
}

pub struct ConsumedToken {
    pub user_id: Uuid,
    pub email: Option<String>,
}

fn secret_hash(secret: &[u8]) -> Vec<u8> {
    Sha256::digest(secret).to_vec()
}

/// A token to issue: a verification always names the address it verifies.
#[derive(Debug, Clone, Copy)]
pub enum NewToken<'a> {
    VerifyEmail(&'a str),
    ResetPassword,
}

/// Creates a token and returns its id: the link carries [`TOKEN_SLOT`] and the delivery
/// worker fills in `LinkKey::token(id)`. Earlier unused tokens of the same purpose stop
/// working, so only the latest link is valid.
pub async fn issue(
    conn: &mut PgConnection,
    key: &LinkKey,
    user_id: Uuid,
    token: NewToken<'_>,
) -> Result<Uuid, Error> {
    let (purpose, email) = match token {
        NewToken::VerifyEmail(email) => (TokenPurpose::VerifyEmail, Some(email)),
        NewToken::ResetPassword => (TokenPurpose::ResetPassword, None),
    };
    let id = Uuid::new_v4();
    let expires_at = OffsetDateTime::now_utc() + purpose.lifetime();

    sqlx::query!(
        "UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose.as_str()
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO user_tokens (id, user_id, purpose, secret_hash, email, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        id,
        user_id,
        purpose.as_str(),
        secret_hash(&key.secret_of(id)),
        email,
        expires_at
    )
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Whether a token would be accepted now, without using it up: lets a caller refuse a
/// made-up token before doing expensive work (hashing a new password) for it.
pub async fn check(
    conn: &mut PgConnection,
    raw: &str,
    purpose: TokenPurpose,
) -> Result<ConsumedToken, Error> {
    let (id, secret) = parse(raw).ok_or(Error::Answer(Answer::InvalidToken))?;
    let row = sqlx::query_as!(
        TokenRow,
        r#"SELECT user_id, secret_hash, email, expires_at, used_at
           FROM user_tokens WHERE id = $1 AND purpose = $2"#,
        id,
        purpose.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or(Error::Answer(Answer::InvalidToken))?
        .accept(&secret)
}

/// Uses a token up. Unknown, malformed, expired, used or wrong-purpose tokens all give
/// the same `InvalidToken`.
pub async fn consume(
    conn: &mut PgConnection,
    raw: &str,
    purpose: TokenPurpose,
) -> Result<ConsumedToken, Error> {
    let (id, secret) = parse(raw).ok_or(Error::Answer(Answer::InvalidToken))?;
    let row = sqlx::query_as!(
        TokenRow,
        r#"SELECT user_id, secret_hash, email, expires_at, used_at
           FROM user_tokens WHERE id = $1 AND purpose = $2 FOR UPDATE"#,
        id,
        purpose.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let consumed = row
        .ok_or(Error::Answer(Answer::InvalidToken))?
        .accept(&secret)?;
    sqlx::query!("UPDATE user_tokens SET used_at = now() WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    Ok(consumed)
}

/// Ends every unused token of a user: a new password or email address makes the links
/// sent before it worthless.
pub async fn revoke_all(conn: &mut PgConnection, user_id: Uuid) -> Result<u64, Error> {
    let result = sqlx::query!(
        "UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}

struct TokenRow {
    user_id: Uuid,
    secret_hash: Vec<u8>,
    email: Option<String>,
    expires_at: OffsetDateTime,
    used_at: Option<OffsetDateTime>,
}

impl TokenRow {
    fn accept(self, secret: &[u8]) -> Result<ConsumedToken, Error> {
        let secret_matches: bool = secret_hash(secret).ct_eq(&self.secret_hash).into();
        if !secret_matches || self.used_at.is_some() || self.expires_at <= OffsetDateTime::now_utc()
        {
            return Err(Error::Answer(Answer::InvalidToken));
        }
        Ok(ConsumedToken {
            user_id: self.user_id,
            email: self.email,
        })
    }
}

fn parse(raw: &str) -> Option<(Uuid, Vec<u8>)> {
    let (id, secret) = raw.trim().split_once('.')?;
    let id = Uuid::try_parse(id).ok()?;
    let secret = URL_SAFE_NO_PAD.decode(secret).ok()?;
    (secret.len() == 32).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_come_from_the_key_and_the_id() {
        let key = LinkKey::from_secret(&"k".repeat(64));
        let id = Uuid::new_v4();
        let token = key.token(id);
        let (parsed_id, secret) = parse(&token).expect("a well-formed token");
        assert_eq!(parsed_id, id);
        assert_eq!(secret, key.secret_of(id).to_vec());
        assert_eq!(token, key.token(id), "the same every time");
        assert_ne!(token, key.token(Uuid::new_v4()));
        let other = LinkKey::from_secret(&"o".repeat(64));
        assert_ne!(token, other.token(id), "another key, another secret");
        let body = format!("Open https://x/reset-password?token={TOKEN_SLOT} now");
        assert_eq!(
            key.fill(&body, id),
            format!("Open https://x/reset-password?token={token} now")
        );
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        for bad in [
            "",
            "abc",
            "not-a-uuid.secret",
            "00000000000000000000000000000000.short",
            "'; DROP TABLE users; --",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
        let good = format!(
            "{}.{}",
            Uuid::new_v4().simple(),
            URL_SAFE_NO_PAD.encode([7u8; 32])
        );
        assert!(parse(&good).is_some());
    }
}
