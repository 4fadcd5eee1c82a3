//! Pictures people upload (avatars, logos, cover images) are bounded before any work is
//! spent on them: a size read from the file's header alone, decoding with limits on
//! dimensions and memory, and decoding run as bounded CPU work (`cpu_work::images`).

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::cpu_work;
use crate::error::Error;
use domain::media::MAX_IMAGE_SIDE;

/// The most memory one decode may allocate.
pub const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a picture cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum BadImage {
    /// Its header or data does not decode.
    Undecodable,
    /// Wider or higher than [`MAX_IMAGE_SIDE`].
    TooManyPixels,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, BadImage> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| BadImage::Undecodable)?;
    reader.limits(limits());
    Ok(reader)
}

/// Width and height from the header only (no pixel is decoded), within the limits.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), BadImage> {
    let (width, height) = reader(bytes)?.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => BadImage::TooManyPixels,
        _ => BadImage::Undecodable,
    })?;
    if width == 0 || height == 0 {
        return Err(BadImage::Undecodable);
    }
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(BadImage::TooManyPixels);
    }
    Ok((width, height))
}

/// Decodes a picture whose header passed [`dimensions`], within the memory limit.
fn decode(bytes: &[u8]) -> Result<DynamicImage, BadImage> {
    dimensions(bytes)?;
    reader(bytes)?.decode().map_err(|_| BadImage::Undecodable)
}

/// Crops a picture to a centred square of `side` pixels, as a JPEG. A large picture is
/// first shrunk cheaply (a box filter) to twice the target, so that the good filter only
/// ever works on a small image.
pub fn square_jpeg(bytes: &[u8], side: u32) -> Result<Vec<u8>, BadImage> {
    let mut image = decode(bytes)?;
    let short_side = image.width().min(image.height());
    if short_side > side * 2 {
        let scale = f64::from(side * 2) / f64::from(short_side);
        let width = ((f64::from(image.width()) * scale).round() as u32).max(1);
        let height = ((f64::from(image.height()) * scale).round() as u32).max(1);
        image = image.thumbnail_exact(width, height);
    }
    let square = image.resize_to_fill(side, side, FilterType::Lanczos3);
    let mut out = Cursor::new(Vec::new());
    square
        .to_rgb8()
        .write_to(&mut out, ImageFormat::Jpeg)
        .map_err(|_| BadImage::Undecodable)?;
    Ok(out.into_inner())
}

/// [`square_jpeg`] as bounded CPU work.
pub async fn square_jpeg_bounded(
    bytes: bytes::Bytes,
    side: u32,
) -> Result<Result<Vec<u8>, BadImage>, Error> {
    cpu_work::images()
        .run(move || square_jpeg(&bytes, side))
        .await
}

/// A PNG of one colour, `width` × `height`, for the unit tests of image checks.
#[cfg(test)]
pub(crate) fn solid_png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::solid_png as png;
    use super::*;

    /// A PNG whose header claims `width` x `height` but carries almost no data: what an
    /// attacker sends to make a server allocate gigabytes.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(1, 1);
        // IHDR's width and height sit at bytes 16..24, and its CRC (of bytes 12..29) after.
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in data {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn squares_of_the_asked_size() {
        for (w, h) in [(640, 360), (3000, 4000), (300, 300)] {
            let jpeg = square_jpeg(&png(w, h), 256).unwrap();
            let decoded = image::load_from_memory(&jpeg).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (256, 256), "{w}x{h}");
        }
    }

    #[test]
    fn huge_claimed_sizes_are_refused_before_decoding() {
        assert_eq!(
            dimensions(&png_claiming(100_000, 100_000)),
            Err(BadImage::TooManyPixels)
        );
        assert_eq!(
            square_jpeg(&png_claiming(60_000, 2), 256),
            Err(BadImage::TooManyPixels)
        );
        assert_eq!(dimensions(&png(MAX_IMAGE_SIDE, 1)), Ok((MAX_IMAGE_SIDE, 1)));
        assert_eq!(
            dimensions(&png(MAX_IMAGE_SIDE + 1, 1)),
            Err(BadImage::TooManyPixels)
        );
    }

    #[test]
    fn broken_images_are_refused() {
        let mut broken = png(10, 10);
        broken.truncate(30);
        assert!(square_jpeg(&broken, 256).is_err());
        assert!(square_jpeg(b"\x89PNG\r\n\x1a\nnot really", 256).is_err());
        assert_eq!(dimensions(b"hello"), Err(BadImage::Undecodable));
    }
}
