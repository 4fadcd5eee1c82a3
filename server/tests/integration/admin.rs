//! The owner's admin over real HTTP: dashboard figures against hand-computed values, owner
//! only server functions and exports, CSV escaping, settings validation, and settings that
//! show at once.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

async fn customer(app: &TestApp, email: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, email_verified_at)
         VALUES ($1, $2, 'Seeded', 'x', 'customer', now())",
    )
    .bind(id)
    .bind(email)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

async fn item(app: &TestApp, slug: &str, price_cents: i32) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO content (id, owner_id, slug, title, price_cents, status, published_at)
         SELECT $1, id, $2, $2, $3, 'published', now() FROM users WHERE role = 'owner'",
    )
    .bind(id)
    .bind(slug)
    .bind(price_cents)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

/// A purchase whose times are SQL expressions (so they sit around the month boundary).
async fn purchase(
    app: &TestApp,
    user: Uuid,
    content: Uuid,
    (kind, status, cents): (&str, &str, i32),
    completed_at: &str,
    ended_at: &str,
) {
    sqlx::query(&format!(
        "INSERT INTO purchases (id, user_id, content_id, kind, status, amount_cents, created_at, completed_at, ended_at)
         VALUES ($1, $2, $3, $4, $5, $6, COALESCE({completed_at}, now()), {completed_at}, {ended_at})"
    ))
    .bind(Uuid::new_v4())
    .bind(user)
    .bind(content)
    .bind(kind)
    .bind(status)
    .bind(cents)
    .execute(&app.pool)
    .await
    .unwrap();
}

const MONTH_START: &str = "date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'";

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn dashboard_figures_match_hand_computed_values(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (ann, bob, cid) = (
        customer(&app, "ann@example.com").await,
        customer(&app, "bob@example.com").await,
        customer(&app, "cid@example.com").await,
    );
    let (film, short, free) = (
        item(&app, "film", 1000).await,
        item(&app, "short", 500).await,
        item(&app, "free-clip", 0).await,
    );
    let last_month_1h = format!("{MONTH_START} - interval '1 hour'");
    let last_month_2h = format!("{MONTH_START} - interval '2 hours'");
    // Sold now: +$10.
    purchase(
        &app,
        ann,
        film,
        ("checkout", "completed", 1000),
        "now()",
        "NULL",
    )
    .await;
    // Sold an hour before this month began: all time only.
    purchase(
        &app,
        bob,
        film,
        ("checkout", "completed", 1000),
        &last_month_1h,
        "NULL",
    )
    .await;
    // Sold last month, refunded now: not in all time, -$5 this month.
    purchase(
        &app,
        cid,
        short,
        ("checkout", "refunded", 500),
        &last_month_2h,
        "now()",
    )
    .await;
    // Sold and refunded now: nothing.
    purchase(
        &app,
        ann,
        short,
        ("checkout", "refunded", 500),
        "now()",
        "now()",
    )
    .await;
    // A free item and a grant: $0, and the grant is not a purchase.
    purchase(&app, bob, free, ("free", "completed", 0), "now()", "NULL").await;
    purchase(&app, cid, film, ("grant", "completed", 0), "now()", "NULL").await;
    // Pending and failed checkouts count for nothing.
    purchase(
        &app,
        cid,
        short,
        ("checkout", "pending", 500),
        "NULL",
        "NULL",
    )
    .await;
    purchase(
        &app,
        cid,
        short,
        ("checkout", "failed", 500),
        "NULL",
        "now()",
    )
    .await;

    let response = owner.call(fns::LoadDashboard::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let d: Value = response.json().await.unwrap();
    assert_eq!(d["revenue_all_time_cents"], 2000);
    assert_eq!(d["revenue_this_month_cents"], 1000 + 500 - 500 - 500);
    assert_eq!(d["customers"], 3);
    assert_eq!(d["completed_purchases"], 3);
    assert_eq!(d["top_content"][0]["title"], "film");
    assert_eq!(d["top_content"][0]["purchases"], 2);
    assert_eq!(d["top_content"][0]["revenue_cents"], 2000);
    assert_eq!(d["top_content"].as_array().unwrap().len(), 2);
    assert_eq!(d["recent"].as_array().unwrap().len(), 5);
    let daily = d["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 30);
    // Today: +10 +5 +0 (sales) -5 -5 (refunds).
    assert_eq!(daily[29]["cents"], 500);

    let page = owner.get("/admin").await.text().await.unwrap();
    assert!(page.contains("Revenue per day"), "the chart is on the page");
    assert!(page.contains("<svg"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_the_owner_reaches_admin_functions_and_exports(pool: PgPool) {
    let app = spawn_app(pool).await;
    let _owner = app.owner().await;
    let customer = app.verified_customer("eve@example.com").await;
    let visitor = app.browser();
    let some_id = Uuid::new_v4().to_string();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (fns::LoadDashboard::PATH, vec![]),
        (fns::ListCustomers::PATH, vec![]),
        (fns::LoadCustomer::PATH, vec![("id", some_id.as_str())]),
        (fns::AdminPurchases::PATH, vec![]),
        (fns::GetSettings::PATH, vec![]),
        (fns::ListTimezones::PATH, vec![]),
        (
            fns::SaveSettings::PATH,
            vec![
                ("platform_name", "Hacked"),
                ("primary_color", "#000000"),
                ("timezone", "UTC"),
            ],
        ),
        (fns::ListContent::PATH, vec![]),
        (fns::ListOutbox::PATH, vec![]),
    ];
    for (function, form) in &calls {
        let (status, body) = error_of(customer.call(function, form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {body}");
        let (status, _) = error_of(visitor.call(function, form).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{function}");
    }
    for path in ["/admin/customers.csv", "/admin/purchases.csv"] {
        for browser in [&customer, &visitor] {
            let response = browser.get(path).await;
            assert_ne!(response.status(), StatusCode::OK, "{path}");
            assert!(!response.text().await.unwrap().contains("eve@example.com"));
        }
    }
    assert_eq!(
        app.count("SELECT count(*) FROM site_settings WHERE platform_name = 'Hacked'")
            .await,
        0
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn csv_exports_escape_commas_quotes_and_formulas(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let id = customer(&app, "formula@example.com").await;
    sqlx::query("UPDATE users SET name = $2 WHERE id = $1")
        .bind(id)
        .bind("=HYPERLINK(\"http://x\"), +1")
        .execute(&app.pool)
        .await
        .unwrap();
    customer(&app, "@at@example.com").await;
    let film = item(&app, "film, \"director's cut\"", 1000).await;
    purchase(
        &app,
        id,
        film,
        ("checkout", "completed", 1000),
        "now()",
        "NULL",
    )
    .await;

    let response = owner.get("/admin/customers.csv?q=example").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = response.text().await.unwrap();
    assert!(body.starts_with(
        "\"Email\",\"Name\",\"Joined\",\"Verified\",\"Purchases\",\"Total spent (USD)\"\r\n"
    ));
    assert!(
        body.contains("\"formula@example.com\",\"'=HYPERLINK(\"\"http://x\"\"), +1\","),
        "{body}"
    );
    assert!(body.contains("\"'@at@example.com\","), "{body}");
    assert!(body.contains(",\"1\",\"10.00\"\r\n"), "{body}");

    let filtered = owner
        .get("/admin/customers.csv?q=formula")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(filtered.lines().count(), 2, "{filtered}");

    let purchases = owner
        .get("/admin/purchases.csv?status=completed")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        purchases
            .contains(",\"film, \"\"director's cut\"\"\",\"10.00\",\"Completed\",\"checkout\","),
        "{purchases}"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn customers_are_searched_paged_and_detailed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    for n in 0..30 {
        customer(&app, &format!("fan{n:02}@example.com")).await;
    }
    let special = customer(&app, "zoe@example.org").await;
    let film = item(&app, "film", 1000).await;
    purchase(
        &app,
        special,
        film,
        ("checkout", "completed", 1000),
        "now()",
        "NULL",
    )
    .await;
    purchase(
        &app,
        special,
        film,
        ("checkout", "refunded", 1000),
        "now()",
        "now()",
    )
    .await;

    let first: Value = owner
        .call(fns::ListCustomers::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["total"], 31);
    assert_eq!(first["pages"], 2);
    assert_eq!(first["rows"].as_array().unwrap().len(), 25);
    let second: Value = owner
        .call(fns::ListCustomers::PATH, &[("page", "2")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["rows"].as_array().unwrap().len(), 6);
    let found: Value = owner
        .call(fns::ListCustomers::PATH, &[("query", "ZOE@")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["total_spent_cents"], 1000);

    let detail: Value = owner
        .call(fns::LoadCustomer::PATH, &[("id", &special.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["customer"]["email"], "zoe@example.org");
    assert_eq!(detail["customer"]["purchases"], 1);
    assert_eq!(detail["purchases"].as_array().unwrap().len(), 2);
}

async fn save_settings(
    owner: &crate::common::Browser<'_>,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("platform_name", "Film Club"),
        ("primary_color", "#10b981"),
        ("timezone", "Europe/Paris"),
        ("send_receipt", "on"),
        ("send_sale_notification", "on"),
        ("send_refund", "on"),
    ];
    for (key, value) in extra {
        form.retain(|(k, _)| k != key);
        form.push((key, value));
    }
    owner.call(fns::SaveSettings::PATH, &form).await
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn settings_show_at_once_and_switch_emails_off(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let before = app.browser().get("/").await.text().await.unwrap();
    assert!(before.contains(" · Codex</title>"), "the default tab title");
    assert!(before.contains("© Codex"), "the footer names the site");
    assert!(!before.contains("mailto:"), "no contact address yet");
    let business = [
        ("business_name", "Film Club <Ltd>"),
        ("contact_email", "hello@filmclub.example"),
    ];
    // Welcome is not ticked: it is switched off.
    assert_eq!(
        save_settings(&owner, &business).await.status(),
        StatusCode::OK
    );

    let catalog = app.browser().get("/").await.text().await.unwrap();
    assert!(catalog.contains("Film Club"), "the name is on the catalog");
    assert!(
        catalog.contains(" · Film Club</title>"),
        "the name is in the tab title"
    );
    assert!(
        catalog.contains(r#"<meta name="application-name" content="Film Club">"#),
        "the browser reads the name from the head"
    );
    assert!(
        catalog.contains("--primary:#10B981"),
        "the colour drives the CSS"
    );
    let footer = &catalog[catalog.find("<footer").expect("a footer")..];
    assert!(footer.contains("© Film Club &lt;Ltd&gt;"), "{footer}");
    assert!(
        footer.contains(r#"href="mailto:hello@filmclub.example""#),
        "{footer}"
    );
    assert!(
        catalog.contains(r#"<meta name="codex-contact-email" content="hello@filmclub.example">"#),
        "the browser reads the footer from the head"
    );

    let settings = owner.get("/admin/settings").await.text().await.unwrap();
    assert!(
        settings.contains(r#"<option value="Europe/Paris" selected"#),
        "the saved timezone is picked in the list"
    );
    for zone in ["America/New_York", "Asia/Tokyo", "UTC"] {
        assert!(
            settings.contains(&format!(r#"<option value="{zone}">"#)),
            "{zone} is offered"
        );
    }
    assert!(!settings.contains("posix/"), "no POSIX aliases");

    app.browser().register("New", "new@example.com").await;
    assert_eq!(
        app.count("SELECT count(*) FROM email_outbox WHERE to_address = 'new@example.com' AND kind = 'welcome'").await,
        0
    );
    let verification = app
        .count("SELECT count(*) FROM email_outbox WHERE to_address = 'new@example.com' AND kind = 'verify_email'")
        .await;
    assert_eq!(
        verification, 1,
        "verification emails cannot be switched off"
    );
    let subject: String =
        sqlx::query_scalar("SELECT subject FROM email_outbox WHERE to_address = 'new@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(subject.contains("Film Club"), "{subject}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn settings_refuse_bad_colours_zones_and_logos(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    for (field, value, message) in [
        ("primary_color", "blue", "Primary colour"),
        ("primary_color", "#12345", "Primary colour"),
        ("timezone", "Mars/Olympus", "Timezone"),
        ("contact_email", "not an email", "Contact email"),
        ("platform_name", "  ", "Platform name"),
    ] {
        let (status, body) = error_of(save_settings(&owner, &[(field, value)]).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={value}");
        assert!(body.to_string().contains(message), "{body}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM site_settings WHERE platform_name = 'Codex'")
            .await,
        1
    );

    let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_string();
    let too_big = vec![0x89u8; 2 * 1024 * 1024 + 10];
    let response = owner
        .post_file("/admin/settings/logo", "logo", &too_big)
        .await;
    assert_eq!(location(&response), "/admin/settings?logo=too-large");
    let response = owner
        .post_file("/admin/settings/logo", "logo", b"GIF89a....")
        .await;
    assert_eq!(location(&response), "/admin/settings?logo=not-an-image");
    let html = b"<html><script>alert(1)</script></html>";
    let response = owner.post_file("/admin/settings/logo", "logo", html).await;
    assert_eq!(location(&response), "/admin/settings?logo=not-an-image");
    let response = owner
        .post_file("/admin/settings/logo", "logo", &crate::common::png(64, 32))
        .await;
    assert_eq!(location(&response), "/admin/settings?logo=logo-size");
    let page = owner.get("/admin/settings?logo=logo-size").await;
    let page = page.text().await.unwrap();
    assert!(
        page.contains("A logo needs 100 to 2000 pixels on its longer side."),
        "the refusal is explained"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM site_settings WHERE logo_type IS NOT NULL")
            .await,
        0
    );

    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><rect width="10" height="10"/></svg>"#;
    let page = app.browser().get("/").await.text().await.unwrap();
    assert!(
        page.contains(r#"<link rel="icon" href="/favicon.svg""#),
        "{page}"
    );
    let response = owner.post_file("/admin/settings/logo", "logo", svg).await;
    assert_eq!(location(&response), "/admin/settings?logo=saved");
    let page = app.browser().get("/").await.text().await.unwrap();
    assert!(
        page.contains(r#"<link rel="icon" href="/site/logo?v="#),
        "the logo is the tab's icon: {page}"
    );
    let logo = app.browser().get("/site/logo").await;
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    let csp = logo.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );

    let customer = app.verified_customer("c@example.com").await;
    let response = customer
        .post_file("/admin/settings/logo", "logo", svg)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_owner_words_emails_previews_them_and_resends_from_the_outbox(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let response = save_settings(
        &owner,
        &[(
            "receipt_text",
            "Thanks {name} for {item} ({amount}) from {platform}!",
        )],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let preview: Value = owner
        .call(
            fns::PreviewEmail::PATH,
            &[
                ("kind", "receipt"),
                (
                    "text",
                    "Thanks {name} for {item} ({amount}) from {platform}!",
                ),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        preview["text"]
            .as_str()
            .unwrap()
            .contains("Thanks Alex for Sample film ($12.34) from Film Club!"),
        "{preview}"
    );
    assert!(preview["html"]
        .as_str()
        .unwrap()
        .contains("<!doctype html>"));
    let settings: Value = owner
        .call(fns::GetSettings::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        settings["receipt_text"],
        "Thanks {name} for {item} ({amount}) from {platform}!"
    );

    let failed = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO email_outbox (id, kind, to_address, subject, body_text, body_html, status, attempts, last_error)
         VALUES ($1, 'welcome', 'lost@example.com', 'Hi', 'Hi', '<p>Hi</p>', 'failed', 6, 'SMTP error')",
    )
    .bind(failed)
    .execute(&app.pool)
    .await
    .unwrap();
    let customer = app.verified_customer("c@example.com").await;
    let id = failed.to_string();
    assert_eq!(
        customer
            .call(fns::ResendEmail::PATH, &[("id", &id)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        owner
            .call(fns::ResendEmail::PATH, &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT count(*) FROM email_outbox WHERE to_address = 'lost@example.com' AND status = 'pending' AND attempts = 0").await,
        1
    );
    // A pending email is already on its way.
    assert_eq!(
        owner
            .call(fns::ResendEmail::PATH, &[("id", &id)])
            .await
            .status(),
        StatusCode::CONFLICT
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn avatars_are_resized_and_private(pool: PgPool) {
    let app = spawn_app(pool).await;
    let _owner = app.owner().await;
    let customer = app.verified_customer("pic@example.com").await;
    let response = customer
        .post_file("/account/avatar", "avatar", &crate::common::png(900, 500))
        .await;
    assert_eq!(response.headers()["location"], "/account?avatar=saved");
    let response = customer
        .post_file("/account/avatar", "avatar", b"\x89PNG\r\n\x1a\nbroken")
        .await;
    assert_eq!(
        response.headers()["location"],
        "/account?avatar=not-an-image"
    );

    let url: Value = customer
        .call(fns::MyAvatar::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    let url = url.as_str().unwrap().to_string();
    let avatar = customer.get(&url).await;
    assert_eq!(avatar.status(), StatusCode::OK);
    assert_eq!(avatar.headers()["content-type"], "image/jpeg");
    let decoded = image::load_from_memory(&avatar.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (256, 256));

    let other = app.verified_customer("other@example.com").await;
    assert_eq!(other.get(&url).await.status(), StatusCode::NOT_FOUND);
}
