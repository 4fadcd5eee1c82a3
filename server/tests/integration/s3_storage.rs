//! Media on an S3-compatible object store: moto's server (installed by
//! `scripts/install-deps.sh test` into `.tools/moto`; `MOTO_SERVER` points elsewhere) is
//! started for the test. Upload in parts, transcode, publish, play and delete run against it,
//! and what is in the bucket is read through S3's own API, not through Codex.

use crate::common::fns::{self, ServerFn as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{error_of, spawn_app_with, Browser, TestApp};
use backend::media::processing::ProcessMedia;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

const BUCKET: &str = "codex-media";

/// A moto S3 server on a free port, stopped when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    async fn start() -> Self {
        let program = std::env::var("MOTO_SERVER").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../.tools/moto/bin/moto_server"
            )
            .into()
        });
        assert!(
            std::path::Path::new(&program).exists(),
            "no S3 server at {program}: run scripts/install-deps.sh test"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let created = http
                .put(format!("{}/{BUCKET}", server.endpoint))
                .send()
                .await;
            match created {
                Ok(response) if response.status().is_success() => break,
                _ if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                other => panic!("the S3 server did not start: {other:?}"),
            }
        }
        server
    }

    /// The keys under `prefix`, listed by the S3 server itself.
    async fn keys(&self, prefix: &str) -> Vec<String> {
        let listing = reqwest::get(format!(
            "{}/{BUCKET}?list-type=2&prefix={prefix}",
            self.endpoint
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(String::from)
            .collect()
    }

    async fn object(&self, key: &str) -> Vec<u8> {
        let response = reqwest::get(format!("{}/{BUCKET}/{key}", self.endpoint))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{key}");
        response.bytes().await.unwrap().to_vec()
    }
}

/// A 3 s 480p video with sound: two rungs, so the lowest-first path runs too.
fn video_480p() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mp4");
    let status = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=size=854x480:rate=25:duration=3")
        .args(["-f", "lavfi", "-i", "sine=frequency=440:duration=3"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(file).unwrap()
}

/// Codex on `s3`'s bucket, with `extra` settings.
async fn app_on(s3: &S3Server, pool: PgPool, extra: &[(&str, &str)]) -> TestApp {
    let storage = format!("s3://{BUCKET}");
    let mut vars = vec![
        ("MEDIA_STORAGE", storage.as_str()),
        ("AWS_ENDPOINT", s3.endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "codex-test"),
        ("AWS_SECRET_ACCESS_KEY", "codex-test-secret"),
        ("AWS_REGION", "us-east-1"),
    ];
    vars.extend_from_slice(extra);
    spawn_app_with(pool, &vars).await
}

/// Uploads a 480p video over HTTP in parts and runs its job; the media id.
async fn upload_and_process(app: &TestApp, owner: &Browser<'_>) -> String {
    let video = video_480p();
    let ticket: Value = owner
        .call_json(
            fns::StartUpload::PATH,
            &[
                ("filename", "clip.mp4"),
                ("size_bytes", &video.len().to_string()),
                ("content_type", "video/mp4"),
            ],
        )
        .await;
    let media = ticket["media_id"].as_str().unwrap().to_string();
    let chunk = ticket["chunk_size"].as_u64().unwrap() as usize;
    for (index, part) in video.chunks(chunk).enumerate() {
        let stored = owner
            .put_bytes(
                &format!("/media/uploads/{media}/parts/{index}"),
                part.to_vec(),
            )
            .await;
        assert_eq!(stored.status(), StatusCode::NO_CONTENT);
    }
    let completed = owner
        .call(fns::CompleteUpload::PATH, &[("media_id", &media)])
        .await;
    assert_eq!(completed.status(), StatusCode::OK);
    assert!(app.run_job::<ProcessMedia>().await);
    media
}

/// Publishes a free item on `media`, gives it to a new customer and opens the player; the
/// content id, the customer and the playback token.
async fn publish_and_watch<'a>(
    app: &'a TestApp,
    owner: &Browser<'_>,
    media: &str,
) -> (String, Browser<'a>, String) {
    let saved = owner
        .call(
            fns::SaveContent::PATH,
            &[
                ("title", "Bucket film"),
                ("media_id", media),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let content: String = saved.json().await.unwrap();
    let customer = app.verified_customer("ada@example.com").await;
    let got = customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(got.status(), StatusCode::OK);
    let info: Value = customer
        .call_json(fns::LoadWatch::PATH, &[("slug", "bucket-film")])
        .await;
    let master_url = info["master_url"].as_str().unwrap();
    let token = master_url.split("?t=").nth(1).unwrap().to_string();
    (content, customer, token)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn media_lives_in_an_s3_bucket_from_upload_to_delete(pool: PgPool) {
    let s3 = S3Server::start().await;
    let app = app_on(&s3, pool, &[]).await;
    let owner = app.owner().await;

    // Uploaded in parts and transcoded, from and into the bucket.
    let media = upload_and_process(&app, &owner).await;
    let listed: Value = owner.call_json(fns::ListMedia::PATH, &[]).await;
    assert_eq!(listed[0]["status"], "ready", "{listed}");
    let objects = s3.keys(&format!("media/{media}/")).await;
    for key in [
        "parts/000000",
        "hls/master.m3u8",
        "hls/480p/index.m3u8",
        "hls/360p/segment_0000.ts",
        "hls/storyboard.vtt",
        "thumbnail.jpg",
    ] {
        let key = format!("media/{media}/{key}");
        assert!(objects.contains(&key), "{key} in {objects:?}");
    }
    assert_eq!(
        std::fs::read_dir(app.media_dir.path()).unwrap().count(),
        0,
        "nothing on the local disk"
    );

    // Published and played: the segment a customer gets through Codex is the bucket's.
    let (content, customer, token) = publish_and_watch(&app, &owner, &media).await;
    let master = customer
        .get(&format!("/media/{media}/hls/master.m3u8?t={token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(master.contains("480p/index.m3u8?t="), "{master}");
    let segment = customer
        .get(&format!(
            "/media/{media}/hls/360p/segment_0000.ts?t={token}"
        ))
        .await;
    assert_eq!(segment.status(), StatusCode::OK);
    assert_eq!(
        segment.bytes().await.unwrap().to_vec(),
        s3.object(&format!("media/{media}/hls/360p/segment_0000.ts"))
            .await
    );

    // Deleted once nobody can play it: nothing of it is left in the bucket.
    let (status, _) = error_of(
        owner
            .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "refused while published");
    let unpublished = owner
        .call(fns::UnpublishContent::PATH, &[("id", &content)])
        .await;
    assert_eq!(unpublished.status(), StatusCode::OK);
    sqlx::query("UPDATE access SET revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let deleted = owner
        .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(
        s3.keys(&format!("media/{media}/")).await,
        Vec::<String>::new()
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn with_signed_urls_segments_come_straight_from_the_bucket(pool: PgPool) {
    let s3 = S3Server::start().await;
    let app = app_on(&s3, pool, &[("MEDIA_DELIVERY", "signed-urls")]).await;
    let owner = app.owner().await;
    let media = upload_and_process(&app, &owner).await;
    let (_, customer, token) = publish_and_watch(&app, &owner, &media).await;

    // The watch page lets the player fetch from the bucket's origin.
    let page = customer.get("/watch/bucket-film").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!("connect-src 'self' {}", s3.endpoint)),
        "{csp}"
    );

    // Playlists still come from Codex, under the token and the access check.
    let master = customer
        .get(&format!("/media/{media}/hls/master.m3u8?t={token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(master.contains("360p/index.m3u8?t="), "{master}");
    let anonymous = app.browser();
    let refused = anonymous
        .get(&format!("/media/{media}/hls/360p/index.m3u8"))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // A rendition playlist lists its segments as URLs the store signed, valid for the
    // token's life and an hour more, which fetch without a session or a token.
    let rendition = customer
        .get(&format!("/media/{media}/hls/360p/index.m3u8?t={token}"))
        .await
        .text()
        .await
        .unwrap();
    let first = rendition
        .lines()
        .find(|line| line.contains("segment_0000.ts"))
        .unwrap_or_else(|| panic!("no first segment in {rendition}"));
    let direct = format!(
        "{}/{BUCKET}/media/{media}/hls/360p/segment_0000.ts?",
        s3.endpoint
    );
    assert!(first.starts_with(&direct), "{first}");
    assert!(
        first.contains("X-Amz-Signature=") && first.contains("X-Amz-Expires=4500"),
        "{first}"
    );
    assert!(
        !first.contains("?t=") && !first.contains("&t="),
        "no playback token in a signed URL: {first}"
    );
    let fetched = reqwest::get(first).await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(
        fetched.bytes().await.unwrap().to_vec(),
        s3.object(&format!("media/{media}/hls/360p/segment_0000.ts"))
            .await
    );

    // A viewer whose access ends in five minutes (a membership, here) gets URLs that end
    // with it, and a minute's grace, not an hour after the token.
    sqlx::query("UPDATE access SET reason = 'member', expires_at = now() + interval '300 seconds'")
        .execute(&app.pool)
        .await
        .unwrap();
    let rendition = customer
        .get(&format!("/media/{media}/hls/360p/index.m3u8?t={token}"))
        .await
        .text()
        .await
        .unwrap();
    let expires: u64 = rendition
        .split("X-Amz-Expires=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no expiry in {rendition}"));
    assert!((290..=360).contains(&expires), "{expires}");
}
