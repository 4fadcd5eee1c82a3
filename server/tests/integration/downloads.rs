//! Files for buyers over real HTTP: the owner attaches a PDF or ZIP through the editor's
//! plain form; people with access follow the item page's link to a signed, short-lived one.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser};
use crate::payments::location;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

/// Posts the editor's file form under `name`; where it comes back to.
async fn upload(owner: &Browser<'_>, content: &str, name: &str, file: &[u8]) -> String {
    let response = owner
        .post_named_file(
            &format!("/admin/content/{content}/downloads"),
            "file",
            name,
            file,
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn people_with_access_download_an_items_files_through_signed_links(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (content, _) = app
        .publish_ready_item(&owner, "Course", &[("price", "9")])
        .await;
    let editor = format!("/admin/content/{content}");
    let pdf: Vec<u8> = [&b"%PDF-1.7\n"[..], &vec![b'x'; 300_000]].concat();

    assert_eq!(
        upload(&owner, &content, "../Workbook.pdf", &pdf).await,
        format!("{editor}?download=saved#downloads-heading")
    );
    for (name, file, code) in [
        ("tool.exe", &b"MZ\x90\0\x03\0\0\0"[..], "not-allowed"),
        ("page.html", b"<html><script>", "not-allowed"),
        ("empty.pdf", b"", "missing"),
    ] {
        assert_eq!(
            upload(&owner, &content, name, file).await,
            format!("{editor}?download={code}#downloads-heading"),
            "{name}"
        );
    }
    // Twenty files at most; a refused one leaves nothing in storage.
    let stored_files = || {
        std::fs::read_dir(
            app.media_dir
                .path()
                .join("content")
                .join(&content)
                .join("downloads"),
        )
        .map(|entries| entries.count())
        .unwrap_or(0)
    };
    assert_eq!(stored_files(), 1);
    sqlx::query(
        "INSERT INTO downloads (id, content_id, filename, content_type, size_bytes)
         SELECT gen_random_uuid(), $1::uuid, 'filler.pdf', 'application/pdf', 1 FROM generate_series(1, 19)",
    )
    .bind(&content)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        upload(&owner, &content, "one-more.pdf", &pdf).await,
        format!("{editor}?download=too-many#downloads-heading")
    );
    assert_eq!(stored_files(), 1);
    sqlx::query("DELETE FROM downloads WHERE filename = 'filler.pdf'")
        .execute(&app.pool)
        .await
        .unwrap();

    let listed = owner
        .call_json(fns::ListDownloads::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["filename"], "Workbook.pdf");
    assert_eq!(listed[0]["size_bytes"], pdf.len());
    let file_id = listed[0]["id"].as_str().unwrap().to_string();
    let link = format!("/content/{content}/downloads/{file_id}");

    // Someone without access sees no files and cannot follow the link.
    let customer = app.verified_customer("ada@example.com").await;
    let none = customer
        .call_json(fns::DownloadsOf::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(none, Value::Array(vec![]));
    assert_eq!(customer.get(&link).await.status(), StatusCode::FORBIDDEN);
    let anonymous = app.browser().get(&link).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(location(&anonymous).starts_with("/login?redirect="));
    for function in [fns::ListDownloads::PATH, fns::RemoveDownload::PATH] {
        let (status, _) = error_of(
            customer
                .call(
                    function,
                    &[("content_id", &content), ("download_id", &file_id)],
                )
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}");
    }

    // With access: the link sends them to a signed one, which serves the file.
    sqlx::query(
        "INSERT INTO access (user_id, content_id, reason)
         SELECT id, $1::uuid, 'granted' FROM users WHERE email = 'ada@example.com'",
    )
    .bind(&content)
    .execute(&app.pool)
    .await
    .unwrap();
    let files = customer
        .call_json(fns::DownloadsOf::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(files[0]["filename"], "Workbook.pdf");
    let opened = customer.get(&link).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let signed = location(&opened);
    assert!(
        signed.starts_with(&format!("/downloads/{file_id}?t=")),
        "{signed}"
    );
    let response = app.browser().get(&signed).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"Workbook.pdf\"; filename*=UTF-8''Workbook.pdf"
    );
    assert!(response.bytes().await.unwrap() == pdf, "the bytes differ");

    // A forged or altered link, or another file's token, opens nothing.
    let token = signed.split("?t=").nth(1).unwrap();
    let (user, rest) = token.split_once('.').unwrap();
    let (expires, tag) = rest.split_once('.').unwrap();
    let later = format!(
        "/downloads/{file_id}?t={user}.{}.{tag}",
        expires.parse::<i64>().unwrap() + 3600
    );
    assert_eq!(
        app.browser().get(&later).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.browser()
            .get(&format!("/downloads/{file_id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let elsewhere = signed.replace(&file_id, &uuid::Uuid::new_v4().to_string());
    assert_eq!(
        app.browser().get(&elsewhere).await.status(),
        StatusCode::FORBIDDEN
    );

    // Access ends: the signed link stops working at once.
    sqlx::query("UPDATE access SET revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.browser().get(&signed).await.status(),
        StatusCode::FORBIDDEN
    );

    // The owner removes the file: the row and the stored object go.
    let removed = owner
        .call(
            fns::RemoveDownload::PATH,
            &[("content_id", &content), ("download_id", &file_id)],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT count(*) FROM downloads").await, 0);
    assert_eq!(stored_files(), 0);
}
