//! The media pipeline on real files made with ffmpeg: probe, HLS ladder, thumbnail, audio,
//! failures with their reason, one automatic retry, and jobs of dead workers taken over.

use std::path::Path;
use std::process::Command;

use backend::jobs::Runner;
use backend::media::jobs;
use backend::media::processing::ProcessMedia;
use backend::storage::{keys, MediaStorage};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::{spawn_app, TestApp};

struct Fixture {
    pool: PgPool,
    storage: MediaStorage,
    owner: Uuid,
    app: TestApp,
}

async fn fixture(pool: PgPool) -> Fixture {
    let app = spawn_app(pool.clone()).await;
    let storage = app.state.storage.clone();
    let owner = Uuid::new_v4();
    sqlx::query("INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, 'owner@example.com', 'Owner', 'x', 'owner')")
        .bind(owner)
        .execute(&pool)
        .await
        .unwrap();
    Fixture {
        pool,
        storage,
        owner,
        app,
    }
}

fn ffmpeg(args: &str, output: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-y", "-v", "error"])
        .args(args.split_whitespace())
        .arg(output)
        .status()
        .expect("ffmpeg is installed");
    assert!(status.success(), "ffmpeg {args}");
}

impl Fixture {
    /// Runs the next due media job, as a worker would; `false` when none was due.
    async fn run_next(&self) -> bool {
        self.app.run_job::<ProcessMedia>().await
    }

    fn runner(&self) -> Runner {
        Runner::new(self.app.state.clone()).register::<ProcessMedia>()
    }

    /// Stores `file` as the original of a new media item and queues its processing.
    async fn upload(&self, kind: &str, file: &Path) -> Uuid {
        let id = Uuid::new_v4();
        let size = std::fs::metadata(file).unwrap().len() as i64;
        sqlx::query(
            "INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes) VALUES ($1, $2, $3, 'upload', 'application/octet-stream', $4)",
        )
        .bind(id)
        .bind(self.owner)
        .bind(kind)
        .bind(size)
        .execute(&self.pool)
        .await
        .unwrap();
        // Stored in parts, as uploads arrive.
        let bytes = std::fs::read(file).unwrap();
        for (index, part) in bytes.chunks(64 * 1024).enumerate() {
            let part = bytes::Bytes::copy_from_slice(part);
            self.storage
                .put_bytes(&keys::part(id, index as u32), part)
                .await
                .unwrap();
        }
        let mut conn = self.pool.acquire().await.unwrap();
        jobs::enqueue(&mut conn, id).await.unwrap();
        id
    }

    async fn status(&self, id: Uuid) -> (String, Option<String>) {
        sqlx::query_as("SELECT status, error FROM media WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn text(&self, key: &str) -> String {
        let bytes = self
            .storage
            .get_bytes(key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{key} missing"));
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_720p_video_plays_on_its_lowest_rung_then_becomes_a_three_rung_ladder(pool: PgPool) {
    let f = fixture(pool).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("clip.mp4");
    ffmpeg(
        "-f lavfi -i testsrc=size=1280x720:rate=25:duration=7 -f lavfi -i sine=frequency=440:duration=7 -c:v libx264 -preset ultrafast -c:a aac -shortest",
        &file,
    );
    let id = f.upload("video", &file).await;
    assert_eq!(f.status(id).await.0, "uploaded");

    let worker = {
        let runner = f.runner();
        tokio::spawn(async move { runner.run_next().await.unwrap() })
    };
    // The lowest rung plays before the job ends: the item is ready, its job still running.
    let mut playable = None;
    while playable.is_none() && !worker.is_finished() {
        let (media, job, renditions): (String, String, serde_json::Value) = sqlx::query_as(
            "SELECT m.status, j.status, m.renditions FROM media m JOIN jobs j ON j.unique_key = 'process_media:' || m.id WHERE m.id = $1",
        )
        .bind(id)
        .fetch_one(&f.pool)
        .await
        .unwrap();
        if media == "ready" {
            playable = Some((job, renditions));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (job, renditions) = playable.expect("ready before its job ended");
    assert_eq!(job, "running");
    assert_eq!(renditions[0]["name"], "360p", "{renditions}");
    assert_eq!(renditions.as_array().unwrap().len(), 1, "{renditions}");
    let lowest = f
        .text(&format!("{}/360p/index.m3u8", keys::hls_prefix(id)))
        .await;
    assert!(lowest.contains("segment_0000.ts"), "{lowest}");
    assert!(f
        .text(&keys::master_playlist(id))
        .await
        .contains("360p/index.m3u8"));
    assert!(f.storage.exists(&keys::thumbnail(id)).await.unwrap());

    assert!(worker.await.unwrap());
    assert_eq!(f.status(id).await, ("ready".to_string(), None));

    let master = f.text(&keys::master_playlist(id)).await;
    assert_eq!(master.matches("#EXT-X-STREAM-INF").count(), 3, "{master}");
    for resolution in [
        "RESOLUTION=1280x720",
        "RESOLUTION=854x480",
        "RESOLUTION=640x360",
    ] {
        assert!(master.contains(resolution), "{resolution} in {master}");
    }
    assert!(!master.contains("1080"), "never upscaled: {master}");
    assert!(
        master.find("720p/").unwrap() < master.find("360p/").unwrap(),
        "highest first: {master}"
    );
    for rung in ["720p", "480p", "360p"] {
        let playlist = f
            .text(&format!("{}/{rung}/index.m3u8", keys::hls_prefix(id)))
            .await;
        assert!(playlist.contains("#EXT-X-TARGETDURATION:6"), "{playlist}");
        assert_eq!(
            playlist.matches("segment_").count(),
            2,
            "7 s in 6 s segments: {playlist}"
        );
        assert!(f
            .storage
            .exists(&format!("{}/{rung}/segment_0001.ts", keys::hls_prefix(id)))
            .await
            .unwrap());
    }
    let thumbnail = f
        .storage
        .get_bytes(&keys::thumbnail(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&thumbnail[..2], &[0xFF, 0xD8], "a JPEG");
    let small = f
        .storage
        .get_bytes(&keys::small_thumbnail(id))
        .await
        .unwrap()
        .expect("the grid thumbnail");
    for (bytes, size) in [(&thumbnail, (1280, 720)), (&small, (480, 270))] {
        let image = image::load_from_memory(bytes).unwrap();
        assert_eq!((image.width(), image.height()), size);
    }
    // Scrubbing previews: about 7 s at a frame every 2 s, on one sheet.
    let storyboard = f
        .text(&format!("{}/storyboard.vtt", keys::hls_prefix(id)))
        .await;
    assert_eq!(storyboard.matches(" --> ").count(), 4, "{storyboard}");
    assert!(
        storyboard.contains("storyboard_001.jpg#xywh=480,0,160,90"),
        "{storyboard}"
    );
    let sheet = f
        .storage
        .get_bytes(&format!("{}/storyboard_001.jpg", keys::hls_prefix(id)))
        .await
        .unwrap()
        .expect("the storyboard's sheet");
    assert_eq!(&sheet[..2], &[0xFF, 0xD8], "a JPEG");

    let (duration, width, height, renditions): (f64, i32, i32, serde_json::Value) = sqlx::query_as(
        "SELECT duration_seconds, width, height, renditions FROM media WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&f.pool)
    .await
    .unwrap();
    assert!((6.5..7.5).contains(&duration), "{duration}");
    assert_eq!((width, height), (1280, 720));
    assert_eq!(renditions.as_array().unwrap().len(), 3);
    // What it keeps in storage is measured: the uploaded file, the ladder, the thumbnail.
    let stored: Option<i64> = sqlx::query_scalar("SELECT stored_bytes FROM media WHERE id = $1")
        .bind(id)
        .fetch_one(&f.pool)
        .await
        .unwrap();
    let objects: u64 = f
        .storage
        .sizes(&keys::all(id))
        .await
        .unwrap()
        .iter()
        .map(|(_, size)| size)
        .sum();
    assert_eq!(stored, Some(objects as i64));
    assert!(objects > std::fs::metadata(&file).unwrap().len());
    assert!(!f.run_next().await, "nothing left to do");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_small_silent_video_keeps_its_own_height(pool: PgPool) {
    let f = fixture(pool).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("small.webm");
    ffmpeg(
        "-f lavfi -i testsrc=size=320x240:rate=15:duration=2 -c:v libvpx -b:v 200k",
        &file,
    );
    let id = f.upload("video", &file).await;
    f.run_next().await;
    assert_eq!(f.status(id).await.0, "ready");
    let master = f.text(&keys::master_playlist(id)).await;
    assert!(master.contains("RESOLUTION=320x240"), "{master}");
}

/// The integrated loudness (LUFS) of a file, as ffmpeg's EBU R 128 meter reads it.
fn measured_loudness(file: &Path) -> f64 {
    let output = Command::new("ffmpeg")
        .args(["-nostats", "-i"])
        .arg(file)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .expect("ffmpeg is installed");
    let log = String::from_utf8_lossy(&output.stderr);
    let summary = &log[log
        .rfind("Integrated loudness:")
        .expect("an ebur128 summary")..];
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with("I:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn audio_becomes_two_loudness_normalised_rungs_and_a_waveform(pool: PgPool) {
    let f = fixture(pool).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("song.mp3");
    // A quiet recording: far below -16 LUFS.
    ffmpeg(
        "-f lavfi -i sine=frequency=330:duration=8 -af volume=0.05 -c:a libmp3lame -b:a 96k",
        &file,
    );
    assert!(measured_loudness(&file) < -30.0);
    let id = f.upload("audio", &file).await;
    f.run_next().await;
    assert_eq!(f.status(id).await, ("ready".to_string(), None));

    let master = f.text(&keys::master_playlist(id)).await;
    assert!(
        master.contains("128k/index.m3u8") && master.contains("64k/index.m3u8"),
        "{master}"
    );
    for (rung, kbps) in [("128k", 128.0), ("64k", 64.0)] {
        let playlist = f
            .text(&format!("{}/{rung}/index.m3u8", keys::hls_prefix(id)))
            .await;
        // The rung's segments, joined, as a player would hear them.
        let mut joined = Vec::new();
        for segment in playlist.lines().filter(|l| l.ends_with(".ts")) {
            let key = format!("{}/{rung}/{segment}", keys::hls_prefix(id));
            joined.extend_from_slice(&f.storage.get_bytes(&key).await.unwrap().unwrap());
        }
        let heard = work.path().join(format!("{rung}.ts"));
        std::fs::write(&heard, &joined).unwrap();
        let loudness = measured_loudness(&heard);
        assert!(
            (-17.0..=-15.0).contains(&loudness),
            "{rung}: {loudness} LUFS"
        );
        // About its bitrate (MPEG-TS adds its own overhead on top).
        let kbits = joined.len() as f64 * 8.0 / 1000.0 / 8.0;
        assert!(kbits > kbps * 0.7, "{rung}: {kbits} kbit/s");
    }
    let renditions: serde_json::Value =
        sqlx::query_scalar("SELECT renditions FROM media WHERE id = $1")
            .bind(id)
            .fetch_one(&f.pool)
            .await
            .unwrap();
    assert_eq!(renditions.as_array().unwrap().len(), 2, "{renditions}");

    let waveform: serde_json::Value = serde_json::from_str(
        &f.text(&format!("{}/peaks.json", keys::hls_prefix(id)))
            .await,
    )
    .unwrap();
    let peaks = waveform["peaks"].as_array().unwrap();
    assert_eq!(peaks.len(), 800, "8 s at 100 samples a second");
    // A steady tone: level bars, but for the fade in and out at the edges.
    let level = peaks.iter().filter(|p| p.as_f64().unwrap() >= 0.8).count();
    assert!(level >= 700, "{waveform}");
    assert!(!f.storage.exists(&keys::thumbnail(id)).await.unwrap());

    // The podcast rendition: the top rung's AAC in an M4A of the whole length, its size kept.
    let podcast = f
        .storage
        .get_bytes(&keys::podcast(id))
        .await
        .unwrap()
        .unwrap();
    let kept: Option<i64> = sqlx::query_scalar("SELECT podcast_bytes FROM media WHERE id = $1")
        .bind(id)
        .fetch_one(&f.pool)
        .await
        .unwrap();
    assert_eq!(kept, Some(podcast.len() as i64));
    let m4a = work.path().join("podcast.m4a");
    std::fs::write(&m4a, &podcast).unwrap();
    let probe = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=format_name,duration:stream=codec_name",
            "-of",
            "default=nw=1",
        ])
        .arg(&m4a)
        .output()
        .unwrap();
    let probe = String::from_utf8_lossy(&probe.stdout);
    assert!(
        probe.contains("codec_name=aac") && probe.contains("mp4"),
        "{probe}"
    );
    let duration: f64 = probe
        .lines()
        .find_map(|l| l.strip_prefix("duration="))
        .unwrap()
        .parse()
        .unwrap();
    assert!((7.5..=8.5).contains(&duration), "{duration}");
    assert!(
        (-17.0..=-15.0).contains(&measured_loudness(&m4a)),
        "normalised as the rungs"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_corrupt_file_is_retried_once_then_fails_with_the_reason(pool: PgPool) {
    let f = fixture(pool).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("broken.mp4");
    std::fs::write(&file, b"this is not a video at all").unwrap();
    let id = f.upload("video", &file).await;

    assert!(f.run_next().await);
    assert_eq!(
        f.status(id).await,
        ("uploaded".to_string(), None),
        "queued for its one retry"
    );
    assert!(!f.run_next().await, "the retry waits a little");

    sqlx::query("UPDATE jobs SET run_at = now()")
        .execute(&f.pool)
        .await
        .unwrap();
    assert!(f.run_next().await);
    let (status, error) = f.status(id).await;
    assert_eq!(status, "failed");
    assert!(error.unwrap().contains("ffprobe could not read the file"));
    let attempts: i32 = sqlx::query_scalar("SELECT attempts FROM jobs")
        .fetch_one(&f.pool)
        .await
        .unwrap();
    assert_eq!(attempts, 2);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_job_failing_after_the_lowest_rung_plays_leaves_the_item_playing(pool: PgPool) {
    let f = fixture(pool).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("clip.bin");
    std::fs::write(&file, b"not processed in this test").unwrap();
    let id = f.upload("video", &file).await;
    // As if its first try had made the lowest rung playable, then failed on the higher ones.
    let lowest = jobs::Processed {
        duration_seconds: 7.0,
        width: Some(1280),
        height: Some(720),
        renditions: vec![domain::media::Rendition {
            name: "360p".into(),
            height: Some(360),
            bandwidth: 896_000,
        }],
        has_thumbnail: true,
        stored_bytes: None,
        podcast_bytes: None,
    };
    jobs::mark_ready(&f.pool, id, &lowest).await.unwrap();
    assert_eq!(f.status(id).await.0, "ready");

    // The try fails: waiting for its retry, and in it, the item keeps playing.
    assert!(f.run_next().await);
    assert_eq!(f.status(id).await, ("ready".to_string(), None));
    sqlx::query("UPDATE jobs SET run_at = now()")
        .execute(&f.pool)
        .await
        .unwrap();

    // Failing for good, it still plays its lowest rung, and the owner sees why no more.
    assert!(f.run_next().await);
    let (status, error) = f.status(id).await;
    assert_eq!(status, "ready");
    assert!(
        error
            .as_deref()
            .unwrap()
            .contains("ffprobe could not read the file"),
        "{error:?}"
    );
    assert_eq!(
        f.app
            .count("SELECT count(*) FROM jobs WHERE status = 'failed' AND attempts = 2")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_job_of_a_dead_worker_is_taken_over_after_its_lease(pool: PgPool) {
    let f = fixture(pool).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("song.wav");
    ffmpeg("-f lavfi -i sine=frequency=220:duration=2", &file);
    let id = f.upload("audio", &file).await;

    // A worker claims the job, then dies without a word.
    let dying = {
        let runner = f.runner();
        tokio::spawn(async move { runner.run_next().await })
    };
    while f.status(id).await.0 != "processing" {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    dying.abort();
    let _ = dying.await;
    assert!(!f.run_next().await, "the lease still holds");

    sqlx::query("UPDATE jobs SET locked_until = now() - interval '1 second'")
        .execute(&f.pool)
        .await
        .unwrap();
    assert!(f.run_next().await);
    assert_eq!(f.status(id).await.0, "ready");
    assert_eq!(
        f.app
            .count("SELECT count(*) FROM jobs WHERE status = 'done' AND attempts = 2")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_hls_playlist_disguised_as_a_video_is_refused(pool: PgPool) {
    let f = fixture(pool).await;
    let work = tempfile::tempdir().unwrap();
    // A real segment on this machine, and a playlist that points ffmpeg at it: were it
    // opened, ffmpeg would read whatever the playlist lists (local files, other servers).
    let segment = work.path().join("segment.ts");
    ffmpeg(
        "-f lavfi -i testsrc=size=320x240:rate=25:duration=2 -c:v libx264 -preset ultrafast -f mpegts",
        &segment,
    );
    let playlist = work.path().join("clip.mp4");
    std::fs::write(
        &playlist,
        format!(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{}\n#EXT-X-ENDLIST\n",
            segment.display()
        ),
    )
    .unwrap();
    let id = f.upload("video", &playlist).await;

    for _ in 0..2 {
        sqlx::query("UPDATE jobs SET run_at = now()")
            .execute(&f.pool)
            .await
            .unwrap();
        assert!(f.run_next().await);
    }
    let (status, error) = f.status(id).await;
    assert_eq!(status, "failed");
    assert!(error.unwrap().contains("ffprobe could not read the file"));
    assert!(!f.storage.exists(&keys::master_playlist(id)).await.unwrap());
}
