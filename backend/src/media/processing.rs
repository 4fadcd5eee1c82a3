//! The media worker: probe the upload, transcode it to HLS, cut the thumbnail, store the
//! results, and record the outcome.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use super::jobs::{self, Job, Processed};
use super::probe;
use super::storage::{keys, MediaStorage};
use super::transcode;
use crate::error::Error;
use domain::media::{MediaKind, Rendition};

/// How long a claim lasts without a heartbeat; a dead worker's job is retried after it
/// (`MEDIA_JOB_LEASE_SECS` changes it for the worker).
pub const LEASE: Duration = Duration::minutes(2);
const POLL_EVERY: StdDuration = StdDuration::from_secs(2);

/// Claims and processes one job; false when none was due.
pub async fn run_next(pool: &PgPool, storage: &MediaStorage) -> Result<bool, Error> {
    run_next_with_lease(pool, storage, LEASE).await
}

/// [`run_next`] with its own lease; the claim is renewed four times per lease.
pub async fn run_next_with_lease(
    pool: &PgPool,
    storage: &MediaStorage,
    lease: Duration,
) -> Result<bool, Error> {
    let Some(job) = jobs::claim(pool, lease).await? else {
        return Ok(false);
    };
    let heartbeat_every = StdDuration::try_from(lease / 4).unwrap_or(StdDuration::from_secs(1));
    tracing::info!(job = %job.id, media = %job.media_id, attempt = job.attempts, "processing media");
    let heartbeat = {
        let pool = pool.clone();
        let id = job.id;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(heartbeat_every).await;
                if let Err(error) = jobs::heartbeat(&pool, id, lease).await {
                    tracing::warn!(?error, "media job heartbeat failed");
                }
            }
        })
    };
    let outcome = if job.attempts > job.max_attempts {
        Err("processing was interrupted too many times".to_string())
    } else {
        process(pool, storage, &job).await
    };
    heartbeat.abort();
    jobs::finish(pool, &job, outcome).await?;
    Ok(true)
}

/// Runs until the process stops.
pub async fn run(pool: PgPool, storage: MediaStorage, lease: Duration) {
    tracing::info!("media worker started");
    loop {
        match run_next_with_lease(&pool, &storage, lease).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::error!(?error, "media worker round failed"),
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

async fn process(pool: &PgPool, storage: &MediaStorage, job: &Job) -> Result<Processed, String> {
    let storage_error = |e: Error| format!("storage error: {e}");
    let kind = sqlx::query_scalar!("SELECT kind FROM media WHERE id = $1", job.media_id)
        .fetch_optional(pool)
        .await
        .map_err(|e| format!("database error: {e}"))?
        .and_then(|k| MediaKind::from_db(&k))
        .ok_or("the media item no longer exists")?;

    let work = tempfile::tempdir().map_err(|e| format!("cannot create a work folder: {e}"))?;
    let input = work.path().join("original");
    storage
        .download_concatenated(&keys::parts_prefix(job.media_id), &input)
        .await
        .map_err(storage_error)?;
    let encoded = encode(kind, &input, work.path()).await?;
    store(storage, job.media_id, &encoded)
        .await
        .map_err(storage_error)?;
    let stored: u64 = storage
        .sizes(&keys::all(job.media_id))
        .await
        .map_err(storage_error)?
        .iter()
        .map(|(_, size)| size)
        .sum();
    Ok(Processed {
        stored_bytes: i64::try_from(stored).ok(),
        ..encoded.processed
    })
}

/// What [`encode`] made, in a local work folder.
pub struct Encoded {
    pub processed: Processed,
    /// The HLS tree: `master.m3u8` and one folder per rendition.
    pub hls: PathBuf,
    pub thumbnail: Option<PathBuf>,
}

/// Probes `input` and turns it into HLS (and, for video, a thumbnail) under `work`.
pub async fn encode(kind: MediaKind, input: &Path, work: &Path) -> Result<Encoded, String> {
    let probe = probe::probe(input).await?;
    let hls = work.join("hls");
    tokio::fs::create_dir_all(&hls)
        .await
        .map_err(|e| format!("cannot create a work folder: {e}"))?;

    let limit = transcode::time_limit(probe.duration_seconds);
    let (renditions, size, thumbnail) = match kind {
        MediaKind::Video => {
            let (width, height) = probe.video.ok_or("this video file has no video stream")?;
            let rungs = transcode::ladder(height);
            transcode::ffmpeg(
                &transcode::video_args(input, &hls, &rungs, probe.has_audio),
                limit,
            )
            .await?;
            let thumbnail = work.join("thumbnail.jpg");
            transcode::ffmpeg(
                &transcode::thumbnail_args(input, &thumbnail, probe.duration_seconds),
                limit,
            )
            .await?;
            (
                transcode::renditions(&rungs),
                Some((width, height)),
                Some(thumbnail),
            )
        }
        MediaKind::Audio => {
            if !probe.has_audio {
                return Err("this audio file has no audio stream".into());
            }
            transcode::ffmpeg(&transcode::audio_args(input, &hls), limit).await?;
            let audio = Rendition {
                name: "audio".into(),
                height: None,
                bandwidth: 128_000,
            };
            (vec![audio], None, None)
        }
    };
    Ok(Encoded {
        processed: Processed {
            duration_seconds: probe.duration_seconds,
            width: size.map(|(w, _)| w as i32),
            height: size.map(|(_, h)| h as i32),
            renditions,
            has_thumbnail: thumbnail.is_some(),
            stored_bytes: None,
        },
        hls,
        thumbnail,
    })
}

/// Puts what [`encode`] made where playback and the thumbnail route read it.
pub async fn store(storage: &MediaStorage, media: Uuid, encoded: &Encoded) -> Result<(), Error> {
    if let Some(thumbnail) = &encoded.thumbnail {
        storage.put_file(&keys::thumbnail(media), thumbnail).await?;
    }
    storage
        .put_folder(&keys::hls_prefix(media), &encoded.hls)
        .await?;
    Ok(())
}
