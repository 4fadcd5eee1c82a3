//! The suppression list: addresses no marketing email reaches again (they unsubscribed, or
//! a server refused them for good), with why. Transactional email never reads it.

use sqlx::PgExecutor;

use crate::error::Error;

/// `address` was refused for good by its mail server (SMTP 5xx): `detail` is its answer.
/// A bounce replaces an earlier reason: it is the one the owner must see.
pub async fn hard_bounce(
    db: impl PgExecutor<'_>,
    address: &str,
    detail: &str,
) -> Result<(), Error> {
    let detail: String = detail.chars().take(500).collect();
    sqlx::query!(
        r#"INSERT INTO email_suppressions (address, reason, detail) VALUES (lower($1), 'hard_bounce', $2)
           ON CONFLICT (address) DO UPDATE SET reason = 'hard_bounce', detail = $2, created_at = now()"#,
        address,
        detail
    )
    .execute(db)
    .await?;
    Ok(())
}

/// `address` asked for no more marketing email (a bounce, if one is known, stays).
pub async fn unsubscribed(db: impl PgExecutor<'_>, address: &str) -> Result<(), Error> {
    sqlx::query!(
        r#"INSERT INTO email_suppressions (address, reason) VALUES (lower($1), 'unsubscribed')
           ON CONFLICT (address) DO NOTHING"#,
        address
    )
    .execute(db)
    .await?;
    Ok(())
}

/// `address` consented again: an unsubscribe no longer holds (a bounce does).
pub async fn resubscribed(db: impl PgExecutor<'_>, address: &str) -> Result<(), Error> {
    sqlx::query!(
        "DELETE FROM email_suppressions WHERE address = lower($1) AND reason = 'unsubscribed'",
        address
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Why `address` gets no marketing email, if it does not: "unsubscribed" or "hard_bounce".
pub async fn reason(db: impl PgExecutor<'_>, address: &str) -> Result<Option<String>, Error> {
    Ok(sqlx::query_scalar!(
        "SELECT reason FROM email_suppressions WHERE address = lower($1)",
        address
    )
    .fetch_optional(db)
    .await?)
}
