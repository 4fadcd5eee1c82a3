//! The media job: probe the upload, transcode it to HLS, cut the thumbnail, store the
//! results, and record the outcome. A video with several rungs is playable on its lowest
//! rung (encoded alone, the quickest) while the higher ones encode.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use uuid::Uuid;

use super::jobs::{self, Processed};
use super::probe;
use super::transcode;
use crate::error::Error;
use crate::jobs::Job;
use crate::state::AppState;
use crate::storage::{keys, MediaStorage};
use domain::media::{MediaKind, Rendition};

/// Processing one uploaded media item: probe, HLS ladder, thumbnails, stored; tried twice.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ProcessMedia {
    pub media: Uuid,
}

impl Job for ProcessMedia {
    const KIND: &'static str = "process_media";
    const MAX_ATTEMPTS: i32 = 2;

    async fn run(&self, state: &AppState) -> Result<(), Error> {
        tracing::info!(media = %self.media, "processing media");
        jobs::mark_processing(&state.pool, self.media).await?;
        let done = process(state, self.media)
            .await
            .map_err(Error::Unprocessable)?;
        jobs::mark_ready(&state.pool, self.media, &done).await
    }

    async fn failed(&self, state: &AppState, error: &str, retrying: bool) -> Result<(), Error> {
        jobs::mark_failed(&state.pool, self.media, error, retrying).await
    }
}

async fn process(state: &AppState, media: Uuid) -> Result<Processed, String> {
    let (pool, storage) = (&state.pool, &state.storage);
    let storage_error = |e: Error| format!("storage error: {e}");
    let kind = sqlx::query_scalar!("SELECT kind FROM media WHERE id = $1", media)
        .fetch_optional(pool)
        .await
        .map_err(|e| format!("database error: {e}"))?
        .and_then(|k| MediaKind::from_db(&k))
        .ok_or("the media item no longer exists")?;

    let work = tempfile::tempdir().map_err(|e| format!("cannot create a work folder: {e}"))?;
    let input = work.path().join("original");
    storage
        .download_concatenated(&keys::parts_prefix(media), &input)
        .await
        .map_err(storage_error)?;
    let first = encode_first(kind, &input, work.path()).await?;
    store(storage, media, &first.encoded)
        .await
        .map_err(storage_error)?;
    let Some(rest) = first.rest else {
        return with_stored_bytes(storage, media, first.encoded.processed).await;
    };
    // Viewers can start on the lowest rung while the others encode.
    let playable = with_stored_bytes(storage, media, first.encoded.processed).await?;
    jobs::mark_ready(pool, media, &playable)
        .await
        .map_err(|e| format!("database error: {e}"))?;
    tracing::info!(%media, "lowest rung playable, encoding the others");
    let full = encode_rest(&rest).await?;
    store(storage, media, &full).await.map_err(storage_error)?;
    with_stored_bytes(storage, media, full.processed).await
}

/// `processed`, with what the item now keeps in storage.
async fn with_stored_bytes(
    storage: &MediaStorage,
    media: Uuid,
    processed: Processed,
) -> Result<Processed, String> {
    let stored: u64 = storage
        .sizes(&keys::all(media))
        .await
        .map_err(|e| format!("storage error: {e}"))?
        .iter()
        .map(|(_, size)| size)
        .sum();
    Ok(Processed {
        stored_bytes: i64::try_from(stored).ok(),
        ..processed
    })
}

/// What an encode step made, in a local work folder.
pub struct Encoded {
    pub processed: Processed,
    /// Rendition folders (and, for video, the storyboard; for audio, the waveform).
    pub hls: PathBuf,
    /// `master.m3u8`, kept out of `hls` so that it is stored after the playlists it lists.
    pub master: PathBuf,
    pub thumbnail: Option<PathBuf>,
    /// An audio item's progressive rendition (AAC in M4A), for podcast apps.
    pub podcast: Option<PathBuf>,
}

/// The first playable version, and what is left to encode after it.
pub struct FirstPlayable {
    pub encoded: Encoded,
    pub rest: Option<Rest>,
}

/// The higher rungs of a video ladder, encoded once its lowest rung is playable.
pub struct Rest {
    input: PathBuf,
    work: PathBuf,
    higher: Vec<transcode::Rung>,
    lowest: Vec<transcode::Rung>,
    has_audio: bool,
    limit: StdDuration,
    /// What the first step found and made: the final figures but for the renditions.
    first: Processed,
    lowest_master: PathBuf,
}

/// Probes `input` and makes its first playable version under `work`: for a video, the
/// lowest rung alone (the quickest to encode) and the thumbnails, the rest of its ladder
/// left to [`encode_rest`]; a one-rung video or audio, everything.
pub async fn encode_first(
    kind: MediaKind,
    input: &Path,
    work: &Path,
) -> Result<FirstPlayable, String> {
    let probe = probe::probe(input).await?;
    let hls = work_folder(work, "hls").await?;
    let limit = transcode::time_limit(probe.duration_seconds);
    match kind {
        MediaKind::Video => {
            let (width, height) = probe.video.ok_or("this video file has no video stream")?;
            let mut higher = transcode::ladder(height);
            let lowest = higher.split_off(higher.len() - 1);
            transcode::ffmpeg(
                &transcode::video_args(input, &hls, &lowest, probe.has_audio),
                limit,
            )
            .await?;
            let thumbnail = work.join("thumbnail.jpg");
            transcode::ffmpeg(
                &transcode::thumbnail_args(
                    input,
                    &thumbnail,
                    &small_thumbnail(&thumbnail),
                    probe.duration_seconds,
                ),
                limit,
            )
            .await?;
            let master = take_master(&hls, &work.join("master.m3u8")).await?;
            let processed = Processed {
                duration_seconds: probe.duration_seconds,
                width: Some(width as i32),
                height: Some(height as i32),
                renditions: transcode::renditions(&lowest),
                has_thumbnail: true,
                stored_bytes: None,
                podcast_bytes: None,
            };
            let rest = if higher.is_empty() {
                storyboard(input, &hls, probe.duration_seconds, limit).await;
                None
            } else {
                Some(Rest {
                    input: input.to_path_buf(),
                    work: work.to_path_buf(),
                    higher,
                    lowest,
                    has_audio: probe.has_audio,
                    limit,
                    first: processed.clone(),
                    lowest_master: master.clone(),
                })
            };
            Ok(FirstPlayable {
                encoded: Encoded {
                    processed,
                    hls,
                    master,
                    thumbnail: Some(thumbnail),
                    podcast: None,
                },
                rest,
            })
        }
        MediaKind::Audio => {
            if !probe.has_audio {
                return Err("this audio file has no audio stream".into());
            }
            encode_audio(input, work, &hls, limit).await?;
            let podcast = work.join("podcast.m4a");
            transcode::ffmpeg(&transcode::podcast_args(&hls, &podcast), limit).await?;
            let podcast_bytes = tokio::fs::metadata(&podcast)
                .await
                .map_err(|e| format!("cannot read the podcast rendition: {e}"))?
                .len() as i64;
            let renditions = transcode::AUDIO_RUNGS
                .iter()
                .map(|kbps| Rendition {
                    name: format!("{kbps}k"),
                    height: None,
                    bandwidth: kbps * 1000,
                })
                .collect();
            let master = take_master(&hls, &work.join("master.m3u8")).await?;
            Ok(FirstPlayable {
                encoded: Encoded {
                    processed: Processed {
                        duration_seconds: probe.duration_seconds,
                        width: None,
                        height: None,
                        renditions,
                        has_thumbnail: false,
                        stored_bytes: None,
                        podcast_bytes: Some(podcast_bytes),
                    },
                    hls,
                    master,
                    thumbnail: None,
                    podcast: Some(podcast),
                },
                rest: None,
            })
        }
    }
}

/// The higher rungs in one ffmpeg run (one decode, several outputs), the storyboard, and
/// the master playlist of the whole ladder.
pub async fn encode_rest(rest: &Rest) -> Result<Encoded, String> {
    let hls = work_folder(&rest.work, "hls-rest").await?;
    transcode::ffmpeg(
        &transcode::video_args(&rest.input, &hls, &rest.higher, rest.has_audio),
        rest.limit,
    )
    .await?;
    storyboard(&rest.input, &hls, rest.first.duration_seconds, rest.limit).await;
    let read = |path: PathBuf| async move {
        tokio::fs::read_to_string(&path)
            .await
            .map_err(|e| format!("cannot read a master playlist: {e}"))
    };
    let higher_master = take_master(&hls, &rest.work.join("master-higher.m3u8")).await?;
    let merged = transcode::merge_masters(
        &read(higher_master).await?,
        &read(rest.lowest_master.clone()).await?,
    );
    let master = rest.work.join("master-full.m3u8");
    tokio::fs::write(&master, merged)
        .await
        .map_err(|e| format!("cannot write the master playlist: {e}"))?;
    let all: Vec<_> = rest.higher.iter().chain(&rest.lowest).copied().collect();
    Ok(Encoded {
        processed: Processed {
            renditions: transcode::renditions(&all),
            ..rest.first.clone()
        },
        hls,
        master,
        thumbnail: None,
        podcast: None,
    })
}

async fn work_folder(work: &Path, name: &str) -> Result<PathBuf, String> {
    let folder = work.join(name);
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(|e| format!("cannot create a work folder: {e}"))?;
    Ok(folder)
}

/// Moves the master playlist ffmpeg wrote into `hls` to `to`.
async fn take_master(hls: &Path, to: &Path) -> Result<PathBuf, String> {
    tokio::fs::rename(hls.join("master.m3u8"), to)
        .await
        .map_err(|e| format!("ffmpeg wrote no master playlist: {e}"))?;
    Ok(to.to_path_buf())
}

/// The scrubbing previews, next to the playlists (so under the same playback token). A
/// video plays without them: a failure is logged, not the job's.
async fn storyboard(input: &Path, hls: &Path, duration_seconds: f64, limit: StdDuration) {
    let interval = transcode::storyboard_interval(duration_seconds);
    let made = transcode::ffmpeg(&transcode::storyboard_args(input, hls, interval), limit).await;
    let written = match made {
        Ok(()) => tokio::fs::write(
            hls.join("storyboard.vtt"),
            transcode::storyboard_vtt(duration_seconds, interval),
        )
        .await
        .map_err(|e| e.to_string()),
        Err(error) => Err(error),
    };
    if let Err(error) = written {
        tracing::warn!(%error, "no scrubbing previews for this video");
    }
}

/// Audio in two passes: the first measures its loudness and writes the waveform's signal,
/// the second encodes the rungs with the gain that brings it to -16 LUFS. The waveform goes
/// next to the playlists (`peaks.json`), under the same playback token.
async fn encode_audio(
    input: &Path,
    work: &Path,
    hls: &Path,
    limit: StdDuration,
) -> Result<(), String> {
    let raw = work.join("peaks.raw");
    let stderr =
        transcode::ffmpeg_stderr(&transcode::audio_measure_args(input, &raw), limit).await?;
    let measured = transcode::parse_loudness(&stderr);
    if measured.is_none() {
        tracing::info!("no loudness measured (silence?): one-pass normalisation");
    }
    transcode::ffmpeg(&transcode::audio_args(input, hls, measured.as_ref()), limit).await?;
    let signal = tokio::fs::read(&raw)
        .await
        .map_err(|e| format!("cannot read the waveform signal: {e}"))?;
    let peaks =
        serde_json::json!({ "peaks": transcode::waveform(&signal, transcode::WAVEFORM_BARS) });
    tokio::fs::write(hls.join("peaks.json"), peaks.to_string())
        .await
        .map_err(|e| format!("cannot write the waveform: {e}"))
}

/// Where the grid-sized thumbnail is made, next to the large one.
fn small_thumbnail(large: &Path) -> PathBuf {
    large.with_file_name("thumbnail-small.jpg")
}

/// Puts what an encode step made where playback and the thumbnail route read it; the
/// master playlist last, so it never lists a playlist that is not there yet.
pub async fn store(storage: &MediaStorage, media: Uuid, encoded: &Encoded) -> Result<(), Error> {
    if let Some(thumbnail) = &encoded.thumbnail {
        storage.put_file(&keys::thumbnail(media), thumbnail).await?;
        storage
            .put_file(&keys::small_thumbnail(media), &small_thumbnail(thumbnail))
            .await?;
    }
    if let Some(podcast) = &encoded.podcast {
        storage.put_file(&keys::podcast(media), podcast).await?;
    }
    storage
        .put_folder(&keys::hls_prefix(media), &encoded.hls)
        .await?;
    storage
        .put_file(&keys::master_playlist(media), &encoded.master)
        .await?;
    Ok(())
}
