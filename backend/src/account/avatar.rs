//! Avatars: `POST /account/avatar` (the signed-in user, a plain multipart form) resizes the
//! image on the server to a 256 px square JPEG; `GET /account/avatar/{user}` serves it to
//! its owner and to the platform's owner.

use std::io::Cursor;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;
use image::imageops::FilterType;
use image::{ImageFormat, ImageReader, Limits};
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::session;
use crate::content::cover_image::{read_image, sniff, Refusal};
use crate::error::Error;
use crate::state::AppState;

pub const MAX_AVATAR_BYTES: usize = 5 * 1024 * 1024;
pub const AVATAR_BODY_LIMIT: usize = MAX_AVATAR_BYTES + 64 * 1024;
pub const AVATAR_SIZE: u32 = 256;
/// Larger pictures are refused before they are decoded (a small file can claim a huge size).
const MAX_SOURCE_PIXELS: u32 = 8000;

fn key(user: Uuid) -> String {
    format!("avatars/{user}.jpg")
}

/// Decodes `bytes` (JPEG, PNG or WebP), crops it to a centred square and scales it to
/// [`AVATAR_SIZE`], as a JPEG.
pub fn square_jpeg(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_PIXELS);
    limits.max_image_height = Some(MAX_SOURCE_PIXELS);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| e.to_string())?;
    let square = image.resize_to_fill(AVATAR_SIZE, AVATAR_SIZE, FilterType::Lanczos3);
    let mut out = Cursor::new(Vec::new());
    square
        .to_rgb8()
        .write_to(&mut out, ImageFormat::Jpeg)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
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
        .ok_or(Error::Unauthorized)?;
    let (image, _) = match read_image(form, "avatar", MAX_AVATAR_BYTES, sniff).await {
        Ok(image) => image,
        Err(refusal) => return Ok(back(refusal.code())),
    };
    let resized = tokio::task::spawn_blocking(move || square_jpeg(&image))
        .await
        .map_err(|error| crate::error::internal("avatar resize", error))?;
    let jpeg = match resized {
        Ok(jpeg) => jpeg,
        Err(error) => {
            tracing::info!(%error, "avatar refused: the image does not decode");
            return Ok(back(Refusal::NotAnImage.code()));
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
) -> Result<Response, Error> {
    let Some(viewer) = session::current_user(&state.pool, &session).await? else {
        return Ok(StatusCode::UNAUTHORIZED.into_response());
    };
    if viewer.id != user && !viewer.view().is_owner() {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    Ok(state
        .storage
        .respond(&key(user), "image/jpeg", "private, max-age=300")
        .await)
}

/// The caller's avatar URL (with its version, so a new one shows at once), if any.
pub async fn url_of(state: &AppState, user: Uuid) -> Result<Option<String>, Error> {
    let updated = sqlx::query_scalar!(
        r#"SELECT extract(epoch FROM avatar_updated_at)::bigint AS "version" FROM users WHERE id = $1"#,
        user
    )
    .fetch_one(&state.pool)
    .await?;
    Ok(updated.map(|v| format!("/account/avatar/{user}?v={v}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn avatars_become_256_pixel_squares() {
        let jpeg = square_jpeg(&png(640, 360)).unwrap();
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (AVATAR_SIZE, AVATAR_SIZE)
        );
        assert_eq!(sniff(&jpeg), Some("image/jpeg"));
    }

    #[test]
    fn broken_images_are_refused() {
        let mut broken = png(10, 10);
        broken.truncate(30);
        assert!(square_jpeg(&broken).is_err());
        assert!(square_jpeg(b"\x89PNG\r\n\x1a\nnot really").is_err());
    }
}
