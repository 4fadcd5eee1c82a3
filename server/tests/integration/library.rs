//! The library over real HTTP: a customer sees exactly what they may play (deleted items
//! included, revoked ones not), with progress, search, tag filter and sort.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser};
use backend::storage::{keys, MediaStorage};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

async fn library(browser: &Browser<'_>, query: &[(&str, &str)]) -> Value {
    let response = browser.call(fns::LoadLibrary::PATH, query).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_library_lists_what_the_customer_may_play(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (rust, _) = app
        .publish_ready_item(&owner, "Rust basics", &[("tags", "rust, intro")])
        .await;
    let (async_talk, _) = app
        .publish_ready_item(&owner, "async in depth", &[("tags", "rust")])
        .await;
    let (cooking, cooking_media) = app.publish_ready_item(&owner, "Cooking", &[]).await;
    app.publish_ready_item(&owner, "Not taken", &[]).await;

    let ada = app.verified_customer("ada@example.com").await;
    for id in [&rust, &async_talk, &cooking] {
        let response = ada
            .call(fns::GetFreeAccess::PATH, &[("content_id", id)])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    ada.call(
        fns::SaveProgress::PATH,
        &[("content_id", &async_talk), ("position_seconds", "40")],
    )
    .await;
    // The owner deletes an item: its buyers keep it.
    assert_eq!(
        owner
            .call(fns::DeleteContent::PATH, &[("id", &cooking)])
            .await
            .status(),
        StatusCode::OK
    );

    let all = library(&ada, &[]).await;
    assert_eq!(all["total"], 3);
    assert_eq!(
        titles(&all["items"]),
        ["Cooking", "async in depth", "Rust basics"],
        "newest first"
    );
    assert_eq!(titles(&all["continue_watching"]), ["async in depth"]);
    let started = &all["items"][1];
    assert_eq!(started["position_seconds"], 40.0);
    assert_eq!(all["tags"], serde_json::json!(["intro", "rust"]));

    let by_title = library(&ada, &[("sort", "title")]).await;
    assert_eq!(
        titles(&by_title["items"]),
        ["async in depth", "Cooking", "Rust basics"]
    );
    let found = library(&ada, &[("q", "RUST")]).await;
    assert_eq!(titles(&found["items"]), ["Rust basics"]);
    let tagged = library(&ada, &[("tag", "rust"), ("sort", "title")]).await;
    assert_eq!(titles(&tagged["items"]), ["async in depth", "Rust basics"]);

    // Another customer's library is their own.
    let grace = app.verified_customer("grace@example.com").await;
    let theirs = library(&grace, &[]).await;
    assert_eq!(theirs["total"], 0);

    // A thumbnail of a deleted item: shown to people who have it, to no one else.
    let storage = MediaStorage::local(app.media_dir.path()).unwrap();
    storage
        .put_bytes(
            &keys::thumbnail(cooking_media.parse().unwrap()),
            bytes::Bytes::from_static(b"JPEG"),
        )
        .await
        .unwrap();
    sqlx::query("UPDATE media SET has_thumbnail = true")
        .execute(&app.pool)
        .await
        .unwrap();
    let thumbnail = format!("/media/{cooking_media}/thumbnail.jpg");
    assert_eq!(ada.get(&thumbnail).await.status(), StatusCode::OK);
    assert_eq!(grace.get(&thumbnail).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.browser().get(&thumbnail).await.status(),
        StatusCode::NOT_FOUND
    );

    // Revoked access (a refund) takes the item out of the library.
    sqlx::query("UPDATE access SET revoked_at = now() WHERE content_id = $1::uuid")
        .bind(&rust)
        .execute(&app.pool)
        .await
        .unwrap();
    let after = library(&ada, &[]).await;
    assert_eq!(titles(&after["items"]), ["Cooking", "async in depth"]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_library_needs_a_signed_in_user(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (status, _) = error_of(app.browser().call(fns::LoadLibrary::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_library_page_renders_on_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (talk, _) = app.publish_ready_item(&owner, "Evening talk", &[]).await;
    let ada = app.verified_customer("ada@example.com").await;

    let empty = ada.get("/library").await.text().await.unwrap();
    assert!(empty.contains("Browse the catalog"), "{empty}");

    ada.call(fns::GetFreeAccess::PATH, &[("content_id", &talk)])
        .await;
    ada.call(
        fns::SaveProgress::PATH,
        &[("content_id", &talk), ("position_seconds", "25")],
    )
    .await;
    let page = ada.get("/library").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Continue watching"), "{html}");
    assert!(html.contains("href=\"/watch/evening-talk\""), "{html}");
    assert!(html.contains("25% watched"), "{html}");
}
