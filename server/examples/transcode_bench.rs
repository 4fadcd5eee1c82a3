//! Transcoding speed: encodes a file exactly as the media worker does (probe, the lowest
//! rung and the thumbnails, then the rest of the ladder and the storyboard; or audio's
//! loudness pass, rungs and waveform) and prints seconds of media per second of wall time,
//! and when the first playable version was there.
//!
//! cargo run --release -p server --example transcode_bench -- <file> [video|audio]

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use backend::media::processing::{encode_first, encode_rest};
use domain::media::MediaKind;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let input = args
        .next()
        .context("usage: transcode_bench <file> [video|audio]")?;
    let kind = match args.next().as_deref() {
        Some("audio") => MediaKind::Audio,
        _ => MediaKind::Video,
    };
    let work = tempfile::tempdir()?;
    let started = Instant::now();
    let first = encode_first(kind, Path::new(&input), work.path())
        .await
        .map_err(anyhow::Error::msg)?;
    let first_playable = started.elapsed().as_secs_f64();
    let encoded = match &first.rest {
        Some(rest) => encode_rest(rest).await.map_err(anyhow::Error::msg)?,
        None => first.encoded,
    };
    let wall = started.elapsed().as_secs_f64();
    let media = encoded.processed.duration_seconds;
    let rungs: Vec<String> = encoded
        .processed
        .renditions
        .iter()
        .map(|r| r.name.clone())
        .collect();
    println!(
        "transcode {}: {media:.1} s of media in {wall:.1} s of wall time = {:.2} s of media per second (renditions {}); first playable after {first_playable:.1} s",
        kind.as_str(),
        media / wall,
        rungs.join(", ")
    );
    Ok(())
}
