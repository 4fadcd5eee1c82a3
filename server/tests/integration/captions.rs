//! Captions over real HTTP: the owner uploads WebVTT or SRT per language through the
//! editor's plain form; viewers fetch WebVTT under the playback token rules.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser};
use crate::payments::location;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

const SRT: &str = "1\r\n00:00:00,500 --> 00:00:02,000\r\nHello, and welcome.\r\n\r\n2\r\n00:00:02,500 --> 00:00:04,000\r\nLet us begin.\r\n";
const VTT: &str = "WEBVTT\n\n00:00.500 --> 00:02.000\nBonjour.\n";

/// Posts the editor's captions form; where it comes back to.
async fn upload(
    owner: &Browser<'_>,
    content: &str,
    language: &str,
    label: &str,
    file: &str,
) -> String {
    let response = owner
        .post_form_with_file(
            &format!("/admin/content/{content}/captions"),
            &[("language", language), ("label", label)],
            "captions",
            file.as_bytes(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_owner_uploads_captions_and_viewers_get_them_with_a_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (content, _) = app.publish_ready_item(&owner, "Talk", &[]).await;
    let editor = format!("/admin/content/{content}");

    let saved = format!("{editor}?captions=saved#captions-heading");
    assert_eq!(upload(&owner, &content, "en", "English", SRT).await, saved);
    assert_eq!(upload(&owner, &content, "FR", "", VTT).await, saved);
    // The same language again replaces the first file.
    assert_eq!(
        upload(&owner, &content, "en", "English (CC)", SRT).await,
        saved
    );
    let tracks = owner
        .call_json(fns::ListCaptions::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(
        tracks,
        json!([{ "language": "en", "label": "English (CC)" }, { "language": "fr", "label": "fr" }])
    );

    // Refusals come back as codes the editor turns into messages; nothing is stored.
    for (language, file, code) in [
        ("english", SRT, "language"),
        ("de", "just some words", "not-captions"),
        ("de", "1\n00:00:01 --> 00:00:02,000\nHi\n", "bad-timing-2"),
        ("de", "", "missing"),
    ] {
        assert_eq!(
            upload(&owner, &content, language, "", file).await,
            format!("{editor}?captions={code}#captions-heading")
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM captions").await, 2);

    // Only the owner uploads, lists and removes.
    let customer = app.verified_customer("ada@example.com").await;
    let refused = customer
        .post_form_with_file(
            &format!("/admin/content/{content}/captions"),
            &[("language", "de")],
            "captions",
            VTT.as_bytes(),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    for function in [fns::ListCaptions::PATH, fns::RemoveCaptions::PATH] {
        let (status, _) = error_of(
            customer
                .call(function, &[("content_id", &content), ("language", "fr")])
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}");
    }

    // A viewer with access gets WebVTT (the SRT converted) through the player's URLs.
    customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    let info = customer
        .call_json(fns::LoadWatch::PATH, &[("slug", "talk")])
        .await;
    let captions = info["captions"].as_array().unwrap();
    assert_eq!(captions.len(), 2);
    assert_eq!(captions[0]["label"], "English (CC)");
    let english = captions[0]["url"].as_str().unwrap().to_string();
    let response = customer.get(&english).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/vtt; charset=utf-8"
    );
    assert_eq!(
        response.text().await.unwrap(),
        "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello, and welcome.\n\n\
         00:00:02.500 --> 00:00:04.000\nLet us begin.\n\n"
    );

    // Without the token, with another item's path or a language it lacks: refused.
    let bare = english.split('?').next().unwrap().to_string();
    assert_eq!(
        app.browser().get(&bare).await.status(),
        StatusCode::FORBIDDEN
    );
    let (other, _) = app.publish_ready_item(&owner, "Other", &[]).await;
    let elsewhere = english.replace(&content, &other);
    assert_eq!(
        customer.get(&elsewhere).await.status(),
        StatusCode::FORBIDDEN
    );
    let german = english.replace("/en.vtt", "/de.vtt");
    assert_eq!(customer.get(&german).await.status(), StatusCode::NOT_FOUND);

    // Access revoked: the token alone no longer opens them.
    sqlx::query("UPDATE access SET revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(customer.get(&english).await.status(), StatusCode::FORBIDDEN);

    // The owner removes one language.
    let removed = owner
        .call(
            fns::RemoveCaptions::PATH,
            &[("content_id", &content), ("language", "fr")],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    let tracks: Value = owner
        .call_json(fns::ListCaptions::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(
        tracks,
        json!([{ "language": "en", "label": "English (CC)" }])
    );
}
