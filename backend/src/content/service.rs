//! The owner's content management and the catalog queries.

use std::sync::Arc;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::access::{self, CatalogChange, Target};
use crate::auth::{Caller, Owner};
use crate::cached::{Follower, KeptMap};
use crate::error::{Answer, Error};
use crate::query::{clean_filter, search_pattern};
use crate::state::AppState;
use domain::content::{
    CatalogItem, CatalogSort, CategoryName, ContentDetail, ContentStatus, ContentSummary, Price,
    Slug, Tags, Viewer,
};
use domain::media::MediaStatus;

const MAX_TITLE_LEN: usize = 200;
const MAX_DESCRIPTION_LEN: usize = 5000;
pub const PAGE_SIZE: i64 = 24;

/// The content form, parsed.
#[derive(Debug)]
pub struct ContentInput {
    pub title: String,
    pub slug: Option<Slug>,
    pub description: String,
    pub price: Price,
    pub category: Option<CategoryName>,
    pub tags: Tags,
    pub media_id: Option<Uuid>,
}

/// The content form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContentForm<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub description: &'a str,
    pub price: &'a str,
    pub category: &'a str,
    pub tags: &'a str,
    pub media_id: &'a str,
}

impl ContentInput {
    pub fn parse(form: ContentForm<'_>) -> Result<Self, Error> {
        let ContentForm {
            title,
            slug,
            description,
            price,
            category,
            tags,
            media_id,
        } = form;
        let title = title.trim();
        if title.is_empty() {
            return Err(Error::validation("Title is required."));
        }
        if title.chars().count() > MAX_TITLE_LEN || title.chars().any(char::is_control) {
            return Err(Error::validation(format!(
                "Title must be at most {MAX_TITLE_LEN} characters."
            )));
        }
        let description = description.trim();
        if description.chars().count() > MAX_DESCRIPTION_LEN {
            return Err(Error::validation(format!(
                "Description must be at most {MAX_DESCRIPTION_LEN} characters."
            )));
        }
        let category = match category.trim() {
            "" => None,
            given => Some(CategoryName::parse(given)?),
        };
        let slug = match slug.trim() {
            "" => None,
            given => Some(Slug::parse(given)?),
        };
        let media_id = match media_id.trim() {
            "" => None,
            given => Some(
                Uuid::try_parse(given)
                    .map_err(|_| Error::validation("Choose a media item from the list."))?,
            ),
        };
        Ok(Self {
            title: title.to_string(),
            slug,
            description: description.to_string(),
            price: Price::parse(price)?,
            category,
            tags: Tags::parse(tags)?,
            media_id,
        })
    }
}

/// Whether the owner's media item can back content, and whether it is ready to play.
async fn media_ready(conn: &mut PgConnection, owner: Uuid, media: Uuid) -> Result<bool, Error> {
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: MediaStatus" FROM media WHERE id = $1 AND owner_id = $2"#,
        media,
        owner
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::validation("Choose a media item from the list."))?;
    Ok(status == MediaStatus::Ready)
}

/// Whether an item can be published: its media is ready, or it is a bundle holding enough
/// items (a bundle has no media of its own).
async fn publishable(
    conn: &mut PgConnection,
    owner: &Owner,
    id: Uuid,
    media: Option<Uuid>,
    is_bundle: bool,
) -> Result<(), Error> {
    match (media, is_bundle) {
        (Some(_), true) => Err(Error::validation(
            "A bundle has no media of its own: choose no media item.",
        )),
        (Some(media), false) if !media_ready(conn, owner.id, media).await? => Err(
            Error::validation("The media item is not ready yet: publish once it is processed."),
        ),
        (Some(_), false) => Ok(()),
        (None, true) if !crate::selling::bundles::is_complete(conn, id).await? => {
            Err(Error::validation(format!(
                "Choose at least {} items for the bundle before publishing.",
                crate::selling::bundles::MIN_ITEMS
            )))
        }
        (None, true) => Ok(()),
        (None, false) => Err(Error::validation(
            "Choose a ready media item before publishing.",
        )),
    }
}

/// A free slug: the one given, or one made from the title (with `-2`, `-3`... when taken).
async fn choose_slug(
    conn: &mut PgConnection,
    input: &ContentInput,
    id: Uuid,
) -> Result<String, Error> {
    if let Some(slug) = &input.slug {
        return Ok(slug.as_str().to_string());
    }
    let base = Slug::from_title(&input.title);
    for n in 1..=50 {
        let candidate = if n == 1 {
            base.as_str().to_string()
        } else {
            format!("{}-{n}", base.as_str())
        };
        let taken = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM content WHERE slug = $1 AND id <> $2) AS "taken!""#,
            candidate,
            id
        )
        .fetch_one(&mut *conn)
        .await?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(Error::conflict("Choose a slug for this item."))
}

fn slug_conflict(error: sqlx::Error) -> Error {
    match &error {
        sqlx::Error::Database(e) if e.constraint() == Some("content_slug_key") => {
            Error::conflict("This slug is already used by another item.")
        }
        _ => error.into(),
    }
}

/// Creates (no `id`) or updates an item; `publish` also publishes it, which needs a ready
/// media item. Returns the item's id.
/// What the item form sends: the item (`None` to create one), its fields parsed, and
/// whether "Publish" was the button pressed.
pub struct ContentEdit {
    pub id: Option<Uuid>,
    pub input: ContentInput,
    pub publish: bool,
}

pub async fn save(state: &AppState, owner: &Owner, edit: ContentEdit) -> Result<Uuid, Error> {
    let ContentEdit { id, input, publish } = edit;
    let mut tx = state.pool.begin().await?;
    if let Some(media) = input.media_id {
        media_ready(&mut tx, owner.id, media).await?;
    }
    if let Some(category) = &input.category {
        super::categories::hold(&mut tx, category).await?;
    }
    let created = id.is_none();
    let id = match id {
        Some(id) => {
            super::owned::lock(&mut tx, owner.id, id).await?;
            id
        }
        None => Uuid::new_v4(),
    };
    if publish {
        let is_bundle = sqlx::query_scalar!("SELECT is_bundle FROM content WHERE id = $1", id)
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or(false);
        publishable(&mut tx, owner, id, input.media_id, is_bundle).await?;
    }
    let slug = choose_slug(&mut tx, &input, id).await?;
    let status = publish.then_some(ContentStatus::Published.as_str());
    sqlx::query!(
        r#"INSERT INTO content (id, owner_id, slug, title, description, price_cents, category, tags, media_id, status, published_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, 'draft'), CASE WHEN $10 = 'published' THEN now() END)
           ON CONFLICT (id) DO UPDATE SET
               slug = EXCLUDED.slug, title = EXCLUDED.title, description = EXCLUDED.description,
               price_cents = EXCLUDED.price_cents, category = EXCLUDED.category, tags = EXCLUDED.tags,
               media_id = EXCLUDED.media_id,
               status = COALESCE($10, content.status),
               published_at = CASE WHEN $10 = 'published' THEN COALESCE(content.published_at, now()) ELSE content.published_at END,
               updated_at = now()"#,
        id,
        owner.id,
        slug,
        input.title,
        input.description,
        input.price.cents(),
        input.category.as_ref().map(CategoryName::as_str),
        &input.tags.into_vec(),
        input.media_id,
        status
    )
    .execute(&mut *tx)
    .await
    .map_err(slug_conflict)?;
    if publish {
        access::catalog_changed(&mut tx, CatalogChange::Published(id)).await?;
    } else if created {
        access::catalog_changed(&mut tx, CatalogChange::Created(id)).await?;
    }
    tx.commit().await?;
    // This server at once; the others when they hear `catalog_changed`.
    state.catalog.forget();
    Ok(id)
}

/// Publishes (needs a ready media item) or unpublishes an item.
pub async fn set_published(
    state: &AppState,
    owner: &Owner,
    id: Uuid,
    published: bool,
) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    let item = sqlx::query!(
        "SELECT media_id, is_bundle FROM content WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL FOR UPDATE",
        id,
        owner.id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    if published {
        publishable(&mut tx, owner, id, item.media_id, item.is_bundle).await?;
    }
    sqlx::query!(
        r#"UPDATE content SET status = CASE WHEN $2 THEN 'published' ELSE 'archived' END,
               published_at = CASE WHEN $2 THEN COALESCE(published_at, now()) ELSE published_at END,
               updated_at = now()
           WHERE id = $1"#,
        id,
        published
    )
    .execute(&mut *tx)
    .await?;
    let change = if published {
        CatalogChange::Published(id)
    } else {
        CatalogChange::Unpublished(id)
    };
    access::catalog_changed(&mut tx, change).await?;
    tx.commit().await?;
    // This server at once; the others when they hear `catalog_changed`.
    state.catalog.forget();
    Ok(())
}

/// How many customers own an item (shown before deleting it).
pub async fn owner_count(state: &AppState, owner: &Owner, id: Uuid) -> Result<i64, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(DISTINCT a.user_id) AS "count!" FROM content c
           LEFT JOIN live_access a ON a.content_id = c.id
           WHERE c.id = $1 AND c.owner_id = $2"#,
        id,
        owner.id
    )
    .fetch_one(&state.pool)
    .await?)
}

/// Soft delete: the item leaves the catalog and the owner's list; buyers keep access,
/// members lose it.
pub async fn delete(state: &AppState, owner: &Owner, id: Uuid) -> Result<(), Error> {
    let mut tx = state.pool.begin().await?;
    let result = sqlx::query!(
        r#"UPDATE content SET deleted_at = now(), status = 'archived', updated_at = now()
           WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL"#,
        id,
        owner.id
    )
    .execute(&mut *tx)
    .await?;
    if result.rows_affected() == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    access::catalog_changed(&mut tx, CatalogChange::Unpublished(id)).await?;
    tx.commit().await?;
    // This server at once; the others when they hear `catalog_changed`.
    state.catalog.forget();
    Ok(())
}

pub async fn admin_list(
    state: &AppState,
    owner: &Owner,
    status: Option<String>,
) -> Result<Vec<ContentSummary>, Error> {
    let status = status
        .as_deref()
        .and_then(ContentStatus::parse)
        .map(ContentStatus::as_str);
    Ok(sqlx::query_as!(
        ContentSummary,
        r#"SELECT c.id, c.slug, c.title, c.price_cents, c.status AS "status: ContentStatus",
                  m.status AS "media_status?: MediaStatus",
                  (SELECT count(DISTINCT a.user_id) FROM live_access a WHERE a.content_id = c.id) AS "owners!",
                  COALESCE(p.purchases, 0) AS "purchases!", COALESCE(p.revenue, 0)::bigint AS "revenue_cents!",
                  (SELECT count(*) FROM playback_progress pp WHERE pp.content_id = c.id) AS "plays!",
                  c.updated_at
           FROM content c LEFT JOIN media m ON m.id = c.media_id
                LEFT JOIN (SELECT content_id, count(*) FILTER (WHERE status = 'completed') AS purchases,
                                  sum(net_cents) AS revenue
                           FROM purchase_revenue GROUP BY content_id) p ON p.content_id = c.id
           WHERE c.owner_id = $1 AND c.deleted_at IS NULL AND ($2::text IS NULL OR c.status = $2)
           ORDER BY c.updated_at DESC"#,
        owner.id,
        status
    )
    .fetch_all(&state.pool)
    .await?)
}

pub async fn detail(state: &AppState, owner: &Owner, id: Uuid) -> Result<ContentDetail, Error> {
    sqlx::query_as!(
        ContentDetail,
        r#"SELECT id, slug, title, description, price_cents, category, tags, media_id, status AS "status: ContentStatus",
                  thumbnail_type IS NOT NULL AS "custom_thumbnail!", pay_what_you_want,
                  suggested_price_cents, rental_price_cents, rental_window_days, rental_viewing_hours,
                  is_bundle, ARRAY(SELECT item_id FROM bundle_items WHERE bundle_id = content.id
                                   ORDER BY position, item_id) AS "bundle_items!"
           FROM content WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL"#,
        id,
        owner.id
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))
}

/// The channel the catalog's tables notify on every change (a trigger on each table the
/// catalog and the items' pages read: migration 20261214000001).
pub const CATALOG_CHANGED_CHANNEL: &str = "catalog_changed";
/// The catalog's pages of results kept in memory: the catalog and its searches.
pub type KeptCatalog = KeptMap<Vec<CatalogItem>>;

pub fn kept_catalog() -> KeptCatalog {
    KeptMap::new(256, std::time::Duration::from_secs(60))
}

/// Keeps `state.catalog` in step with changes made by any process (given to
/// [`crate::cached::listen`]).
pub fn follower(state: &AppState) -> Follower {
    (CATALOG_CHANGED_CHANNEL, state.catalog.clone())
}

/// What the catalog page asks for: a search, a tag, a category and a page; or what the
/// item page asks for: the items related to one.
#[derive(Debug, Default)]
pub struct CatalogQuery {
    pub q: Option<String>,
    pub tag: Option<String>,
    pub category: Option<String>,
    pub page: i64,
    /// Only items of this item's category, the bundles that hold it, the other items of
    /// those bundles (published ones) and its own contents (never the item itself).
    pub related_to: Option<Uuid>,
    /// Only bundles.
    pub bundles_only: bool,
    /// Only this item (when published).
    pub only: Option<Uuid>,
    pub sort: CatalogSort,
}

/// A page of the catalog's published items, newest first (`q` searches title and
/// description); the same for everyone, so it is kept in memory until the catalog changes.
pub async fn catalog(
    state: &AppState,
    query: CatalogQuery,
) -> Result<Arc<Vec<CatalogItem>>, Error> {
    let CatalogQuery {
        q,
        tag,
        category,
        page,
        related_to,
        bundles_only,
        only,
        sort,
    } = query;
    let filters = Filters {
        pattern: search_pattern(q),
        tag: clean_filter(tag).map(|t| t.to_lowercase()),
        category: clean_filter(category),
        related_to,
        bundles_only,
        only,
        sort,
        offset: page.clamp(0, 10_000) * PAGE_SIZE,
    };
    let key = format!("{filters:?}");
    state
        .catalog
        .get_or_load(&key, || published(&state.pool, filters))
        .await
}

/// A catalog query made clean, and the key of its page in memory.
#[derive(Debug)]
struct Filters {
    pattern: Option<String>,
    tag: Option<String>,
    category: Option<String>,
    related_to: Option<Uuid>,
    bundles_only: bool,
    only: Option<Uuid>,
    sort: CatalogSort,
    offset: i64,
}

async fn published(pool: &PgPool, filters: Filters) -> Result<Vec<CatalogItem>, Error> {
    Ok(sqlx::query_as!(
        CatalogItem,
        r#"SELECT c.id, c.slug, c.title, c.description, c.price_cents, c.category, c.tags,
                  m.kind AS "kind?", m.duration_seconds AS "duration_seconds?", c.media_id,
                  COALESCE(m.has_thumbnail, false) AS "has_thumbnail!",
                  c.thumbnail_type IS NOT NULL AS "custom_thumbnail!", c.pay_what_you_want,
                  c.suggested_price_cents, c.rental_price_cents, c.rental_window_days,
                  c.rental_viewing_hours, c.is_bundle,
                  EXISTS (SELECT 1 FROM tier_unlocks u JOIN membership_tiers t ON t.id = u.tier_id
                          WHERE u.content_id = c.id AND t.retired_at IS NULL) AS "in_membership!"
           FROM content c LEFT JOIN media m ON m.id = c.media_id
           WHERE c.status = 'published' AND c.deleted_at IS NULL
             AND ($1::text IS NULL OR c.title ILIKE $1 OR c.description ILIKE $1)
             AND ($2::text IS NULL OR $2 = ANY (c.tags))
             AND ($3::text IS NULL OR c.category = $3)
             AND ($6::uuid IS NULL OR (c.id <> $6 AND (
                   c.category = (SELECT r.category FROM content r WHERE r.id = $6)
                   OR c.id IN (SELECT b.bundle_id FROM bundle_items b WHERE b.item_id = $6)
                   OR c.id IN (SELECT b.item_id FROM bundle_items b WHERE b.bundle_id = $6)
                   OR c.id IN (SELECT o.item_id FROM bundle_items b
                               JOIN bundle_items o ON o.bundle_id = b.bundle_id
                               JOIN content held ON held.id = b.bundle_id
                               WHERE b.item_id = $6 AND held.status = 'published'
                                 AND held.deleted_at IS NULL))))
             AND (NOT $7 OR c.is_bundle)
             AND ($9::uuid IS NULL OR c.id = $9)
           ORDER BY
             CASE WHEN $8 = 'popular' THEN
               (SELECT count(*) FROM purchases p WHERE p.content_id = c.id AND p.status = 'completed')
             END DESC NULLS LAST,
             CASE WHEN $8 = 'price' THEN c.price_cents END ASC NULLS LAST,
             CASE WHEN $8 = 'price-desc' THEN c.price_cents END DESC NULLS LAST,
             c.published_at DESC NULLS LAST, c.id
           LIMIT $4 OFFSET $5"#,
        filters.pattern,
        filters.tag,
        filters.category,
        PAGE_SIZE,
        filters.offset,
        filters.related_to,
        filters.bundles_only,
        filters.sort.as_query(),
        filters.only
    )
    .fetch_all(pool)
    .await?)
}

/// A published item by slug (the owner also sees drafts), with what the caller may do.
pub async fn by_slug(
    state: &AppState,
    caller: &Caller,
    slug: String,
) -> Result<(CatalogItem, Viewer), Error> {
    let user = caller.user().cloned();
    let item = sqlx::query_as!(
        CatalogItem,
        r#"SELECT c.id, c.slug, c.title, c.description, c.price_cents, c.category, c.tags,
                  m.kind AS "kind?", m.duration_seconds AS "duration_seconds?", c.media_id,
                  COALESCE(m.has_thumbnail, false) AS "has_thumbnail!",
                  c.thumbnail_type IS NOT NULL AS "custom_thumbnail!", c.pay_what_you_want,
                  c.suggested_price_cents, c.rental_price_cents, c.rental_window_days,
                  c.rental_viewing_hours, c.is_bundle,
                  EXISTS (SELECT 1 FROM tier_unlocks u JOIN membership_tiers t ON t.id = u.tier_id
                          WHERE u.content_id = c.id AND t.retired_at IS NULL) AS "in_membership!"
           FROM content c LEFT JOIN media m ON m.id = c.media_id
           WHERE c.slug = $1 AND c.deleted_at IS NULL
             AND (c.status = 'published' OR c.owner_id = $2)"#,
        slug,
        user.as_ref().map(|u| u.id)
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    let viewer = match user {
        None => Viewer::Anonymous,
        Some(user) if user.view().is_owner() => Viewer::Owner,
        Some(user) => {
            let may_play = access::may_play(&state.pool, user.id, Target::Content(item.id)).await?;
            let keeps = may_play && access::keeps(&state.pool, user.id, item.id).await?;
            match (may_play, keeps, user.email_verified_at.is_some()) {
                (true, true, _) => Viewer::HasAccess,
                (true, false, _) => Viewer::Renting,
                (false, _, true) => Viewer::Customer,
                (false, _, false) => Viewer::Unverified,
            }
        }
    };
    Ok((item, viewer))
}
