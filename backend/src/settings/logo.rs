//! The logo: `POST /admin/settings/logo` (owner, a plain multipart form) and `GET /site/logo`.
//! PNG, JPEG or SVG up to 2 MB; a PNG or JPEG 100 to 2000 pixels on its longer side (read
//! from its header). An SVG is served with a sandboxing CSP, so even opened on
//! its own it cannot run script (and in an `<img>` it never does).

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::auth::caller::owner_of_session;
use crate::byte_range;
use crate::error::Error;
use crate::image_upload::{read_image, sniff, Refusal};
use crate::state::AppState;

pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
pub const LOGO_BODY_LIMIT: usize = MAX_LOGO_BYTES + 64 * 1024;
const KEY: &str = "site/logo";
/// The longer side of a PNG or JPEG logo, in pixels: sharp in the header at 32 px high on
/// any screen, and not a photograph's worth of bytes for every page.
pub const LOGO_SIDES: std::ops::RangeInclusive<u32> = 100..=2000;

/// A raster logo's size, from its header (nothing is decoded).
fn check_logo_size(image: &[u8]) -> Result<(), Refusal> {
    let (width, height) = crate::images::dimensions(image).map_err(Refusal::from)?;
    if LOGO_SIDES.contains(&width.max(height)) {
        Ok(())
    } else {
        Err(Refusal::LogoSize)
    }
}

/// PNG and JPEG by their magic bytes; SVG by an `<svg` root near the start.
pub fn sniff_logo(bytes: &[u8]) -> Option<&'static str> {
    match sniff(bytes) {
        Some(kind @ ("image/png" | "image/jpeg")) => Some(kind),
        Some(_) => None,
        None => {
            let head =
                String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
            let start = head.trim_start_matches('\u{feff}').trim_start();
            let xml_or_svg = start.starts_with("<?xml")
                || start.starts_with("<svg")
                || start.starts_with("<!--");
            (xml_or_svg && head.contains("<svg")).then_some("image/svg+xml")
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    form: Multipart,
) -> Result<Response, Error> {
    owner_of_session(&state.pool, &session).await?;
    let read = read_image(form, "logo", MAX_LOGO_BYTES, sniff_logo)
        .await
        .and_then(|(image, kind)| match kind {
            "image/svg+xml" => Ok((image, kind)),
            _ => check_logo_size(&image).map(|()| (image, kind)),
        });
    let (image, kind) = match read {
        Ok(image) => image,
        Err(refusal) => {
            return Ok(
                Redirect::to(&format!("/admin/settings?logo={}", refusal.code())).into_response(),
            )
        }
    };
    state.storage.put_bytes(KEY, image).await?;
    sqlx::query!(
        "UPDATE site_settings SET logo_type = $1, updated_at = now()",
        kind
    )
    .execute(&state.pool)
    .await?;
    state.settings.forget();
    Ok(Redirect::to("/admin/settings?logo=saved").into_response())
}

pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    let Some(kind) = super::service::current(&state).await?.logo_type.clone() else {
        return Ok(axum::http::StatusCode::NOT_FOUND.into_response());
    };
    let mut response = state
        .storage
        .respond(KEY, &kind, "public, max-age=300", byte_range::of(&headers))
        .await;
    if kind == "image/svg+xml" {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::{check_logo_size, sniff_logo};
    use crate::image_upload::Refusal;
    use crate::images::solid_png as png;

    #[test]
    fn raster_logos_are_100_to_2000_pixels_on_their_longer_side() {
        for (width, height) in [(100, 100), (400, 80), (80, 400), (2000, 2000), (2000, 1)] {
            assert!(
                check_logo_size(&png(width, height)).is_ok(),
                "{width}×{height}"
            );
        }
        for (width, height) in [(99, 99), (40, 20), (2001, 100), (100, 2001)] {
            assert!(
                matches!(check_logo_size(&png(width, height)), Err(Refusal::LogoSize)),
                "{width}×{height}"
            );
        }
        assert!(matches!(
            check_logo_size(b"\x89PNG\r\n\x1a\nbroken"),
            Err(Refusal::NotAnImage)
        ));
    }

    #[test]
    fn logos_are_png_jpeg_or_svg() {
        assert_eq!(sniff_logo(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_logo(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(
            sniff_logo(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(
            sniff_logo(b"  <svg viewBox=\"0 0 1 1\"></svg>"),
            Some("image/svg+xml")
        );
        assert_eq!(sniff_logo(b"RIFF\0\0\0\0WEBPVP8 "), None);
        assert_eq!(sniff_logo(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff_logo(b"hello"), None);
    }
}
