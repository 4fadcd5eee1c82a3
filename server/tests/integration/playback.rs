//! Playback over real HTTP: only people with access get a playlist; every playlist and
//! segment needs a valid token scoped to its media item; progress is saved and resumed.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(app.url(path)).await.unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_people_with_access_get_a_signed_playlist(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.browser();
    owner.setup_owner("owner@example.com").await;
    let (content, media) = app.publish_ready_item(&owner, "Talk", &[]).await;

    let anonymous = app.browser();
    let (status, _) = error_of(
        anonymous
            .call(fns::LoadWatch::PATH, &[("slug", "talk")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let customer = app.verified_customer("ada@example.com").await;
    let (status, error) = error_of(
        customer
            .call(fns::LoadWatch::PATH, &[("slug", "talk")])
            .await,
    )
    .await;
    assert_eq!((status, error), (StatusCode::FORBIDDEN, json!("Forbidden")));

    let page = customer.get("/watch/talk").await;
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "no access: sent to the item's page"
    );
    assert_eq!(page.headers()["location"], "/content/talk");

    customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    let page = customer.get("/watch/talk").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("data-player") && html.contains("/player.js"),
        "{html}"
    );
    let info: Value = customer
        .call_json(fns::LoadWatch::PATH, &[("slug", "talk")])
        .await;
    let master_url = info["master_url"].as_str().unwrap().to_string();
    assert!(
        master_url.starts_with(&format!("/media/{media}/hls/master.m3u8?t=")),
        "{master_url}"
    );
    assert_eq!(info["resume_at"], 0.0);

    let master = get(&app, &master_url).await;
    assert_eq!(master.status(), StatusCode::OK);
    assert_eq!(
        master.headers()["content-type"],
        "application/vnd.apple.mpegurl"
    );
    let token = master_url.split("?t=").nth(1).unwrap().to_string();
    let body = master.text().await.unwrap();
    assert!(
        body.contains(&format!("360p/index.m3u8?t={token}")),
        "{body}"
    );

    let variant = get(
        &app,
        &format!("/media/{media}/hls/360p/index.m3u8?t={token}"),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        variant.contains(&format!("segment_0000.ts?t={token}")),
        "{variant}"
    );
    let segment = get(
        &app,
        &format!("/media/{media}/hls/360p/segment_0000.ts?t={token}"),
    )
    .await;
    assert_eq!(segment.status(), StatusCode::OK);
    assert_eq!(segment.text().await.unwrap(), "SEGMENT-BYTES");

    // Without a token, with a forged one, or for another media item: refused.
    for path in [
        format!("/media/{media}/hls/360p/segment_0000.ts"),
        format!("/media/{media}/hls/360p/segment_0000.ts?t=forged.1.abc"),
        format!(
            "/media/{}/hls/360p/segment_0000.ts?t={token}",
            Uuid::new_v4()
        ),
        format!("/media/{media}/hls/master.m3u8"),
    ] {
        assert_eq!(
            get(&app, &path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        get(
            &app,
            &format!("/media/{media}/hls/..%2F..%2Fparts%2F000000?t={token}")
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );

    // Revoked access stops at the next playlist.
    sqlx::query("UPDATE access SET revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(get(&app, &master_url).await.status(), StatusCode::FORBIDDEN);

    // The owner may always play.
    let info: Value = owner
        .call(fns::LoadWatch::PATH, &[("slug", "talk")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        get(&app, info["master_url"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_open_player_renews_its_token_until_access_ends(pool: PgPool) {
    let app = spawn_app_with(pool, &[("PLAYBACK_TOKEN_SECS", "2")]).await;
    let owner = app.browser();
    owner.setup_owner("owner@example.com").await;
    let (content, media) = app.publish_ready_item(&owner, "Talk", &[]).await;
    let customer = app.verified_customer("ada@example.com").await;
    customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    let info: Value = customer
        .call_json(fns::LoadWatch::PATH, &[("slug", "talk")])
        .await;
    assert_eq!(info["token_lifetime_seconds"], 2);
    assert_eq!(info["cover_url"], Value::Null, "no picture yet");
    let first_url = info["master_url"].as_str().unwrap().to_string();
    assert_eq!(get(&app, &first_url).await.status(), StatusCode::OK);

    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(
        get(&app, &first_url).await.status(),
        StatusCode::FORBIDDEN,
        "the first token has expired"
    );
    let grant: Value = customer
        .call_json(fns::RenewPlayback::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(grant["lifetime_seconds"], 2);
    let token = grant["token"].as_str().unwrap();
    for path in [
        format!("/media/{media}/hls/master.m3u8?t={token}"),
        format!("/media/{media}/hls/360p/segment_0000.ts?t={token}"),
    ] {
        assert_eq!(get(&app, &path).await.status(), StatusCode::OK, "{path}");
    }

    // The media's frame becomes the player's poster (an audio item's cover).
    sqlx::query("UPDATE media SET has_thumbnail = true")
        .execute(&app.pool)
        .await
        .unwrap();
    let info = customer
        .call_json(fns::LoadWatch::PATH, &[("slug", "talk")])
        .await;
    assert_eq!(info["cover_url"], format!("/media/{media}/thumbnail.jpg"));
    // The grid size falls back to the large one for media made before it existed.
    let storage = backend::storage::MediaStorage::local(app.media_dir.path()).unwrap();
    let media_id = media.parse().unwrap();
    for (key, body) in [
        (backend::storage::keys::thumbnail(media_id), "LARGE"),
        (backend::storage::keys::small_thumbnail(media_id), "SMALL"),
    ] {
        let small = app
            .browser()
            .get(&format!("/media/{media}/thumbnail-480.jpg"))
            .await;
        let before = if body == "LARGE" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(small.status(), before, "{key}");
        storage
            .put_bytes(&key, bytes::Bytes::from_static(body.as_bytes()))
            .await
            .unwrap();
        let small = app
            .browser()
            .get(&format!("/media/{media}/thumbnail-480.jpg"))
            .await;
        assert_eq!(small.text().await.unwrap(), body);
    }

    // Only someone who may play the item gets a token.
    let (status, _) = error_of(
        app.browser()
            .call(fns::RenewPlayback::PATH, &[("content_id", &content)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let stranger = app.verified_customer("bob@example.com").await;
    let (status, _) = error_of(
        stranger
            .call(fns::RenewPlayback::PATH, &[("content_id", &content)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Once access is revoked the renewals stop, and the player shows why.
    sqlx::query("UPDATE access SET revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, _) = error_of(
        customer
            .call(fns::RenewPlayback::PATH, &[("content_id", &content)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn progress_is_saved_and_resumed_unless_near_the_end(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.browser();
    owner.setup_owner("owner@example.com").await;
    let (content, _) = app.publish_ready_item(&owner, "Lecture", &[]).await;
    let customer = app.verified_customer("ada@example.com").await;

    let (status, _) = error_of(
        customer
            .call(
                fns::SaveProgress::PATH,
                &[("content_id", &content), ("position_seconds", "30")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no progress without access");
    customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;

    assert_eq!(
        customer
            .call(
                fns::SaveProgress::PATH,
                &[("content_id", &content), ("position_seconds", "42.5")]
            )
            .await
            .status(),
        StatusCode::OK
    );
    let info: Value = customer
        .call(fns::LoadWatch::PATH, &[("slug", "lecture")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["resume_at"], 42.5);

    for bad in ["-1", "1000", "NaN", "abc"] {
        let (status, _) = error_of(
            customer
                .call(
                    fns::SaveProgress::PATH,
                    &[("content_id", &content), ("position_seconds", bad)],
                )
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    customer
        .call(
            fns::SaveProgress::PATH,
            &[("content_id", &content), ("position_seconds", "96")],
        )
        .await;
    let info: Value = customer
        .call(fns::LoadWatch::PATH, &[("slug", "lecture")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["resume_at"], 0.0, "within the last 5 %: start again");
    let completed: bool = sqlx::query_scalar("SELECT completed FROM playback_progress")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(completed);

    // Another customer's progress is their own.
    let other = app.verified_customer("bob@example.com").await;
    other
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    let info: Value = other
        .call(fns::LoadWatch::PATH, &[("slug", "lecture")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["resume_at"], 0.0);
    assert_eq!(app.count("SELECT count(*) FROM playback_progress").await, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn chapters_are_saved_by_the_owner_and_shown_to_everyone(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    // A 100 s video.
    let (content, _) = app.publish_ready_item(&owner, "Chaptered", &[]).await;
    let save = |text: &'static str| {
        let owner = &owner;
        let content = content.clone();
        async move {
            owner
                .call(
                    fns::SaveChapters::PATH,
                    &[("id", content.as_str()), ("chapters", text)],
                )
                .await
        }
    };
    assert_eq!(
        save("0:00 Intro\n0:30 - The middle").await.status(),
        StatusCode::OK
    );
    for (text, message) in [
        ("0:00 Intro\n1:40 Too late", "starts after the end"),
        ("0:10 Late start", "first one starts at 0:00"),
    ] {
        let (status, body) = error_of(save(text).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.to_string().contains(message), "{body}");
    }
    let customer = app.verified_customer("cy@example.com").await;
    let (status, _) = error_of(
        customer
            .call(
                fns::SaveChapters::PATH,
                &[("id", &content), ("chapters", "0:00 Mine")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The item page's list, for anyone; the player's, with the watch info.
    let listed: Value = app
        .browser()
        .call(fns::ChaptersOf::PATH, &[("content_id", &content)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed,
        json!([{ "start_seconds": 0, "title": "Intro" }, { "start_seconds": 30, "title": "The middle" }])
    );
    let watch: Value = owner
        .call(fns::LoadWatch::PATH, &[("slug", "chaptered")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(watch["chapters"], listed);

    // Saving nothing removes them.
    assert_eq!(save("").await.status(), StatusCode::OK);
    let listed: Value = customer
        .call(fns::ChaptersOf::PATH, &[("content_id", &content)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
}
