//! Abandoned checkout: when a customer's Checkout Session expires unpaid and they consented
//! to news, one email `delay_hours` later (the owner's setting, default 1) brings them back
//! to the item, with the owner's discount code if set. Never twice for the same item and
//! customer (a unique key), never once they may play it (checked as it is sent); a purchase
//! of the item after the email was sent counts as recovered.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::compose::{compose, Body, Composed};
use crate::auth::Owner;
use crate::email::context::EmailContext;
use crate::email::templates::escape_html;
use crate::error::Error;
use domain::marketing::AbandonedCheckout;

/// The owner's settings, with what the emails did (recovered revenue is `revenue`'s).
pub async fn settings(pool: &PgPool) -> Result<AbandonedCheckout, Error> {
    let row = sqlx::query!(
        r#"SELECT s.enabled, s.delay_hours, s.discount_code,
                  (SELECT count(*) FROM marketing_emails
                   WHERE automation = 'abandoned_checkout' AND status = 'sent') AS "sent!",
                  (SELECT count(*) FROM marketing_emails
                   WHERE automation = 'abandoned_checkout' AND recovered_purchase_id IS NOT NULL) AS "recovered!"
           FROM abandoned_checkout_settings s"#
    )
    .fetch_one(pool)
    .await?;
    Ok(AbandonedCheckout {
        enabled: row.enabled,
        delay_hours: row.delay_hours,
        discount_code: row.discount_code,
        sent: row.sent,
        recovered: row.recovered,
        recovered_cents: 0,
    })
}

/// Saves the owner's settings (`delay_hours` 1 to 168; the code as typed, upper case).
pub async fn save(
    pool: &PgPool,
    _owner: &Owner,
    enabled: bool,
    delay_hours: i32,
    discount_code: &str,
) -> Result<(), Error> {
    if !(1..=168).contains(&delay_hours) {
        return Err(Error::validation("Send after must be from 1 to 168 hours."));
    }
    let code = discount_code.trim().to_uppercase();
    if code.chars().count() > 40
        || code
            .chars()
            .any(|c| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
    {
        return Err(Error::validation(
            "Discount code must be letters, digits, - or _ (at most 40).",
        ));
    }
    sqlx::query!(
        "UPDATE abandoned_checkout_settings SET enabled = $1, delay_hours = $2, discount_code = $3",
        enabled,
        delay_hours,
        code
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// `user`'s checkout of `content` expired unpaid: their email is queued (once ever), when
/// the automation is on and they consented to news.
pub async fn checkout_expired(
    conn: &mut PgConnection,
    user: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    let queued = sqlx::query!(
        "INSERT INTO marketing_emails (automation, content_id, user_id, category, due_at)
         SELECT 'abandoned_checkout', $2, $1, 'news', now() + make_interval(hours => s.delay_hours)
         FROM abandoned_checkout_settings s JOIN users u ON u.id = $1
         WHERE s.enabled AND u.news_emails
         ON CONFLICT DO NOTHING",
        user,
        content
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if queued > 0 {
        tracing::info!(user_id = %user, content_id = %content, "abandoned checkout email queued");
    }
    Ok(())
}

/// `purchase` of `content` by `user` was just paid: if it follows their abandoned checkout
/// email, that email recovered it.
pub async fn paid(
    conn: &mut PgConnection,
    purchase: Uuid,
    user: Uuid,
    content: Uuid,
) -> Result<(), Error> {
    sqlx::query!(
        "UPDATE marketing_emails SET recovered_purchase_id = $1
         WHERE automation = 'abandoned_checkout' AND user_id = $2 AND content_id = $3
           AND status = 'sent' AND recovered_purchase_id IS NULL",
        purchase,
        user,
        content
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The email for `content`, or `None` when it is no longer on sale.
pub async fn email(
    pool: &PgPool,
    context: &EmailContext,
    content: Uuid,
    name: &str,
    preferences_url: &str,
) -> Result<Option<Composed>, Error> {
    let Some(item) = sqlx::query!(
        r#"SELECT c.title, c.slug, s.discount_code
           FROM content c, abandoned_checkout_settings s
           WHERE c.id = $1 AND c.status = 'published' AND c.deleted_at IS NULL"#,
        content
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let pairs = [("code", item.discount_code.as_str())];
    let link = context.link(&domain::paths::content_with(&item.slug, &pairs));
    let mut paragraphs = vec![
        format!("Hi {name},"),
        format!(
            "You started buying \"{}\" and did not finish. It is still here for you.",
            item.title
        ),
    ];
    if !item.discount_code.is_empty() {
        paragraphs.push(format!(
            "Use the code {} for a discount: it is already filled in when you return.",
            item.discount_code
        ));
    }
    let mut html: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape_html(p)))
        .collect();
    html.push_str(&format!(
        "<p><a href=\"{}\">Return to {}</a></p>",
        escape_html(&link),
        escape_html(&item.title)
    ));
    let text = format!(
        "{}\n\nReturn to {}: {link}",
        paragraphs.join("\n\n"),
        item.title
    );
    let subject = format!("\"{}\" is still waiting for you", item.title);
    Ok(Some(compose(
        context,
        &subject,
        &Body { html, text },
        preferences_url,
    )))
}
