//! Parsers of other request parts: the Range header, HLS paths, CSV fields and uploaded
//! pictures' headers. None panics on any input, and each keeps its promise.
#![no_main]
use backend::byte_range::{answer, RangeAnswer};
use backend::image_upload::sniff;
use backend::csv;
use backend::images;
use backend::media::hls::safe_path;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let size = data.len() as u64 * 37;
    if let RangeAnswer::Part { start, end } = answer(Some(&text), size) {
        assert!(start <= end && end < size, "{text:?} {size}");
    }
    if safe_path(&text) {
        assert!(!text.starts_with('/') && !text.split('/').any(|p| p == ".." || p.is_empty()));
    }
    let field = csv::field(&text);
    // Quoted whole, and no formula inside the quotes.
    assert!(field.len() >= 2 && field.starts_with('"') && field.ends_with('"'), "{field:?}");
    assert!(!field[1..].starts_with(['=', '+', '-', '@']), "{field:?}");
    let _ = sniff(data);
    if let Ok((width, height)) = images::dimensions(data) {
        assert!(width <= domain::media::MAX_IMAGE_SIDE && height <= domain::media::MAX_IMAGE_SIDE);
    }
});
