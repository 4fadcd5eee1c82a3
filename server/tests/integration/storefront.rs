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

/// The page's `application-name`: the platform name as the page was rendered with it.
async fn platform_name_on(visitor: &Browser<'_>) -> String {
    let page = visitor.get("/").await.text().await.unwrap();
    let start = page
        .find(r#"<meta name="application-name" content=""#)
        .unwrap()
        + 39;
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn pages_keep_the_settings_until_any_app_server_changes_them(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let visitor = app.browser();
    // This app server listens for changes to the settings on a connection of its own.
    let listening = "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND query LIKE 'LISTEN%site_settings_changed%'";
    for _ in 0..100 {
        if app.count(listening).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.count(listening).await, 1, "the listener is connected");
    assert_eq!(platform_name_on(&visitor).await, "Codex");

    // A write that announces nothing (triggers off) is not seen: pages read from memory.
    let mut quiet = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *quiet)
        .await
        .unwrap();
    sqlx::query("UPDATE site_settings SET platform_name = 'Unannounced'")
        .execute(&mut *quiet)
        .await
        .unwrap();
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
