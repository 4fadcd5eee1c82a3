//! An item's chapters: the owner saves them from the editor; the item page and the player
//! read them.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::auth::{Caller, Owner};
use crate::error::{Answer, Error};
use crate::state::AppState;
use domain::chapters::{parse_chapters, Chapter};

/// Replaces the chapters of the owner's item `content` with those in `text` (empty: none).
/// Every chapter starts before the end of the item's media, when its length is known.
pub async fn save(state: &AppState, owner: &Owner, content: Uuid, text: &str) -> Result<(), Error> {
    let chapters = parse_chapters(text)?;
    let mut tx = state.pool.begin().await?;
    let item = sqlx::query!(
        r#"SELECT m.duration_seconds AS "duration?" FROM content c LEFT JOIN media m ON m.id = c.media_id
           WHERE c.id = $1 AND c.owner_id = $2 AND c.deleted_at IS NULL FOR UPDATE OF c"#,
        content,
        owner.id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    if let (Some(duration), Some(last)) = (item.duration, chapters.last()) {
        if f64::from(last.start_seconds) >= duration {
            return Err(Error::validation(format!(
                "Chapters: {} starts after the end of the media.",
                last.timestamp()
            )));
        }
    }
    sqlx::query!("DELETE FROM chapters WHERE content_id = $1", content)
        .execute(&mut *tx)
        .await?;
    let starts: Vec<i32> = chapters.iter().map(|c| c.start_seconds).collect();
    let titles: Vec<String> = chapters.iter().map(|c| c.title.clone()).collect();
    sqlx::query!(
        "INSERT INTO chapters (content_id, start_seconds, title)
         SELECT $1, * FROM UNNEST($2::int[], $3::text[])",
        content,
        &starts,
        &titles
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The chapters of `content`, in order.
pub async fn of(executor: impl PgExecutor<'_>, content: Uuid) -> Result<Vec<Chapter>, Error> {
    Ok(sqlx::query_as!(
        Chapter,
        "SELECT start_seconds, title FROM chapters WHERE content_id = $1 ORDER BY start_seconds",
        content
    )
    .fetch_all(executor)
    .await?)
}

/// The chapters of an item as its page shows them: anyone's for a published item, the
/// owner's for any of theirs.
pub async fn for_page(
    state: &AppState,
    caller: &Caller,
    content: Uuid,
) -> Result<Vec<Chapter>, Error> {
    let visible = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM content
                          WHERE id = $1 AND deleted_at IS NULL
                            AND (status = 'published' OR owner_id = $2)) AS "visible!""#,
        content,
        caller.user().map(|u| u.id)
    )
    .fetch_one(&state.pool)
    .await?;
    if !visible {
        return Err(Error::Answer(Answer::NotFound));
    }
    of(&state.pool, content).await
}
