//! Avatars: `POST /account/avatar` (the signed-in user, a plain multipart form) resizes the
//! image on the server to a 256 px square JPEG (`images::square_jpeg`);
//! `GET /account/avatar/{user}` serves it to its owner and to the platform's owner; the
//! platform owner's own picture is the creator's, shown on the storefront to everyone.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::session;
use crate::byte_range;
use crate::error::{Answer, Error};
use crate::image_upload::{read_image, sniff, Refusal};
use crate::images;
use crate::state::AppState;
use domain::content::Creator;

pub const MAX_AVATAR_BYTES: usize = 5 * 1024 * 1024;
pub const AVATAR_BODY_LIMIT: usize = MAX_AVATAR_BYTES + 64 * 1024;
pub const AVATAR_SIZE: u32 = 256;

fn key(user: Uuid) -> String {
    format!("avatars/{user}.jpg")
}

fn back(outcome: &str) -> Response {
    Redirect::to(&format!("/account?avatar={outcome}")).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    form: Multipart,
) -> Result<Response, Error> {
    let user = session::current_user(&state.pool, &session)
        .await?
        .ok_or(Error::Answer(Answer::Unauthorized))?;
    let (image, _) = match read_image(form, "avatar", MAX_AVATAR_BYTES, sniff).await {
        Ok(image) => image,
        Err(refusal) => return Ok(back(refusal.code())),
    };
    let jpeg = match images::square_jpeg_bounded(image, AVATAR_SIZE).await? {
        Ok(jpeg) => jpeg,
        Err(bad) => {
            tracing::info!(?bad, "avatar refused");
            return Ok(back(Refusal::from(bad).code()));
        }
    };
    state
        .storage
        .put_bytes(&key(user.id), Bytes::from(jpeg))
        .await?;
    sqlx::query!(
        "UPDATE users SET avatar_updated_at = now() WHERE id = $1",
        user.id
    )
    .execute(&state.pool)
    .await?;
    Ok(back("saved"))
}

pub async fn serve(
    State(state): State<AppState>,
    session: Session,
    Path(user): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if !is_owner(&state, user).await? {
        let Some(viewer) = session::current_user(&state.pool, &session).await? else {
            return Ok(StatusCode::UNAUTHORIZED.into_response());
        };
        if viewer.id != user && !viewer.view().is_owner() {
            return Ok(StatusCode::NOT_FOUND.into_response());
        }
    }
    Ok(state
        .storage
        .respond(
            &key(user),
            "image/jpeg",
            "private, max-age=300",
            byte_range::of(&headers),
        )
        .await)
}

async fn is_owner(state: &AppState, user: Uuid) -> Result<bool, Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'owner') AS "owner!""#,
        user
    )
    .fetch_one(&state.pool)
    .await?)
}

/// The caller's avatar URL (with its version, so a new one shows at once), if any.
pub async fn url_of(state: &AppState, user: Uuid) -> Result<Option<String>, Error> {
    let updated = sqlx::query_scalar!(
        r#"SELECT extract(epoch FROM avatar_updated_at)::bigint AS "version" FROM users WHERE id = $1"#,
        user
    )
    .fetch_one(&state.pool)
    .await?;
    Ok(updated.map(|version| url(user, version)))
}

/// The address of a user's avatar at a version (its upload time).
pub fn url(user: Uuid, version: i64) -> String {
    format!("/account/avatar/{user}?v={version}")
}

/// The creator shown on the storefront: the platform owner's name and picture.
pub async fn creator(state: &AppState) -> Result<Option<Creator>, Error> {
    let owner = sqlx::query!(
        r#"SELECT id, name, extract(epoch FROM avatar_updated_at)::bigint AS "version"
           FROM users WHERE role = 'owner'"#
    )
    .fetch_optional(&state.pool)
    .await?;
    Ok(owner.map(|owner| Creator {
        name: owner.name,
        picture: owner.version.map(|version| url(owner.id, version)),
    }))
}
