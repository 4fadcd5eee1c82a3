//! Audience analytics over real HTTP: the player's viewing reports (as `sendBeacon` posts
//! them), storefront page views with their sources, the rollup, and the owner's reports,
//! whose revenue is the dashboard's to the cent.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser, TestApp};
use crate::payments::{bought, payment_intent_of, shop, PRICE_CENTS};
use domain::paths;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

fn beacon(session: Uuid, content: &str, watched: Value, startup_ms: Option<u32>) -> String {
    json!({
        "session": session, "content_id": content, "watched": watched,
        "startup_ms": startup_ms, "stall_ms": 400, "stalls": 1, "switches": 0,
        "failed": false, "exited_before_start": false
    })
    .to_string()
}

async fn send(viewer: &Browser<'_>, body: String) -> StatusCode {
    viewer.post_text(paths::VIEWING_BEACON, body).await.status()
}

/// Folds the raw events now, as the owner's "Update now" does.
async fn refresh(owner: &Browser<'_>) {
    owner.call_json(fns::RefreshAnalytics::PATH, &[]).await;
}

async fn item_report(owner: &Browser<'_>, content: &str) -> Value {
    owner
        .call_json(
            fns::LoadItemAnalytics::PATH,
            &[("id", content), ("range", "7")],
        )
        .await
}

async fn free_item_with_viewer<'a>(app: &'a TestApp) -> (Browser<'a>, Browser<'a>, String) {
    let owner = app.owner().await;
    let (content, _) = app.publish_ready_item(&owner, "Talk", &[]).await;
    let viewer = app.verified_customer("ada@example.com").await;
    viewer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    (owner, viewer, content)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn one_sessions_beacons_give_exact_minutes_ranges_completion_and_startup(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, viewer, content) = free_item_with_viewer(&app).await;
    owner
        .call_json(
            fns::AddWebhookEndpoint::PATH,
            &[("url", "http://127.0.0.1:9/hook")],
        )
        .await;
    let session = Uuid::new_v4();
    // Every 15 s the player sends its totals so far; one report arrives twice, one late.
    let reports = [
        beacon(session, &content, json!([[0.0, 15.2]]), None),
        beacon(session, &content, json!([[0.0, 30.0]]), Some(800)),
        beacon(session, &content, json!([[0.0, 30.0]]), Some(800)),
        beacon(
            session,
            &content,
            json!([[0.0, 30.0], [60.0, 100.0]]),
            Some(800),
        ),
        beacon(
            session,
            &content,
            json!([[0.0, 30.0], [60.0, 100.0]]),
            Some(800),
        ),
        beacon(session, &content, json!([[0.0, 14.0]]), Some(800)),
    ];
    for report in reports {
        assert_eq!(send(&viewer, report).await, StatusCode::NO_CONTENT);
    }
    refresh(&owner).await;

    let report = item_report(&owner, &content).await;
    let figures = &report["figures"];
    assert_eq!(figures["views"], 1);
    assert_eq!(figures["viewers"], 1);
    assert_eq!(figures["watch_seconds"], 70, "{report}");
    assert_eq!(figures["average_watched_permille"], 700);
    assert_eq!(figures["completions"], 1);
    let retention = report["retention_permille"].as_array().unwrap();
    assert_eq!(retention.len(), 100);
    assert_eq!(
        (&retention[10], &retention[29]),
        (&json!(1000), &json!(1000))
    );
    assert_eq!((&retention[30], &retention[59]), (&json!(0), &json!(0)));
    assert_eq!(
        (&retention[60], &retention[99]),
        (&json!(1000), &json!(1000))
    );
    let quality = &report["quality"];
    assert_eq!(
        quality["startup_p50_ms"], 1000,
        "800 ms is in the ≤ 1 s bucket"
    );
    assert_eq!(quality["sessions"], 1);
    // 400 ms stalled over 70 s watched and 0.4 s stalled: 0.568 %, in whole hundredths.
    assert_eq!(quality["rebuffer_basis_points"], 56);

    // The end reached: one outbound event for the session, however many reports said so.
    assert_eq!(
        app.count("SELECT count(*) FROM webhook_deliveries WHERE event_type = 'viewing.completed'")
            .await,
        1
    );
    let headline = owner
        .call_json(fns::ItemHeadline::PATH, &[("id", &content)])
        .await;
    assert_eq!(headline["watch_seconds"], 70, "the editor's last 30 days");
    // A second pass folds the same day to the same figures.
    refresh(&owner).await;
    assert_eq!(item_report(&owner, &content).await["figures"], *figures);

    let overview = owner
        .call_json(fns::LoadAnalytics::PATH, &[("range", "7")])
        .await;
    assert_eq!(overview["days"].as_array().unwrap().len(), 7);
    assert_eq!(overview["days"][6]["views"], 1);
    assert_eq!(overview["days"][6]["watch_seconds"], 70);

    let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'ada@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let watched = owner
        .call_json(fns::CustomerWatched::PATH, &[("id", &id.to_string())])
        .await;
    assert_eq!(watched[0]["title"], "Talk");
    assert_eq!(watched[0]["watch_seconds"], 70);

    let csv = owner
        .get(&format!(
            "{}?table=retention&item={content}&range=7",
            paths::ANALYTICS_CSV
        ))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let body = csv.text().await.unwrap();
    assert!(body.contains("\"10%\",\"100.0%\""), "{body}");
    assert!(body.contains("\"45%\",\"0.0%\""), "{body}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn forged_absurd_and_owner_beacons_count_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, viewer, content) = free_item_with_viewer(&app).await;
    let (paid, _) = app
        .publish_ready_item(&owner, "Paid", &[("price", "9.00")])
        .await;

    // An item the viewer may not play.
    let forged = beacon(Uuid::new_v4(), &paid, json!([[0.0, 10.0]]), Some(500));
    assert_eq!(send(&viewer, forged.clone()).await, StatusCode::BAD_REQUEST);
    // Ranges beyond the item, a startup of hours, a body that is not a report.
    for absurd in [
        beacon(Uuid::new_v4(), &content, json!([[0.0, 5000.0]]), Some(500)),
        beacon(Uuid::new_v4(), &content, json!([[-3.0, 10.0]]), Some(500)),
        beacon(
            Uuid::new_v4(),
            &content,
            json!([[0.0, 10.0]]),
            Some(99_000_000),
        ),
        "{\"session\": 1}".to_string(),
    ] {
        assert_eq!(send(&viewer, absurd).await, StatusCode::BAD_REQUEST);
    }
    // Someone else's session id.
    let session = Uuid::new_v4();
    assert_eq!(
        send(
            &viewer,
            beacon(session, &content, json!([[0.0, 10.0]]), Some(500))
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let other = app.verified_customer("bob@example.com").await;
    other
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(
        send(
            &other,
            beacon(session, &content, json!([[0.0, 90.0]]), Some(500))
        )
        .await,
        StatusCode::BAD_REQUEST
    );
    // Visitors cannot report; the owner's own plays are answered and not kept.
    assert_eq!(
        send(
            &app.browser(),
            beacon(Uuid::new_v4(), &content, json!([]), None)
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(
            &owner,
            beacon(Uuid::new_v4(), &content, json!([[0.0, 100.0]]), Some(100))
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.count("SELECT count(*) FROM viewing_sessions").await, 1);
    refresh(&owner).await;
    let figures = &item_report(&owner, &content).await["figures"];
    assert_eq!(
        (&figures["views"], &figures["watch_seconds"]),
        (&json!(1), &json!(10))
    );
    let paid_figures = &item_report(&owner, &paid).await["figures"];
    assert_eq!(paid_figures["views"], 0);

    // A customer cannot read the owner's figures.
    let (status, _) = error_of(viewer.call(fns::LoadAnalytics::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csv = viewer
        .get(&format!("{}?table=items", paths::ANALYTICS_CSV))
        .await;
    assert_ne!(csv.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_visit_from_the_newsletter_that_buys_shows_under_its_source(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    let page = customer
        .get_with(
            "/content/paid-film?utm_source=newsletter&utm_medium=email",
            &[("user-agent", BROWSER)],
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    // Later pages of the visit, and a crawler, add no source.
    customer
        .get_with("/", &[("user-agent", BROWSER), ("referer", &app.url("/"))])
        .await;
    app.browser()
        .get_with(
            "/content/paid-film?utm_source=spam",
            &[("user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)")],
        )
        .await;
    bought(&app, &customer, &content).await;
    // A visitor from elsewhere who does not buy.
    app.browser()
        .get_with(
            "/content/paid-film",
            &[
                ("user-agent", BROWSER),
                ("referer", "https://www.youtube.com/watch?v=1"),
            ],
        )
        .await;
    refresh(&owner).await;

    let report = item_report(&owner, &content).await;
    assert_eq!(report["figures"]["page_views"], 2, "{report}");
    assert_eq!(report["figures"]["checkouts"], 1);
    assert_eq!(report["figures"]["paid"], 1);
    assert_eq!(report["figures"]["revenue_cents"], PRICE_CENTS);
    assert_eq!(
        report["sources"],
        json!([
            { "source": "newsletter / email", "visits": 1, "checkouts": 1, "paid": 1 },
            { "source": "youtube.com", "visits": 1, "checkouts": 0, "paid": 0 },
        ])
    );
    let overview = owner
        .call_json(fns::LoadAnalytics::PATH, &[("range", "30")])
        .await;
    assert_eq!(overview["catalog_views"], 1);
    assert_eq!(
        overview["visitors"], 2,
        "two browsers, the crawler not counted"
    );
    // No address is stored: the visitor is a 16-byte hash.
    assert_eq!(
        app.count("SELECT count(*) FROM page_views WHERE octet_length(visitor) <> 16")
            .await,
        0
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn revenue_on_analytics_is_the_dashboards_after_refunds_and_disputes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, first, content) = shop(&app).await;
    let kept = bought(&app, &first, &content).await;
    let second = app.verified_customer("dan@example.com").await;
    let refunded = bought(&app, &second, &content).await;
    let third = app.verified_customer("eve@example.com").await;
    let disputed = bought(&app, &third, &content).await;
    owner
        .call_json(
            fns::RefundPurchase::PATH,
            &[("purchase_id", &refunded), ("reason", "Asked")],
        )
        .await;
    let payment = payment_intent_of(&app, &disputed).await;
    for (id, kind, status) in [
        ("evt_dp_open", "charge.dispute.created", "needs_response"),
        ("evt_dp_lost", "charge.dispute.closed", "lost"),
    ] {
        let payload = crate::payments::event(
            id,
            kind,
            json!({
                "id": "dp_analytics", "object": "dispute", "amount": PRICE_CENTS,
                "charge": "ch_analytics", "currency": "usd", "created": 1_700_000_100,
                "payment_intent": payment, "reason": "fraudulent", "status": status,
                "livemode": false, "metadata": {}
            }),
        );
        assert_eq!(
            crate::payments::deliver_signed(&app, &payload).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        crate::payments::status_of(&app, &disputed).await,
        "dispute_lost"
    );
    assert_eq!(crate::payments::status_of(&app, &kept).await, "completed");
    refresh(&owner).await;

    let dashboard = owner.call_json(fns::LoadDashboard::PATH, &[]).await;
    let daily: i64 = dashboard["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["cents"].as_i64().unwrap())
        .sum();
    let overview = owner
        .call_json(fns::LoadAnalytics::PATH, &[("range", "30")])
        .await;
    assert_eq!(overview["revenue_cents"], daily);
    assert_eq!(daily, PRICE_CENTS, "one sale kept of three");
    assert_eq!(dashboard["revenue_all_time_cents"], daily);
    assert_eq!(overview["items"][0]["revenue_cents"], daily);
    assert_eq!(overview["items"][0]["paid"], 3);
}
