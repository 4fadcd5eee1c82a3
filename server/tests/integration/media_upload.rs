//! Uploads over real HTTP: the owner sends a file in parts, completes it, and the job makes
//! it ready; everyone else is refused, and bad input gets a clear message.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, spawn_app_with, Browser};
use backend::media::processing::ProcessMedia;
use backend::media::upload::remove_abandoned;
use backend::storage::{keys, MediaStorage};
use domain::media::CHUNK_SIZE;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn start(browser: &Browser<'_>, filename: &str, size: u64) -> reqwest::Response {
    browser
        .call(
            fns::StartUpload::PATH,
            &[
                ("filename", filename),
                ("size_bytes", &size.to_string()),
                ("content_type", "video/mp4"),
            ],
        )
        .await
}

fn generated_video() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=25:duration=2",
        ])
        .args(["-c:v", "libx264", "-preset", "ultrafast"])
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(file).unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_owner_uploads_in_parts_and_the_job_makes_it_ready(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let video = generated_video();

    let ticket: Value = start(&owner, "clip.mp4", video.len() as u64)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["chunk_size"], CHUNK_SIZE);
    assert_eq!(ticket["parts"], 1);
    let id = ticket["media_id"].as_str().unwrap().to_string();

    let (status, error) = error_of(
        owner
            .call(fns::CompleteUpload::PATH, &[("media_id", &id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");

    let wrong = owner
        .put_bytes(
            &format!("/media/uploads/{id}/parts/0"),
            video[..10].to_vec(),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let beyond = owner
        .put_bytes(&format!("/media/uploads/{id}/parts/1"), video.clone())
        .await;
    assert_eq!(beyond.status(), StatusCode::BAD_REQUEST);
    let part = owner
        .put_bytes(&format!("/media/uploads/{id}/parts/0"), video.clone())
        .await;
    assert_eq!(part.status(), StatusCode::NO_CONTENT);

    assert_eq!(
        owner
            .call(fns::CompleteUpload::PATH, &[("media_id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    let listed: Value = owner
        .call(fns::ListMedia::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["status"], "uploaded");
    assert_eq!(listed[0]["original_filename"], "clip.mp4");

    // A second completion, or a late part, is refused: the upload is closed.
    let (status, _) = error_of(
        owner
            .call(fns::CompleteUpload::PATH, &[("media_id", &id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    assert!(app.run_job::<ProcessMedia>().await);
    let listed: Value = owner
        .call(fns::ListMedia::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["status"], "ready", "{listed}");
    assert_eq!(listed[0]["height"], 360);
    // Storage used, per item and in total (one item: the same).
    let stored = listed[0]["stored_bytes"].as_i64().unwrap();
    assert!(stored > 0, "{listed}");
    assert_eq!(listed[0]["total_stored_bytes"], stored);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn uploads_are_checked_for_type_and_size(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let cases = [
        ("notes.txt", 10, "Unsupported file type"),
        ("movie.mp4", 5 * 1024 * 1024 * 1024 + 1, "at most 5 GB"),
        ("song.mp3", 500 * 1024 * 1024 + 1, "at most 500 MB"),
        ("empty.mp4", 0, "The file is empty."),
    ];
    for (name, size, message) in cases {
        let (status, error) = error_of(start(&owner, name, size).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
        assert!(
            error["Validation"].as_str().unwrap().contains(message),
            "{name}: {error}"
        );
    }
    let (status, _) = error_of(start(&owner, &"x".repeat(10_000), 10).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT count(*) FROM media").await, 0);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_the_owner_may_upload(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let ticket: Value = start(&owner, "clip.mp4", 100).await.json().await.unwrap();
    let id = ticket["media_id"].as_str().unwrap().to_string();

    let customer = app.browser();
    customer.register("Ada", "ada@example.com").await;
    let (status, error) = error_of(start(&customer, "clip.mp4", 100).await).await;
    assert_eq!((status, error), (StatusCode::FORBIDDEN, json!("Forbidden")));
    let part = customer
        .put_bytes(&format!("/media/uploads/{id}/parts/0"), vec![0; 100])
        .await;
    assert_eq!(part.status(), StatusCode::FORBIDDEN);
    let (status, _) = error_of(customer.call(fns::ListMedia::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = error_of(
        customer
            .call(fns::RetryMedia::PATH, &[("media_id", &id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let anonymous = app.browser();
    assert_eq!(
        anonymous
            .put_bytes(&format!("/media/uploads/{id}/parts/0"), vec![0; 100])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("SELECT count(*) FROM media").await, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn uploads_are_limited_to_ten_an_hour(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    for _ in 0..10 {
        assert_eq!(
            start(&owner, "clip.mp4", 100).await.status(),
            StatusCode::OK
        );
    }
    let (status, error) = error_of(start(&owner, "clip.mp4", 100).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::TOO_MANY_REQUESTS, json!("RateLimited"))
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_failed_item_can_be_retried(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let ticket: Value = start(&owner, "broken.mp4", 20).await.json().await.unwrap();
    let id = ticket["media_id"].as_str().unwrap().to_string();
    owner
        .put_bytes(
            &format!("/media/uploads/{id}/parts/0"),
            b"not a video, at all.".to_vec(),
        )
        .await;
    owner
        .call(fns::CompleteUpload::PATH, &[("media_id", &id)])
        .await;

    let (status, _) = error_of(
        owner
            .call(fns::RetryMedia::PATH, &[("media_id", &id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "not failed yet");
    sqlx::query("UPDATE media SET status = 'failed', error = 'ffmpeg failed'")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET status = 'failed' WHERE kind = 'process_media'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        owner
            .call(fns::RetryMedia::PATH, &[("media_id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    let listed: Value = owner
        .call(fns::ListMedia::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["status"], "uploaded");
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE kind = 'process_media' AND status = 'queued'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE status = 'failed'")
            .await,
        0,
        "the failed job is replaced by the new one"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_media_page_renders_on_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    start(&owner, "clip.mp4", 100).await;
    let page = owner.get("/admin/media").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Upload media") && html.contains("clip.mp4"),
        "{html}"
    );
    // The document and the streamed data after it both arrived (a panic would cut them).
    let tail = &html[html.len().saturating_sub(300)..];
    assert!(
        html.contains("</html>") && html.trim_end().ends_with("</script>"),
        "{tail}"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn deleting_media_removes_its_files_and_is_refused_while_in_use(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (content, media) = app.publish_ready_item(&owner, "Used film", &[]).await;
    let storage = MediaStorage::local(app.media_dir.path()).unwrap();
    let prefix = format!("media/{media}");
    assert_eq!(storage.list(&prefix).await.unwrap().len(), 3);

    // Nobody but the owner.
    let customer = app.verified_customer("dee@example.com").await;
    let (status, _) = error_of(
        customer
            .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Published: refused, with the item named; nothing removed.
    let (status, body) = error_of(
        owner
            .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.to_string().contains("Used by Used film"), "{body}");
    // Unpublished but still playable by a customer who got it (it is free): still refused.
    let got = customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(got.status(), StatusCode::OK);
    let unpublished = owner
        .call(fns::UnpublishContent::PATH, &[("id", &content)])
        .await;
    assert_eq!(unpublished.status(), StatusCode::OK);
    let (status, _) = error_of(
        owner
            .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(storage.list(&prefix).await.unwrap().len(), 3);

    // Once nobody can play it, but while a job works on it: refused.
    sqlx::query("UPDATE access SET revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let job = format!(
        "INSERT INTO jobs (kind, payload, unique_key) VALUES ('process_media', '{{\"media\": \"{media}\"}}', 'process_media:{media}')"
    );
    sqlx::query(&job).execute(&app.pool).await.unwrap();
    let (status, body) = error_of(
        owner
            .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.to_string().contains("being processed"), "{body}");
    sqlx::query("UPDATE jobs SET status = 'done'")
        .execute(&app.pool)
        .await
        .unwrap();

    // Then the row, its files, and the item's link to it go.
    let deleted = owner
        .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert!(storage.list(&prefix).await.unwrap().is_empty());
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM media WHERE id = '{media}'"))
            .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM content WHERE id = '{content}' AND media_id IS NULL"
        ))
        .await,
        1
    );
    let (status, _) = error_of(
        owner
            .call(fns::DeleteMedia::PATH, &[("media_id", &media)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `size` bytes that differ from part to part, so a part stored in the wrong place shows.
fn patterned_bytes(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 31 % 251) as u8).collect()
}

fn part_of(file: &[u8], index: usize) -> Vec<u8> {
    let chunk = CHUNK_SIZE as usize;
    file[index * chunk..((index + 1) * chunk).min(file.len())].to_vec()
}

/// Sends part `index` of `file`, which must be accepted.
async fn send_part(browser: &Browser<'_>, media: &str, file: &[u8], index: usize) {
    let sent = browser
        .put_bytes(
            &format!("/media/uploads/{media}/parts/{index}"),
            part_of(file, index),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::NO_CONTENT, "part {index}");
}

async fn stored_upload(app: &crate::common::TestApp, media: &str, parts: u32) -> Vec<u8> {
    let storage = MediaStorage::local(app.media_dir.path()).unwrap();
    let mut whole = Vec::new();
    for index in 0..parts {
        let key = keys::part(media.parse().unwrap(), index);
        whole.extend_from_slice(&storage.get_bytes(&key).await.unwrap().unwrap());
    }
    whole
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_upload_cut_halfway_resumes_and_ends_with_the_same_bytes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let file = patterned_bytes(2 * CHUNK_SIZE as usize + 1000);
    let ticket: Value = start(&owner, "long-talk.mp4", file.len() as u64)
        .await
        .json()
        .await
        .unwrap();
    let id = ticket["media_id"].as_str().unwrap().to_string();
    assert_eq!(ticket["parts"], 3);
    assert_eq!(ticket["received"], json!([]));

    send_part(&owner, &id, &file, 0).await;
    // Part 1 loses its connection halfway: half its bytes, then the stream fails.
    let half = part_of(&file, 1)[..CHUNK_SIZE as usize / 2].to_vec();
    let cut = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(half)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "network lost",
        )),
    ]);
    let _ = owner
        .put_body(
            &format!("/media/uploads/{id}/parts/1"),
            reqwest::Body::wrap_stream(cut),
        )
        .await;

    // The browser asks what arrived: part 0 only; the cut part left nothing behind.
    let resumed = owner
        .call_json(fns::ResumeUpload::PATH, &[("media_id", &id)])
        .await;
    assert_eq!(resumed["received"], json!([0]), "{resumed}");
    assert_eq!(resumed["parts"], 3);
    let (status, _) = error_of(
        owner
            .call(fns::CompleteUpload::PATH, &[("media_id", &id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    for index in [2, 1] {
        send_part(&owner, &id, &file, index).await;
    }
    let complete = owner
        .call(fns::CompleteUpload::PATH, &[("media_id", &id)])
        .await;
    assert_eq!(complete.status(), StatusCode::OK);
    assert!(
        stored_upload(&app, &id, 3).await == file,
        "the stored bytes differ"
    );
    // A complete upload is not resumable any more; and the count of uploads did not grow.
    let (status, _) = error_of(
        owner
            .call(fns::ResumeUpload::PATH, &[("media_id", &id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT count(*) FROM media").await, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_server_restart_mid_upload_loses_nothing(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    let owner = first.owner().await;
    let file = patterned_bytes(CHUNK_SIZE as usize + 10);
    let ticket: Value = start(&owner, "concert.mp4", file.len() as u64)
        .await
        .json()
        .await
        .unwrap();
    let id = ticket["media_id"].as_str().unwrap().to_string();
    send_part(&owner, &id, &file, 0).await;

    // Another server process on the same database and storage: the browser goes on there.
    let media = first.media_dir.path().display().to_string();
    let second = spawn_app_with(pool, &[("MEDIA_STORAGE", &media)]).await;
    let browser = second.browser();
    browser.set_cookie(owner.cookie());
    let resumed = browser
        .call_json(fns::ResumeUpload::PATH, &[("media_id", &id)])
        .await;
    assert_eq!(resumed["received"], json!([0]), "{resumed}");
    send_part(&browser, &id, &file, 1).await;
    let complete = browser
        .call(fns::CompleteUpload::PATH, &[("media_id", &id)])
        .await;
    assert_eq!(complete.status(), StatusCode::OK);
    assert!(
        stored_upload(&first, &id, 2).await == file,
        "the stored bytes differ"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_the_owner_resumes_an_upload(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let ticket: Value = start(&owner, "clip.mp4", 100).await.json().await.unwrap();
    let id = ticket["media_id"].as_str().unwrap().to_string();
    let customer = app.verified_customer("eve@example.com").await;
    let (status, _) = error_of(
        customer
            .call(fns::ResumeUpload::PATH, &[("media_id", &id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let unknown = uuid::Uuid::new_v4().to_string();
    let (status, _) = error_of(
        owner
            .call(fns::ResumeUpload::PATH, &[("media_id", &unknown)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn uploads_abandoned_for_a_day_are_removed_with_their_parts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let mut ids = Vec::new();
    for name in ["abandoned.mp4", "recent.mp4"] {
        let ticket: Value = start(&owner, name, 100).await.json().await.unwrap();
        let id = ticket["media_id"].as_str().unwrap().to_string();
        let sent = owner
            .put_bytes(&format!("/media/uploads/{id}/parts/0"), vec![7; 100])
            .await;
        assert_eq!(sent.status(), StatusCode::NO_CONTENT);
        ids.push(id);
    }
    // The first received its last part 25 hours ago; the second an hour ago.
    sqlx::query("UPDATE media SET upload_activity_at = now() - interval '25 hours' WHERE original_filename = 'abandoned.mp4'")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE media SET upload_activity_at = now() - interval '1 hour' WHERE original_filename = 'recent.mp4'")
        .execute(&app.pool)
        .await
        .unwrap();

    assert_eq!(remove_abandoned(&app.state).await.unwrap(), 1);
    assert_eq!(remove_abandoned(&app.state).await.unwrap(), 0);
    let storage = MediaStorage::local(app.media_dir.path()).unwrap();
    let abandoned = storage.list(&format!("media/{}", ids[0])).await.unwrap();
    assert!(abandoned.is_empty(), "{abandoned:?}");
    let recent = storage.list(&format!("media/{}", ids[1])).await.unwrap();
    assert_eq!(recent.len(), 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT original_filename FROM media")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, vec!["recent.mp4".to_string()]);
}
