//! A picture read from an upload form (thumbnails, avatars, the logo): at most so many
//! bytes, its type told by its first bytes, refusals as the form page's codes. Part of the
//! ground floor: it names no feature.

use axum::extract::multipart::MultipartError;
use axum::extract::Multipart;
use axum::http::StatusCode;
use bytes::Bytes;

use crate::images::{self, BadImage};

/// The image type, from the file's first bytes (never from what the browser claims).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// Why an image upload was refused, as the form page's `?<field>=` value.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    Missing,
    TooLarge,
    NotAnImage,
    /// Wider or higher than `domain::media::MAX_IMAGE_SIDE`.
    TooManyPixels,
    /// A logo whose longer side is not within `LOGO_SIDES`.
    LogoSize,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too-large",
            Self::NotAnImage => "not-an-image",
            Self::TooManyPixels => "too-many-pixels",
            Self::LogoSize => "logo-size",
        }
    }
}

impl From<BadImage> for Refusal {
    fn from(bad: BadImage) -> Self {
        match bad {
            BadImage::Undecodable => Self::NotAnImage,
            BadImage::TooManyPixels => Self::TooManyPixels,
        }
    }
}

/// Checks a raster picture's size from its header (nothing is decoded): the stored file is
/// served as it is, so its size must be sane for every browser that shows it.
pub fn check_raster(image: &[u8]) -> Result<(), Refusal> {
    images::dimensions(image).map(|_| ()).map_err(Refusal::from)
}

/// Reads the image in `field` (at most `max_bytes`), its type told by `sniff` from its
/// first bytes.
pub async fn read_image(
    mut form: Multipart,
    field_name: &str,
    max_bytes: usize,
    sniff: fn(&[u8]) -> Option<&'static str>,
) -> Result<(Bytes, &'static str), Refusal> {
    // A body past the route's limit ends the form with a 413 error.
    let refusal = |error: MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::TooLarge
        } else {
            Refusal::Missing
        }
    };
    while let Some(mut field) = form.next_field().await.map_err(refusal)? {
        if field.name() != Some(field_name) {
            continue;
        }
        let mut image = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(refusal)? {
            if image.len() + chunk.len() > max_bytes {
                return Err(Refusal::TooLarge);
            }
            image.extend_from_slice(&chunk);
        }
        if image.is_empty() {
            return Err(Refusal::Missing);
        }
        let kind = sniff(&image).ok_or(Refusal::NotAnImage)?;
        return Ok((Bytes::from(image), kind));
    }
    Err(Refusal::Missing)
}
