//! Content management and the catalog over real HTTP: drafts, publishing rules, search,
//! free access, soft delete, and who may do what.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// A media item of the owner in the given state (the pipeline itself is tested elsewhere).
async fn media(app: &TestApp, status: &str) -> String {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status, duration_seconds, has_thumbnail)
         SELECT $1, id, 'video', 'clip.mp4', 'video/mp4', 1000, $2, 75.0, true FROM users WHERE role = 'owner'",
    )
    .bind(id)
    .bind(status)
    .execute(&app.pool)
    .await
    .unwrap();
    id.to_string()
}

async fn save(owner: &Browser<'_>, fields: &[(&str, &str)]) -> reqwest::Response {
    owner.call(fns::SaveContent::PATH, fields).await
}

async fn catalog(browser: &Browser<'_>, query: &[(&str, &str)]) -> Vec<String> {
    let items: Value = browser
        .call(fns::Catalog::PATH, query)
        .await
        .json()
        .await
        .unwrap();
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_string())
        .collect()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn drafts_stay_private_and_publishing_needs_ready_media(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let visitor = app.browser();

    let draft = save(
        &owner,
        &[
            ("title", "Intro to Rust — Part 1!"),
            ("price", "12.34"),
            ("tags", "Rust, Beginners"),
        ],
    )
    .await;
    assert_eq!(draft.status(), StatusCode::OK);
    let location = draft.headers()["location"].to_str().unwrap().to_string();
    let id: String = draft.json().await.unwrap();
    assert_eq!(
        location,
        format!("/admin/content/{id}"),
        "the editor opens the saved item"
    );
    let listed: Value = owner
        .call(fns::ListContent::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["slug"], "intro-to-rust-part-1");
    assert_eq!(listed[0]["status"], "draft");
    assert_eq!(listed[0]["price_cents"], 1234);
    assert!(
        catalog(&visitor, &[]).await.is_empty(),
        "drafts are not in the catalog"
    );
    let (status, _) = error_of(
        visitor
            .call(
                fns::ContentBySlug::PATH,
                &[("slug", "intro-to-rust-part-1")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        owner
            .call(
                fns::ContentBySlug::PATH,
                &[("slug", "intro-to-rust-part-1")]
            )
            .await
            .status(),
        StatusCode::OK
    );

    // No media, or media still processing: publishing is refused with the reason.
    let (status, error) =
        error_of(owner.call(fns::PublishContent::PATH, &[("id", &id)]).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error,
        json!({ "Validation": "Choose a ready media item before publishing." })
    );
    let processing = media(&app, "processing").await;
    let (status, _) = error_of(
        save(
            &owner,
            &[
                ("id", &id),
                ("title", "Intro to Rust — Part 1!"),
                ("media_id", &processing),
                ("intent", "publish"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let ready = media(&app, "ready").await;
    let published = save(
        &owner,
        &[
            ("id", &id),
            ("title", "Intro to Rust — Part 1!"),
            ("description", "Ownership and borrowing"),
            ("price", "12.34"),
            ("tags", "rust"),
            ("media_id", &ready),
            ("intent", "publish"),
        ],
    )
    .await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(catalog(&visitor, &[]).await, ["intro-to-rust-part-1"]);
    let (item, viewer, _): (Value, Value, Value) = visitor
        .call(
            fns::ContentBySlug::PATH,
            &[("slug", "intro-to-rust-part-1")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["duration_seconds"], 75.0);
    assert_eq!(viewer, "Anonymous");

    assert_eq!(
        owner
            .call(fns::UnpublishContent::PATH, &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert!(catalog(&visitor, &[]).await.is_empty());
    assert_eq!(
        owner
            .call(fns::PublishContent::PATH, &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(catalog(&visitor, &[]).await.len(), 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_catalog_searches_and_filters(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let ready = media(&app, "ready").await;
    for category in ["Food", "Music"] {
        owner
            .call_json(fns::AddCategory::PATH, &[("name", category)])
            .await;
    }
    for (title, description, tags, category) in [
        (
            "Baking bread",
            "Sourdough from scratch",
            "cooking, bread",
            "Food",
        ),
        ("Bread 100%", "Percent signs are literal", "cooking", "Food"),
        ("Guitar basics", "Chords and rhythm", "music", "Music"),
    ] {
        let response = save(
            &owner,
            &[
                ("title", title),
                ("description", description),
                ("tags", tags),
                ("category", category),
                ("media_id", &ready),
                ("intent", "publish"),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let visitor = app.browser();
    assert_eq!(catalog(&visitor, &[]).await.len(), 3);
    assert_eq!(
        catalog(&visitor, &[("q", "sourdough")]).await,
        ["baking-bread"]
    );
    assert_eq!(catalog(&visitor, &[("q", "BREAD")]).await.len(), 2);
    assert_eq!(catalog(&visitor, &[("q", "100%")]).await, ["bread-100"]);
    assert_eq!(
        catalog(&visitor, &[("q", "%")]).await,
        ["bread-100"],
        "% is not a wildcard"
    );
    assert_eq!(
        catalog(&visitor, &[("tag", "music")]).await,
        ["guitar-basics"]
    );
    assert_eq!(catalog(&visitor, &[("category", "Food")]).await.len(), 2);
    assert!(catalog(&visitor, &[("q", "'; DROP TABLE content; --")])
        .await
        .is_empty());
    assert!(catalog(&visitor, &[("page", "1")]).await.is_empty());
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn slugs_are_unique_and_bad_input_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    assert_eq!(
        save(&owner, &[("title", "Same title")]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        save(&owner, &[("title", "Same title")]).await.status(),
        StatusCode::OK
    );
    let listed: Value = owner
        .call(fns::ListContent::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    let mut slugs: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    assert_eq!(slugs, ["same-title", "same-title-2"]);
    let (status, error) =
        error_of(save(&owner, &[("title", "Other"), ("slug", "same-title")]).await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::CONFLICT,
            json!({ "Conflict": "This slug is already used by another item." })
        )
    );

    let long = "x".repeat(10_000);
    let eleven_tags = (0..11)
        .map(|i| format!("t{i}"))
        .collect::<Vec<_>>()
        .join(",");
    for fields in [
        vec![("title", "")],
        vec![("title", long.as_str())],
        vec![("title", "T"), ("price", "0.50")],
        vec![("title", "T"), ("price", "1000")],
        vec![("title", "T"), ("price", "abc")],
        vec![("title", "T"), ("slug", "Bad Slug")],
        vec![("title", "T"), ("tags", eleven_tags.as_str())],
        vec![("title", "T"), ("description", long.as_str())],
        vec![("title", "T"), ("media_id", "not-a-uuid")],
        vec![
            ("title", "T"),
            ("media_id", "00000000-0000-0000-0000-000000000000"),
        ],
    ] {
        let (status, error) = error_of(save(&owner, &fields).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fields:?}: {error}");
        assert!(error["Validation"].is_string(), "{error}");
    }
    assert_eq!(app.count("SELECT count(*) FROM content").await, 2);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn clicks_at_once_on_get_access_record_one_free_purchase(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (free, _) = app.publish_ready_item(&owner, "Free talk", &[]).await;
    let customer = app.verified_customer("ada@example.com").await;

    let item = [("content_id", free.as_str())];
    let clicks = (0..16).map(|_| customer.call(fns::GetFreeAccess::PATH, &item));
    for response in futures::future::join_all(clicks).await {
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(
        app.count("SELECT count(*) FROM purchases WHERE kind = 'free'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT count(*) FROM access").await, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn free_items_are_got_by_verified_customers_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let ready = media(&app, "ready").await;
    let free: String = save(
        &owner,
        &[
            ("title", "Free talk"),
            ("media_id", &ready),
            ("intent", "publish"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    let paid: String = save(
        &owner,
        &[
            ("title", "Paid course"),
            ("price", "49"),
            ("media_id", &ready),
            ("intent", "publish"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();

    let anonymous = app.browser();
    let (status, _) = error_of(
        anonymous
            .call(fns::GetFreeAccess::PATH, &[("content_id", &free)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let unverified = app.browser();
    unverified.register("Bob", "bob@example.com").await;
    let (_, viewer, _): (Value, Value, Value) = unverified
        .call(fns::ContentBySlug::PATH, &[("slug", "free-talk")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(viewer, "Unverified");
    let (status, error) = error_of(
        unverified
            .call(fns::GetFreeAccess::PATH, &[("content_id", &free)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error,
        json!({ "Validation": "Verify your email address to get this item." })
    );

    let customer = app.verified_customer("ada@example.com").await;
    let (_, viewer, _): (Value, Value, Value) = customer
        .call(fns::ContentBySlug::PATH, &[("slug", "free-talk")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(viewer, "Customer");
    assert_eq!(
        customer
            .call(fns::GetFreeAccess::PATH, &[("content_id", &free)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        customer
            .call(fns::GetFreeAccess::PATH, &[("content_id", &free)])
            .await
            .status(),
        StatusCode::OK,
        "idempotent"
    );
    let (_, viewer, _): (Value, Value, Value) = customer
        .call(fns::ContentBySlug::PATH, &[("slug", "free-talk")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(viewer, "HasAccess");
    assert_eq!(
        app.count("SELECT count(*) FROM access WHERE reason = 'free'")
            .await,
        1
    );

    let (status, error) = error_of(
        customer
            .call(fns::GetFreeAccess::PATH, &[("content_id", &paid)])
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (
            StatusCode::BAD_REQUEST,
            json!({ "Validation": "This item is not free." })
        )
    );

    // Soft delete: the owner sees how many own it; they keep access; it leaves the catalog.
    let count: i64 = owner
        .call(fns::ContentOwnerCount::PATH, &[("id", &free)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(
        owner
            .call(fns::DeleteContent::PATH, &[("id", &free)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(catalog(&customer, &[]).await, ["paid-course"]);
    assert_eq!(
        app.count("SELECT count(*) FROM access WHERE revoked_at IS NULL")
            .await,
        1
    );
    let listed: Value = owner
        .call(fns::ListContent::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_the_owner_manages_content(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let id: String = save(&owner, &[("title", "Mine")])
        .await
        .json()
        .await
        .unwrap();
    let customer = app.verified_customer("ada@example.com").await;
    let anonymous = app.browser();
    let calls: [(&str, Vec<(&str, &str)>); 6] = [
        (fns::SaveContent::PATH, vec![("title", "Hijack")]),
        (
            fns::SaveContent::PATH,
            vec![("id", &id), ("title", "Hijack")],
        ),
        (fns::PublishContent::PATH, vec![("id", &id)]),
        (fns::DeleteContent::PATH, vec![("id", &id)]),
        (fns::ListContent::PATH, vec![]),
        (fns::LoadContent::PATH, vec![("id", &id)]),
    ];
    for (function, form) in &calls {
        let (status, _) = error_of(customer.call(function, form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "customer {function}");
        let (status, _) = error_of(anonymous.call(function, form).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {function}");
    }
    let title: String = sqlx::query_scalar("SELECT title FROM content")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(title, "Mine");
    assert_eq!(app.count("SELECT count(*) FROM content").await, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn catalog_and_content_pages_render_on_the_server_with_their_meta_tags(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let ready = media(&app, "ready").await;
    let id: String = save(
        &owner,
        &[
            ("title", "Bread & <Butter>"),
            ("description", "Crusty loaves"),
            ("price", "9.5"),
            ("tags", "baking"),
            ("media_id", &ready),
            ("intent", "publish"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();

    let visitor = app.browser();
    let home = visitor.get("/?q=bread").await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("Bread &amp; &lt;Butter&gt;") && html.contains("$9.50"),
        "{html}"
    );
    assert!(html.contains("href=\"/content/bread-butter\""));

    let page = visitor.get("/content/bread-butter").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Buy now") && html.contains("/login?redirect=%2Fcontent%2Fbread-butter"));
    // The page renders whole before it is sent, so its head carries the item.
    let head = &html[..html.find("</head>").expect("a head")];
    assert!(
        head.contains("<title>Bread &amp; &lt;Butter&gt; · Codex</title>")
            && head.contains(r#"<meta name="description" content="Crusty loaves">"#)
            && head.contains(r#"<meta property="og:title" content="Bread &amp; &lt;Butter&gt;">"#)
            && head.contains(r#"<meta property="og:site_name" content="Codex">"#)
            && head.contains(&format!(
                r#"<meta property="og:image" content="/media/{ready}/thumbnail.jpg">"#
            )),
        "{head}"
    );

    let missing = visitor.get("/content/no-such-item").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("Page not found"), "{missing}");
    for path in [
        "/admin/content",
        "/admin/content/new",
        &format!("/admin/content/{id}"),
    ] {
        let page = owner.get(path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(page.text().await.unwrap().contains("</html>"), "{path}");
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn setup_can_publish_generated_samples_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.browser();
    let response = owner
        .call(
            fns::SetupOwner::PATH,
            &[
                ("name", "Olivia Owner"),
                ("email", "owner@example.com"),
                ("password", crate::common::PASSWORD),
                ("confirm_password", crate::common::PASSWORD),
                ("samples", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    // The test app runs no workers: run the queued request as the job runner would. The
    // samples are generated and encoded in the background; wait for them (generously).
    let storage = backend::storage::MediaStorage::local(app.media_dir.path()).unwrap();
    assert!(
        app.run_job::<backend::content::samples::SeedSamples>()
            .await
    );
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE status <> 'done'")
            .await,
        0
    );
    let mut published = 0;
    for _ in 0..600 {
        published = app
            .count("SELECT count(*) FROM content WHERE is_sample AND status = 'published'")
            .await;
        if published == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(published, 3);
    let slugs = catalog(&app.browser(), &[]).await;
    assert!(
        slugs.contains(&"sample-colour-bars".to_string()),
        "{slugs:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM media WHERE status = 'ready' AND jsonb_array_length(renditions) > 0")
            .await,
        3
    );
    let bars: (i32, bool) = sqlx::query_as(
        "SELECT m.height, m.has_thumbnail FROM content c JOIN media m ON m.id = c.media_id WHERE c.slug = 'sample-colour-bars'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(bars, (480, true));

    // Asking again adds nothing.
    let owner_id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE role = 'owner'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let added = backend::content::samples::seed(&app.pool, &storage, owner_id)
        .await
        .unwrap();
    assert_eq!(added, 0);
    assert_eq!(app.count("SELECT count(*) FROM content").await, 3);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_owner_uploads_a_thumbnail_for_an_item(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let ready = media(&app, "ready").await;
    let id: String = save(&owner, &[("title", "Pottery"), ("media_id", &ready)])
        .await
        .json()
        .await
        .unwrap();
    let upload = format!("/admin/content/{id}/thumbnail");
    let png = crate::common::png(64, 36);

    let customer = app.verified_customer("ada@example.com").await;
    let refused = customer.post_file(&upload, "thumbnail", &png).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let anonymous = app.browser();
    let refused = anonymous.post_file(&upload, "thumbnail", &png).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let location = |r: &reqwest::Response| {
        r.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string()
    };
    let editor = format!("/admin/content/{id}");
    let svg = owner
        .post_file(&upload, "thumbnail", b"<svg onload=alert(1)>")
        .await;
    assert_eq!(svg.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&svg), format!("{editor}?thumbnail=not-an-image"));
    // PNG magic bytes with no picture behind them.
    let fake = owner
        .post_file(&upload, "thumbnail", b"\x89PNG\r\n\x1a\n-the-rest")
        .await;
    assert_eq!(location(&fake), format!("{editor}?thumbnail=not-an-image"));
    for size in [5 * 1024 * 1024 + 1, 6 * 1024 * 1024] {
        match owner
            .try_post_file(&upload, "thumbnail", &vec![0xFF; size])
            .await
        {
            Ok(huge) => assert_eq!(location(&huge), format!("{editor}?thumbnail=too-large")),
            // Refused before the rest was read: the connection closed under the upload.
            Err(error) => {
                let cause = format!("{error:?}");
                assert!(
                    cause.contains("BrokenPipe") || cause.contains("ConnectionReset"),
                    "{cause}"
                );
            }
        }
    }
    let none = owner.post_file(&upload, "other", &png).await;
    assert_eq!(location(&none), format!("{editor}?thumbnail=missing"));

    let saved = owner.post_file(&upload, "thumbnail", &png).await;
    assert_eq!(location(&saved), format!("{editor}?thumbnail=saved"));
    let served = format!("/content/{id}/thumbnail");
    let image = owner.get(&served).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()[reqwest::header::CONTENT_TYPE], "image/png");
    assert_eq!(image.bytes().await.unwrap().to_vec(), png);
    // A draft's thumbnail is the owner's alone; once published, everyone's.
    assert_eq!(anonymous.get(&served).await.status(), StatusCode::NOT_FOUND);
    owner.call(fns::PublishContent::PATH, &[("id", &id)]).await;
    assert_eq!(anonymous.get(&served).await.status(), StatusCode::OK);
    let items: Value = anonymous
        .call(fns::Catalog::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(items[0]["custom_thumbnail"], true);
    let page = anonymous
        .get("/content/pottery")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("src=\"{served}\"")), "{page}");

    // Not the owner's item (or no item): nothing to upload to.
    let other = format!("/admin/content/{}/thumbnail", Uuid::new_v4());
    assert_eq!(
        owner.post_file(&other, "thumbnail", &png).await.status(),
        StatusCode::NOT_FOUND
    );
}
