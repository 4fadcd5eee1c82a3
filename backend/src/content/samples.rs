//! Sample content for a first look: three short clips made with ffmpeg's test sources
//! (nothing is downloaded), encoded exactly like uploads, published and marked as samples.
//! The owner asks for them on the setup page, which queues a `SeedSamples` job; an operator
//! can also run `server seed-samples`, which seeds at once.

use std::path::Path;
use std::time::Duration as StdDuration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::error::{internal, Error};
use crate::jobs::{self, Job};
use crate::media::processing::{encode_first, encode_rest, store};
use crate::media::transcode::{ffmpeg, time_limit};
use crate::storage::MediaStorage;
use domain::content::Slug;
use domain::media::MediaKind;

struct Sample {
    title: &'static str,
    description: &'static str,
    price_cents: i32,
    tags: &'static [&'static str],
    kind: MediaKind,
    /// ffmpeg's lavfi video source; `None` for audio.
    video: Option<&'static str>,
    tone_hz: u32,
    seconds: u32,
}

const SAMPLES: [Sample; 3] = [
    Sample {
        title: "Sample: Test pattern in motion",
        description: "A generated 720p test pattern with a tone, to try the player: quality choice, speed, seeking and resume.",
        price_cents: 0,
        tags: &["sample", "video"],
        kind: MediaKind::Video,
        video: Some("testsrc2=size=1280x720:rate=30"),
        tone_hz: 440,
        seconds: 20,
    },
    Sample {
        title: "Sample: Colour bars",
        description: "Generated HD colour bars. A priced sample, to see how paid items look in the catalog.",
        price_cents: 499,
        tags: &["sample", "video"],
        kind: MediaKind::Video,
        video: Some("smptehdbars=size=854x480:rate=25"),
        tone_hz: 1000,
        seconds: 12,
    },
    Sample {
        title: "Sample: Tuning tone",
        description: "A generated audio track: an A at 440 Hz.",
        price_cents: 0,
        tags: &["sample", "audio"],
        kind: MediaKind::Audio,
        video: None,
        tone_hz: 440,
        seconds: 30,
    },
];

/// Asks the job runner to publish the samples for `owner` (once: asking again while the
/// request waits changes nothing, and seeding adds nothing once the samples exist).
pub async fn request(pool: &PgPool, owner: Uuid) -> Result<(), Error> {
    jobs::enqueue(
        pool,
        &SeedSamples { owner },
        Some(SeedSamples::KIND),
        StdDuration::ZERO,
    )
    .await?;
    Ok(())
}

/// The job that seeds the samples for the owner who asked for them.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct SeedSamples {
    pub owner: Uuid,
}

impl Job for SeedSamples {
    const KIND: &'static str = "seed_samples";
    const MAX_ATTEMPTS: i32 = 2;

    async fn run(&self, state: &crate::state::AppState) -> Result<(), Error> {
        seed(&state.pool, &state.storage, self.owner)
            .await
            .map(|_| ())
    }
}

/// Publishes the samples for `owner`, once: a second call finds them and adds nothing.
/// Returns how many were added.
pub async fn seed(pool: &PgPool, storage: &MediaStorage, owner: Uuid) -> Result<usize, Error> {
    let present = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM content WHERE is_sample) AS "present!""#
    )
    .fetch_one(pool)
    .await?;
    if present {
        return Ok(0);
    }
    for sample in &SAMPLES {
        add(pool, storage, owner, sample).await?;
    }
    tracing::info!(count = SAMPLES.len(), "sample content published");
    Ok(SAMPLES.len())
}

async fn add(
    pool: &PgPool,
    storage: &MediaStorage,
    owner: Uuid,
    sample: &Sample,
) -> Result<(), Error> {
    let work = tempfile::tempdir().map_err(failed("sample work folder"))?;
    let (file_name, content_type) = match sample.kind {
        MediaKind::Video => ("sample.mp4", "video/mp4"),
        MediaKind::Audio => ("sample.m4a", "audio/mp4"),
    };
    let source = work.path().join(file_name);
    ffmpeg(&generate_args(sample, &source), time_limit(0.0))
        .await
        .map_err(failed("generating a sample"))?;
    let size = std::fs::metadata(&source)
        .map_err(failed("reading a sample"))?
        .len() as i64;
    let media = Uuid::new_v4();
    let first = encode_first(sample.kind, &source, work.path())
        .await
        .map_err(failed("encoding a sample"))?;
    store(storage, media, &first.encoded).await?;
    let encoded = match &first.rest {
        Some(rest) => {
            let full = encode_rest(rest)
                .await
                .map_err(failed("encoding a sample"))?;
            store(storage, media, &full).await?;
            full
        }
        None => first.encoded,
    };

    let done = &encoded.processed;
    let tags: Vec<String> = sample.tags.iter().map(|t| t.to_string()).collect();
    let slug = Slug::from_title(sample.title);
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status,
                              duration_seconds, width, height, renditions, has_thumbnail)
           VALUES ($1, $2, $3, $4, $5, $6, 'ready', $7, $8, $9, $10, $11)"#,
        media,
        owner,
        sample.kind.as_str(),
        file_name,
        content_type,
        size,
        done.duration_seconds,
        done.width,
        done.height,
        serde_json::to_value(&done.renditions).unwrap_or_default(),
        done.has_thumbnail
    )
    .execute(&mut *tx)
    .await?;
    super::categories::ensure(&mut tx, "Samples").await?;
    sqlx::query!(
        r#"INSERT INTO content (id, owner_id, slug, title, description, price_cents, category, tags,
                                media_id, status, is_sample, published_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'Samples', $7, $8, 'published', true, now())"#,
        Uuid::new_v4(),
        owner,
        slug.as_str(),
        sample.title,
        sample.description,
        sample.price_cents,
        &tags,
        media
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn failed<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    step: &'static str,
) -> impl Fn(E) -> Error {
    move |e| internal(step, e)
}

/// ffmpeg arguments that write the sample to `output` (H.264 and AAC, or AAC alone).
fn generate_args(sample: &Sample, output: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec!["-y".into(), "-v".into(), "error".into()];
    if let Some(video) = sample.video {
        args.extend(["-f".into(), "lavfi".into(), "-i".into(), video.into()]);
    }
    args.extend([
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        format!("sine=frequency={}:sample_rate=48000", sample.tone_hz),
        "-t".into(),
        sample.seconds.to_string(),
    ]);
    if sample.video.is_some() {
        args.extend(
            [
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            ]
            .map(String::from),
        );
    }
    args.extend(["-c:a", "aac", "-b:a", "128k"].map(String::from));
    args.push(output.display().to_string());
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_have_distinct_slugs_and_valid_prices() {
        let slugs: std::collections::HashSet<String> = SAMPLES
            .iter()
            .map(|s| Slug::from_title(s.title).as_str().to_string())
            .collect();
        assert_eq!(slugs.len(), SAMPLES.len());
        for sample in &SAMPLES {
            assert!(domain::content::Price::from_cents(sample.price_cents).is_ok());
        }
    }

    #[test]
    fn audio_samples_have_no_video_input() {
        let args = generate_args(&SAMPLES[2], Path::new("/tmp/a.m4a"));
        assert!(!args.iter().any(|a| a.contains("libx264")));
        assert_eq!(args.iter().filter(|a| *a == "lavfi").count(), 1);
    }
}
