//! What each person agreed to receive. Consent is given only by ticking a box (never
//! pre-ticked), changed on the preferences page (signed link or signed in), withdrawn by
//! any unsubscribe link. Withdrawing puts the address on the suppression list; consenting
//! again takes an unsubscribe (not a bounce) off it.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::auth::Owner;
use crate::email::suppression;
use crate::error::{Answer, Error};
use domain::marketing::{Preferences, SendLogEntry};

/// `user` ticked "Send me news and new releases" (registering, or on the way to checkout).
pub async fn opt_in(conn: &mut PgConnection, user: Uuid) -> Result<(), Error> {
    set(conn, user, true, true).await
}

/// Sets `user`'s categories; any yes is a new consent, recorded with its time.
pub async fn set(
    conn: &mut PgConnection,
    user: Uuid,
    news: bool,
    releases: bool,
) -> Result<(), Error> {
    let address = sqlx::query_scalar!(
        r#"UPDATE users SET news_emails = $2, release_emails = $3,
                  marketing_consented_at = CASE WHEN $2 OR $3 THEN now() ELSE marketing_consented_at END
           WHERE id = $1 RETURNING email"#,
        user,
        news,
        releases
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    if news || releases {
        suppression::resubscribed(&mut *conn, &address).await?;
    } else {
        suppression::unsubscribed(&mut *conn, &address).await?;
    }
    Ok(())
}

/// `user`'s choices as the preferences page shows them.
pub async fn preferences(pool: &PgPool, user: Uuid) -> Result<Preferences, Error> {
    let row = sqlx::query!(
        r#"SELECT u.email, u.news_emails, u.release_emails, s.reason AS "reason?"
           FROM users u LEFT JOIN email_suppressions s ON s.address = lower(u.email)
           WHERE u.id = $1"#,
        user
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    Ok(Preferences {
        address: row.email,
        news: row.news_emails,
        releases: row.release_emails,
        suppressed: row.reason.map(|reason| match reason.as_str() {
            "hard_bounce" => {
                "Your mail server refused our emails, so we stopped sending them.".to_string()
            }
            _ => "You unsubscribed from all marketing email.".to_string(),
        }),
    })
}

/// Unsubscribes `user` from every category; `email`, when the link came from one, is
/// counted as the email it was unsubscribed from (when it was sent to this person).
pub async fn unsubscribe(pool: &PgPool, user: Uuid, email: Option<Uuid>) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    set(&mut tx, user, false, false).await?;
    if let Some(email) = email {
        sqlx::query!(
            "UPDATE marketing_emails SET unsubscribed_at = now()
             WHERE id = $1 AND user_id = $2 AND unsubscribed_at IS NULL",
            email,
            user
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    tracing::info!(user_id = %user, "unsubscribed from marketing email");
    Ok(())
}

/// Customers who may get marketing email of at least one kind (for the dashboard).
pub async fn subscribers(pool: &PgPool) -> Result<i64, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM (SELECT user_id FROM marketing_audience('news')
                                         UNION SELECT user_id FROM marketing_audience('releases')) a"#
    )
    .fetch_one(pool)
    .await?)
}

/// The marketing emails queued for `user`, newest first (at most 100), for the owner.
pub async fn send_log(
    pool: &PgPool,
    _owner: &Owner,
    user: Uuid,
) -> Result<Vec<SendLogEntry>, Error> {
    Ok(sqlx::query_as!(
        SendLogEntry,
        r#"SELECT COALESCE(b.subject, 'Abandoned checkout: ' || c.title, 'Abandoned checkout') AS "what!",
                  m.status, m.note, COALESCE(m.sent_at, m.due_at) AS "at!"
           FROM marketing_emails m
           LEFT JOIN broadcasts b ON b.id = m.broadcast_id
           LEFT JOIN content c ON c.id = m.content_id
           WHERE m.user_id = $1
           ORDER BY m.created_at DESC LIMIT 100"#,
        user
    )
    .fetch_all(pool)
    .await?)
}
