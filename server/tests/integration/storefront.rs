//! What the owner sets for the storefront: categories as an ordered list, the footer's
//! social links and legal pages, and the branded emails.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

async fn categories(browser: &Browser<'_>) -> Vec<(String, i64)> {
    let list = browser.call_json(fns::ListCategories::PATH, &[]).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["published_items"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn names(list: &[(String, i64)]) -> Vec<&str> {
    list.iter().map(|(name, _)| name.as_str()).collect()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn categories_are_added_renamed_ordered_and_deleted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    for name in ["Talks", "  Live   music ", "Recipes"] {
        owner
            .call_json(fns::AddCategory::PATH, &[("name", name)])
            .await;
    }
    let visitor = app.browser();
    assert_eq!(
        names(&categories(&visitor).await),
        ["Talks", "Live music", "Recipes"],
        "anyone reads them, in the order added, tidied"
    );
    let (status, body) = error_of(
        owner
            .call(fns::AddCategory::PATH, &[("name", "Talks")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = error_of(owner.call(fns::AddCategory::PATH, &[("name", " ")]).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // An item in "Talks" follows its rename.
    app.publish_ready_item(&owner, "Keynote", &[("category", "Talks")])
        .await;
    let (status, body) = error_of(
        owner
            .call(
                fns::SaveContent::PATH,
                &[("title", "Stray"), ("category", "Unknown")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.to_string().contains("choose one from the list"),
        "{body}"
    );

    owner
        .call_json(
            fns::RenameCategory::PATH,
            &[("name", "Talks"), ("new_name", "Lectures")],
        )
        .await;
    let (status, _) = error_of(
        owner
            .call(
                fns::RenameCategory::PATH,
                &[("name", "Lectures"), ("new_name", "Recipes")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a rename onto another name");
    assert_eq!(
        app.count("SELECT count(*) FROM content WHERE category = 'Lectures'")
            .await,
        1
    );
    let catalog: Value = visitor
        .call_json(fns::Catalog::PATH, &[("category", "Lectures")])
        .await;
    assert_eq!(catalog.as_array().unwrap().len(), 1);

    owner
        .call_json(
            fns::MoveCategory::PATH,
            &[("name", "Recipes"), ("direction", "up")],
        )
        .await;
    owner
        .call_json(
            fns::MoveCategory::PATH,
            &[("name", "Lectures"), ("direction", "up")],
        )
        .await;
    let list = categories(&visitor).await;
    assert_eq!(names(&list), ["Lectures", "Recipes", "Live music"]);
    assert_eq!(list[0].1, 1, "Lectures holds the published item");
    let home = visitor.get("/").await.text().await.unwrap();
    assert!(
        home.contains(r#"href="/?category=Lectures""#),
        "the catalog filters by a category with items"
    );
    assert!(!home.contains("?category=Recipes"), "not by an empty one");

    owner
        .call_json(fns::DeleteCategory::PATH, &[("name", "Lectures")])
        .await;
    assert_eq!(
        names(&categories(&visitor).await),
        ["Recipes", "Live music"]
    );
    assert_eq!(
        app.count("SELECT count(*) FROM content WHERE title = 'Keynote' AND category IS NULL")
            .await,
        1,
        "the item stays, without a category"
    );

    let customer = app.verified_customer("eve@example.com").await;
    for (function, form) in [
        (fns::AddCategory::PATH, vec![("name", "Hacked")]),
        (
            fns::RenameCategory::PATH,
            vec![("name", "Recipes"), ("new_name", "Hacked")],
        ),
        (
            fns::MoveCategory::PATH,
            vec![("name", "Recipes"), ("direction", "down")],
        ),
        (fns::DeleteCategory::PATH, vec![("name", "Recipes")]),
    ] {
        let (status, _) = error_of(customer.call(function, &form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}");
        let (status, _) = error_of(visitor.call(function, &form).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{function}");
    }
    assert_eq!(
        names(&categories(&visitor).await),
        ["Recipes", "Live music"]
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_footer_links_social_profiles_and_the_legal_pages(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let visitor = app.browser();
    let home = visitor.get("/").await.text().await.unwrap();
    assert!(!home.contains(r#"href="/terms""#), "no terms written yet");
    assert_eq!(visitor.get("/terms").await.status(), StatusCode::NOT_FOUND);

    let (status, body) = error_of(
        owner
            .call(
                fns::SaveStorefront::PATH,
                &[("social_links", "https://ok.example\njavascript:alert(1)")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    owner
        .call_json(
            fns::SaveStorefront::PATH,
            &[
                (
                    "social_links",
                    "https://www.youtube.com/@filmclub\r\n\r\nhttps://filmclub.example/blog",
                ),
                (
                    "terms_text",
                    "Refunds within 14 days.\r\n\r\nAll sales are <final> after that.",
                ),
            ],
        )
        .await;
    // Without the hydration markers a debug build (`--cfg erase_components`) puts in.
    let home = visitor
        .get("/")
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    let footer = &home[home.find("<footer").expect("a footer")..];
    assert!(
        footer.contains(r#"<a href="https://www.youtube.com/@filmclub" rel="me">YouTube</a>"#),
        "{footer}"
    );
    assert!(
        footer.contains(r#"<a href="https://filmclub.example/blog" rel="me">filmclub.example</a>"#),
        "{footer}"
    );
    assert!(footer.contains(r#"href="/terms""#), "{footer}");
    assert!(!footer.contains(r#"href="/privacy""#), "{footer}");

    let terms = visitor.get("/terms").await;
    assert_eq!(terms.status(), StatusCode::OK);
    let terms = terms.text().await.unwrap().replace("<!>", "");
    assert!(terms.contains("<p>Refunds within 14 days.</p>"), "{terms}");
    assert!(terms.contains("All sales are &lt;final&gt; after that."));
    assert_eq!(
        visitor.get("/privacy").await.status(),
        StatusCode::NOT_FOUND
    );

    let customer = app.verified_customer("eve@example.com").await;
    let (status, _) = error_of(
        customer
            .call(fns::SaveStorefront::PATH, &[("terms_text", "Hacked")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let too_long = "x".repeat(20_001);
    let (status, _) = error_of(
        owner
            .call(
                fns::SaveStorefront::PATH,
                &[("privacy_text", too_long.as_str())],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn emails_carry_the_owners_colour_business_and_contact(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    owner
        .call_json(
            fns::SaveSettings::PATH,
            &[
                ("platform_name", "Film Club"),
                ("primary_color", "#7c3aed"),
                ("timezone", "UTC"),
                ("business_name", "Film Club Ltd"),
                ("contact_email", "hello@filmclub.example"),
            ],
        )
        .await;
    let preview = owner
        .call_json(
            fns::PreviewEmail::PATH,
            &[("kind", "welcome"), ("text", "")],
        )
        .await;
    let html = preview["html"].as_str().unwrap();
    assert!(
        html.contains("background:#7C3AED;color:#FFFFFF"),
        "the button in the owner's colour: {html}"
    );
    assert!(html.contains("Film Club Ltd · Questions? Write to hello@filmclub.example"));
    // The emails that go out are the same.
    app.browser().register("Ada", "ada@example.com").await;
    let html: String = sqlx::query_scalar(
        "SELECT body_html FROM email_outbox WHERE to_address = 'ada@example.com' AND kind = 'verify_email'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(html.contains("border-top:4px solid #7C3AED"), "{html}");
}

/// The page's `application-name`: the platform name as the page was rendered with it (on
/// the login page, which no cache keeps).
async fn platform_name_on(visitor: &Browser<'_>) -> String {
    let page = visitor.get("/login").await.text().await.unwrap();
    let start = page
        .find(r#"<meta name="application-name" content=""#)
        .unwrap()
        + 39;
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// Runs `sql` with the triggers off: a write that announces nothing.
async fn write_unannounced(pool: &PgPool, sql: &str) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(sql).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn pages_keep_the_settings_until_any_app_server_changes_them(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let visitor = app.browser();
    app.wait_until_listening().await;
    assert_eq!(platform_name_on(&visitor).await, "Codex");

    // A write that announces nothing (triggers off) is not seen: pages read from memory.
    write_unannounced(
        &pool,
        "UPDATE site_settings SET platform_name = 'Unannounced'",
    )
    .await;
    assert_eq!(platform_name_on(&visitor).await, "Codex");

    // Another app server's change (any write to the table) reaches this one's pages.
    sqlx::query("UPDATE site_settings SET platform_name = 'Film Club'")
        .execute(&pool)
        .await
        .unwrap();
    let mut seen = String::new();
    for _ in 0..100 {
        seen = platform_name_on(&visitor).await;
        if seen == "Film Club" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "Film Club");

    // The owner's own change shows on the very next page.
    let owner = app.owner().await;
    owner
        .call_json(
            fns::SaveSettings::PATH,
            &[
                ("platform_name", "Cinema Nine"),
                ("primary_color", "#2563eb"),
                ("contact_email", "hello@example.com"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    assert_eq!(platform_name_on(&visitor).await, "Cinema Nine");
}

/// What a visitor's request for `path` got: the status, whether it came from the kept pages
/// (`x-page-cache`), its `ETag`, the nonce of its CSP and its body.
struct Visit {
    status: StatusCode,
    cache: Option<String>,
    etag: Option<String>,
    csp_nonce: Option<String>,
    body: String,
}

async fn visit(browser: &Browser<'_>, path: &str, headers: &[(&str, &str)]) -> Visit {
    let response = browser.get_with(path, headers).await;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let csp_nonce = header("content-security-policy").map(|csp| {
        let start = csp.find("'nonce-").unwrap() + 7;
        csp[start..start + csp[start..].find('\'').unwrap()].to_string()
    });
    Visit {
        status: response.status(),
        cache: header("x-page-cache"),
        etag: header("etag"),
        csp_nonce,
        body: response.text().await.unwrap(),
    }
}

/// Visits `path` until the visit satisfies `done` (changes reach the kept pages through a
/// notification, a moment after the commit); the last visit.
async fn visit_until(browser: &Browser<'_>, path: &str, done: impl Fn(&Visit) -> bool) -> Visit {
    let mut last = visit(browser, path, &[]).await;
    for _ in 0..100 {
        if done(&last) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        last = visit(browser, path, &[]).await;
    }
    last
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn visitors_pages_are_kept_with_their_own_nonce_until_the_catalog_changes(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let owner = app.owner().await;
    let visitor = app.browser();
    app.wait_until_listening().await;
    let (id, media_id) = app
        .publish_ready_item(&owner, "First Light", &[("price", "9.00")])
        .await;

    // The first visit renders the page, the next come from memory, each with its own nonce.
    let first = visit_until(&visitor, "/", |v| v.cache.as_deref() == Some("hit")).await;
    assert_eq!(first.cache.as_deref(), Some("hit"), "the page is kept");
    let second = visit(&visitor, "/", &[]).await;
    assert_eq!(second.cache.as_deref(), Some("hit"));
    assert!(second.body.contains("First Light"));
    for page in [&first, &second] {
        let nonce = page.csp_nonce.as_deref().unwrap();
        assert!(
            page.body.contains(&format!("nonce=\"{nonce}\"")),
            "the page's scripts carry the policy's nonce"
        );
    }
    assert_ne!(first.csp_nonce, second.csp_nonce);
    assert_eq!(first.etag, second.etag);

    // A browser that has the page is told so, and keeps the policy it has.
    let etag = second.etag.clone().unwrap();
    let again = visit(&visitor, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.csp_nonce, None);

    // A write that announces nothing (triggers off) is not seen: the page comes from memory.
    write_unannounced(&pool, "UPDATE content SET title = 'Unannounced'").await;
    assert!(visit(&visitor, "/", &[]).await.body.contains("First Light"));

    // The owner's edit reaches the kept page, and its tag changes with it.
    let response = owner
        .call(
            fns::SaveContent::PATH,
            &[
                ("id", id.as_str()),
                ("title", "Second Light"),
                ("slug", "first-light"),
                ("price", "9.00"),
                ("media_id", media_id.as_str()),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let edited = visit_until(&visitor, "/", |v| v.body.contains("Second Light")).await;
    assert!(edited.body.contains("Second Light"), "{}", edited.body);
    let stale = visit(&visitor, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_ne!(stale.etag.as_deref(), Some(etag.as_str()));

    // The item's page too; with a discount code it is quoted afresh every time.
    let item = visit_until(&visitor, "/content/first-light", |v| {
        v.cache.as_deref() == Some("hit")
    })
    .await;
    assert_eq!(item.cache.as_deref(), Some("hit"));
    assert!(item.body.contains("Second Light"));
    for _ in 0..2 {
        let quoted = visit(&visitor, "/content/first-light?code=SPRING", &[]).await;
        assert_eq!(quoted.cache, None);
    }

    // Another app server's change (a plain write to a table the pages read) reaches it too.
    sqlx::query("UPDATE content SET description = 'Now with a description.'")
        .execute(&pool)
        .await
        .unwrap();
    let described = visit_until(&visitor, "/content/first-light", |v| {
        v.body.contains("Now with a description.")
    })
    .await;
    assert!(described.body.contains("Now with a description."));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_signed_in_person_never_gets_a_visitors_kept_page(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let owner = app.owner().await;
    let customer = app.verified_customer("ada@example.com").await;
    let visitor = app.browser();
    app.wait_until_listening().await;
    app.publish_ready_item(&owner, "First Light", &[]).await;
    let kept = visit_until(&visitor, "/", |v| v.cache.as_deref() == Some("hit")).await;
    assert_eq!(kept.cache.as_deref(), Some("hit"));

    for (person, name) in [(&customer, "ada@example.com"), (&owner, "owner")] {
        let etag = kept.etag.clone().unwrap();
        let response = person.get_with("/", &[("if-none-match", &etag)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(response.headers().get("x-page-cache"), None, "{name}");
        assert_eq!(response.headers()["cache-control"], "private, no-store");
        let page = response.text().await.unwrap();
        assert!(page.contains("Log out"), "{name}: a signed-in page");
        assert!(!kept.body.contains("Log out"), "the visitor's page is not");
    }
}
