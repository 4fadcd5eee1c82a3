//! The library query: one read of everything the caller may play, then search, filter and
//! order in memory (a customer's library is small; the catalog is where paging matters).

use time::OffsetDateTime;

use crate::auth::SignedIn;
use crate::error::Error;
use crate::query::clean_filter;
use crate::state::AppState;
use domain::library::{
    percent_watched, ItemProgress, Library, LibraryItem, LibrarySort, RentalLeft,
};

/// How many items the "Continue watching" row shows.
pub const CONTINUE_WATCHING_LIMIT: usize = 6;

/// One item the caller may play, with the times its order depends on.
pub struct Owned {
    pub item: LibraryItem,
    pub added_at: OffsetDateTime,
    pub watched_at: Option<OffsetDateTime>,
}

/// What the library page asks for: a search of titles, a tag, an order, and the slug of the
/// entry a receipt link opens.
#[derive(Debug, Default)]
pub struct LibraryQuery {
    pub q: Option<String>,
    pub tag: Option<String>,
    pub sort: LibrarySort,
    pub open: Option<String>,
}

/// How many items' progress the catalog's cards know of (the most recently watched).
pub const PROGRESS_LIMIT: i64 = 500;

/// How far the caller got in each item they started, most recently watched first.
pub async fn progress_of(state: &AppState, user: &SignedIn) -> Result<Vec<ItemProgress>, Error> {
    let rows = sqlx::query!(
        r#"SELECT p.content_id, p.position_seconds, p.completed,
                  m.duration_seconds AS "duration_seconds?"
           FROM playback_progress p
           JOIN content c ON c.id = p.content_id
           LEFT JOIN media m ON m.id = c.media_id
           WHERE p.user_id = $1
           ORDER BY p.updated_at DESC LIMIT $2"#,
        user.id,
        PROGRESS_LIMIT
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ItemProgress {
            content_id: row.content_id,
            percent: percent_watched(
                Some(row.position_seconds),
                row.duration_seconds,
                row.completed,
            ),
        })
        .collect())
}

pub async fn library(
    state: &AppState,
    user: &SignedIn,
    query: LibraryQuery,
) -> Result<Library, Error> {
    // Deleted items stay: buyers keep access to them.
    let rows = sqlx::query!(
        r#"SELECT c.id AS content_id, c.slug, c.title, m.kind AS "kind?",
                  m.duration_seconds AS "duration_seconds?", c.media_id,
                  COALESCE(m.has_thumbnail, false) AS "has_thumbnail!", c.tags,
                  c.thumbnail_type IS NOT NULL AS "custom_thumbnail!",
                  p.position_seconds AS "position_seconds?",
                  COALESCE(p.completed, false) AS "completed!",
                  to_char(a.granted_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS "added_on!",
                  a.granted_at AS "granted_at!", p.updated_at AS "watched_at?",
                  a.rental_started AS "rental_started!",
                  EXTRACT(EPOCH FROM a.rental_ends - now())::bigint AS rental_seconds_left
           FROM (SELECT user_id, content_id, min(granted_at) AS granted_at,
                        CASE WHEN bool_or(reason <> 'rented') THEN NULL ELSE max(expires_at) END AS rental_ends,
                        bool_or(started_at IS NOT NULL) AS rental_started
                 FROM live_access
                 WHERE user_id = $1
                 GROUP BY user_id, content_id) a
           JOIN content c ON c.id = a.content_id AND NOT c.is_bundle
           LEFT JOIN media m ON m.id = c.media_id
           LEFT JOIN playback_progress p ON p.user_id = a.user_id AND p.content_id = a.content_id"#,
        user.id
    )
    .fetch_all(&state.pool)
    .await?;
    // A bundle's receipt opens the items it holds.
    let open: Vec<String> = match &query.open {
        Some(slug) => sqlx::query_scalar!(
            r#"SELECT item.slug FROM content c JOIN bundle_items b ON b.bundle_id = c.id
               JOIN content item ON item.id = b.item_id
               WHERE c.slug = $1 AND c.is_bundle
               UNION ALL SELECT $1 AS "slug!""#,
            slug
        )
        .fetch_all(&state.pool)
        .await?
        .into_iter()
        .flatten()
        .collect(),
        None => Vec::new(),
    };
    let owned = rows
        .into_iter()
        .map(|r| Owned {
            item: LibraryItem {
                content_id: r.content_id,
                slug: r.slug,
                title: r.title,
                kind: r.kind,
                duration_seconds: r.duration_seconds,
                media_id: r.media_id,
                has_thumbnail: r.has_thumbnail,
                custom_thumbnail: r.custom_thumbnail,
                tags: r.tags,
                position_seconds: r.position_seconds,
                completed: r.completed,
                added_on: r.added_on,
                // NULL unless the caller holds the item on a rental only.
                rental: r.rental_seconds_left.map(|seconds_left| RentalLeft {
                    seconds_left,
                    started: r.rental_started,
                }),
            },
            added_at: r.granted_at,
            watched_at: r.watched_at,
        })
        .collect();
    Ok(arrange(owned, &query, open))
}

/// Builds the page from everything the caller owns: the row of started items, the tags,
/// the items that match the query's `q` (in the title, any case) and `tag`, in its `sort`
/// order, and the items with a slug in `open` (a receipt link's, with a bundle's items).
pub fn arrange(mut owned: Vec<Owned>, query: &LibraryQuery, open: Vec<String>) -> Library {
    let total = owned.len();
    let opened = owned
        .iter()
        .filter(|o| open.contains(&o.item.slug))
        .map(|o| o.item.clone())
        .collect();
    let mut tags: Vec<String> = owned.iter().flat_map(|o| o.item.tags.clone()).collect();
    tags.sort();
    tags.dedup();

    let mut started: Vec<&Owned> = owned.iter().filter(|o| o.item.is_in_progress()).collect();
    started.sort_by_key(|o| std::cmp::Reverse(o.watched_at));
    let continue_watching = started
        .into_iter()
        .take(CONTINUE_WATCHING_LIMIT)
        .map(|o| o.item.clone())
        .collect();

    let q = clean_filter(query.q.clone()).map(|q| q.to_lowercase());
    let tag = clean_filter(query.tag.clone()).map(|t| t.to_lowercase());
    owned.retain(|o| {
        q.as_ref()
            .is_none_or(|q| o.item.title.to_lowercase().contains(q))
            && tag.as_ref().is_none_or(|t| o.item.tags.contains(t))
    });
    match query.sort {
        LibrarySort::Added => owned.sort_by_key(|o| std::cmp::Reverse(o.added_at)),
        LibrarySort::Title => {
            owned.sort_by_cached_key(|o| o.item.title.to_lowercase());
        }
        // Shortest first; items without a duration (not processed) last.
        LibrarySort::Duration => owned.sort_by(|a, b| {
            let key = |o: &Owned| o.item.duration_seconds.unwrap_or(f64::INFINITY);
            key(a).total_cmp(&key(b))
        }),
    }
    Library {
        opened,
        items: owned.into_iter().map(|o| o.item).collect(),
        continue_watching,
        tags,
        total,
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use uuid::Uuid;

    use super::*;

    fn owned(title: &str, duration: f64, tags: &[&str], days_ago: i64) -> Owned {
        let now = OffsetDateTime::now_utc();
        Owned {
            item: LibraryItem {
                content_id: Uuid::new_v4(),
                slug: title.to_lowercase().replace(' ', "-"),
                title: title.into(),
                kind: Some("video".into()),
                duration_seconds: Some(duration),
                media_id: None,
                has_thumbnail: false,
                custom_thumbnail: false,
                tags: tags.iter().map(|t| t.to_string()).collect(),
                position_seconds: None,
                completed: false,
                added_on: String::new(),
                rental: None,
            },
            added_at: now - Duration::days(days_ago),
            watched_at: None,
        }
    }

    fn watched(mut o: Owned, position: f64, minutes_ago: i64) -> Owned {
        o.item.position_seconds = Some(position);
        o.watched_at = Some(OffsetDateTime::now_utc() - Duration::minutes(minutes_ago));
        o
    }

    fn titles(items: &[LibraryItem]) -> Vec<&str> {
        items.iter().map(|i| i.title.as_str()).collect()
    }

    fn sample() -> Vec<Owned> {
        vec![
            owned("beta Course", 300.0, &["rust"], 2),
            watched(owned("Alpha intro", 60.0, &["intro", "rust"], 1), 30.0, 10),
            watched(owned("Gamma talk", 30.0, &[], 3), 5.0, 1),
            // Within the last 5 %: finished, not "continue".
            watched(owned("Delta outro", 100.0, &["intro"], 4), 97.0, 0),
        ]
    }

    fn query(q: Option<String>, tag: Option<String>, sort: LibrarySort) -> LibraryQuery {
        LibraryQuery {
            q,
            tag,
            sort,
            open: None,
        }
    }

    #[test]
    fn newest_first_by_default_and_every_tag_once() {
        let library = arrange(sample(), &query(None, None, LibrarySort::Added), vec![]);
        assert_eq!(
            titles(&library.items),
            ["Alpha intro", "beta Course", "Gamma talk", "Delta outro"]
        );
        assert_eq!(library.tags, ["intro", "rust"]);
        assert_eq!(library.total, 4);
    }

    #[test]
    fn sorts_by_title_ignoring_case_and_by_duration() {
        let by_title = arrange(sample(), &query(None, None, LibrarySort::Title), vec![]);
        assert_eq!(
            titles(&by_title.items),
            ["Alpha intro", "beta Course", "Delta outro", "Gamma talk"]
        );
        let by_duration = arrange(sample(), &query(None, None, LibrarySort::Duration), vec![]);
        assert_eq!(
            titles(&by_duration.items),
            ["Gamma talk", "Alpha intro", "Delta outro", "beta Course"]
        );
    }

    #[test]
    fn a_receipt_link_opens_its_items_whatever_the_filter() {
        let opened = arrange(
            sample(),
            &query(Some("beta".into()), None, LibrarySort::Added),
            vec!["alpha-intro".into(), "not-owned".into()],
        );
        assert_eq!(titles(&opened.opened), ["Alpha intro"]);
    }

    #[test]
    fn searches_titles_and_filters_by_tag() {
        let found = arrange(
            sample(),
            &query(Some(" COURSE ".into()), None, LibrarySort::Added),
            vec![],
        );
        assert_eq!(titles(&found.items), ["beta Course"]);
        let tagged = arrange(
            sample(),
            &query(None, Some("Intro".into()), LibrarySort::Title),
            vec![],
        );
        assert_eq!(titles(&tagged.items), ["Alpha intro", "Delta outro"]);
        // The filter narrows the grid, never the row of started items or the tag list.
        assert_eq!(tagged.continue_watching.len(), 2);
        assert_eq!(tagged.tags, ["intro", "rust"]);
    }

    #[test]
    fn continue_watching_holds_started_items_most_recent_first() {
        let library = arrange(sample(), &query(None, None, LibrarySort::Added), vec![]);
        assert_eq!(
            titles(&library.continue_watching),
            ["Gamma talk", "Alpha intro"]
        );
        assert_eq!(library.items[0].percent_watched(), 50);
    }

    #[test]
    fn completed_items_count_as_fully_watched() {
        let mut done = owned("Done", 100.0, &[], 0);
        done.item.completed = true;
        done.item.position_seconds = Some(10.0);
        assert_eq!(done.item.percent_watched(), 100);
        assert!(!done.item.is_in_progress());
    }
}
