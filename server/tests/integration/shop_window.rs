//! The storefront as a shop window: the creator's introduction and featured item over the
//! catalog, its orders, the cards' facts, and the item page's description and related items.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

/// The titles of a list of catalog items.
fn titles(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect()
}

async fn item_page(browser: &Browser<'_>, slug: &str) -> (Value, Value, Value) {
    let response = browser
        .call(fns::ContentBySlug::PATH, &[("slug", slug)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_featured_item_and_the_introduction_are_saved_and_shown(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (headliner, _) = app
        .publish_ready_item(&owner, "Headliner", &[("description", "A **bold** story.")])
        .await;
    let (secret, _) = app.draft_ready_item(&owner, "Secret", &[]).await;

    let (status, body) = error_of(
        owner
            .call(fns::SaveStorefront::PATH, &[("featured", &secret)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a draft is not featured");
    assert_eq!(
        body["Validation"],
        "Featured item: choose one of your published items."
    );
    let long = "x".repeat(501);
    let (status, _) = error_of(
        owner
            .call(fns::SaveStorefront::PATH, &[("introduction", &long)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "500 characters at most");

    owner
        .call_json(
            fns::SaveStorefront::PATH,
            &[
                (
                    "introduction",
                    "I make films about light.\r\nNew ones monthly.",
                ),
                ("featured", &headliner),
            ],
        )
        .await;
    let visitor = app.browser();
    let window = visitor.call_json(fns::LoadShopWindow::PATH, &[]).await;
    assert_eq!(window["featured"]["title"], "Headliner");
    assert_eq!(
        window["featured_summary"], "A bold story.",
        "its Markdown read, not shown"
    );
    assert_eq!(
        window["introduction"],
        "I make films about light.\nNew ones monthly."
    );
    let owner_name: String = sqlx::query_scalar("SELECT name FROM users WHERE role = 'owner'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(window["creator"]["name"], owner_name.as_str());
    let home = visitor
        .get("/")
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    assert!(home.contains("I make films about light."), "{home}");
    assert!(
        home.contains(r#"id="featured-heading""#),
        "the featured item is on the page"
    );
    let featured = &home[home.find(r#"class="card featured""#).unwrap()..];
    let featured = &featured[..featured.find("</section>").unwrap()];
    assert!(featured.contains("A bold story."), "{featured}");
    assert!(!featured.contains("**bold**"), "no Markdown shown as typed");

    // Unpublished, it is featured no more.
    owner
        .call_json(fns::UnpublishContent::PATH, &[("id", &headliner)])
        .await;
    let window = visitor.call_json(fns::LoadShopWindow::PATH, &[]).await;
    assert_eq!(window["featured"], Value::Null);

    let customer = app.verified_customer("ada@example.com").await;
    let (status, _) = error_of(
        customer
            .call(fns::SaveStorefront::PATH, &[("introduction", "Hacked")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn related_items_are_published_ones_of_the_same_category_or_bundle(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    owner
        .call_json(fns::AddCategory::PATH, &[("name", "Talks")])
        .await;
    app.publish_ready_item(&owner, "Keynote", &[("category", "Talks")])
        .await;
    app.publish_ready_item(&owner, "Panel", &[("category", "Talks")])
        .await;
    app.draft_ready_item(&owner, "Rehearsal", &[("category", "Talks")])
        .await;
    let (first, _) = app.publish_ready_item(&owner, "Cooking", &[]).await;
    let (second, _) = app.publish_ready_item(&owner, "Baking", &[]).await;
    app.publish_ready_item(&owner, "Unrelated", &[]).await;

    let visitor = app.browser();
    let (_, _, about) = item_page(&visitor, "keynote").await;
    assert_eq!(titles(&about["related"]), ["Panel"], "no draft, not itself");

    let created = owner
        .call(
            fns::SaveContent::PATH,
            &[("title", "Kitchen set"), ("price", "15.00")],
        )
        .await;
    let bundle: String = created.json().await.unwrap();
    owner
        .call_json(
            fns::SaveBundleItems::PATH,
            &[("id", &bundle), ("items[0]", &first), ("items[1]", &second)],
        )
        .await;
    let (_, _, about) = item_page(&visitor, "cooking").await;
    assert!(
        titles(&about["related"]).is_empty(),
        "a draft bundle relates nothing"
    );
    owner
        .call_json(fns::PublishContent::PATH, &[("id", &bundle)])
        .await;
    let (_, _, about) = item_page(&visitor, "cooking").await;
    assert_eq!(titles(&about["related"]), ["Kitchen set", "Baking"]);
    let (_, _, about) = item_page(&visitor, "kitchen-set").await;
    assert_eq!(titles(&about["related"]), ["Baking", "Cooking"]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_description_is_markdown_made_safe(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let description = "## Inside\n\nHow to **light** a scene. [More](javascript:alert(1))\n\n<script>alert('boom')</script>";
    app.publish_ready_item(&owner, "Lighting", &[("description", description)])
        .await;
    let visitor = app.browser();
    let (_, _, about) = item_page(&visitor, "lighting").await;
    let html = about["description_html"].as_str().unwrap();
    assert!(html.contains("<h4>Inside</h4>"), "{html}");
    assert!(html.contains("<strong>light</strong>"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert('boom')&lt;/script&gt;"),
        "{html}"
    );
    assert_eq!(
        about["summary"],
        "Inside How to light a scene. More <script>alert('boom')</script>"
    );

    let page = visitor.get("/content/lighting").await.text().await.unwrap();
    assert!(
        page.contains("<strong>light</strong>"),
        "rendered on the server"
    );
    assert!(
        !page.contains("<script>alert("),
        "the script is never a script on the page"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_catalog_sorts_and_its_cards_say_what_a_membership_includes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    app.publish_ready_item(&owner, "Middle", &[("price", "5.00")])
        .await;
    let (cheap, _) = app
        .publish_ready_item(&owner, "Cheap", &[("price", "0")])
        .await;
    app.publish_ready_item(&owner, "Dear", &[("price", "9.00")])
        .await;
    let visitor = app.browser();
    let sorted = |sort: &'static str| {
        let visitor = &visitor;
        async move {
            let items = visitor
                .call_json(fns::Catalog::PATH, &[("sort", sort)])
                .await;
            titles(&items)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(sorted("newest").await, ["Dear", "Cheap", "Middle"]);
    assert_eq!(sorted("price").await, ["Cheap", "Middle", "Dear"]);
    assert_eq!(sorted("price-desc").await, ["Dear", "Middle", "Cheap"]);
    assert_eq!(sorted("nonsense").await, ["Dear", "Cheap", "Middle"]);

    let customer = app.verified_customer("ada@example.com").await;
    customer
        .call_json(fns::GetFreeAccess::PATH, &[("content_id", &cheap)])
        .await;
    // The kept catalog forgets on changes to what it shows; a purchase is not one of them.
    app.state.catalog.forget();
    assert_eq!(sorted("popular").await[0], "Cheap", "the one bought first");

    let created = owner
        .call(
            fns::CreateTier::PATH,
            &[
                ("name", "Gold"),
                ("monthly_price", "5"),
                ("items[0]", &cheap),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let items = visitor.call_json(fns::Catalog::PATH, &[]).await;
    let included: Vec<(&str, bool)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap(),
                i["in_membership"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        included,
        [("Dear", false), ("Cheap", true), ("Middle", false)]
    );
}
