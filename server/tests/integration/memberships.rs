//! Memberships over real HTTP: "Subscribe" through the stand-in's subscription Checkout,
//! then the subscription's life moved by the stand-in (renewal, failed renewal, cancellation
//! at period end in its customer portal, the end) with every event delivered signed to the
//! webhook; events replayed late and out of order change nothing; the owner's tiers and the
//! dashboard's members and MRR.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser, TestApp};
use crate::payments::{deliver_signed, event, location, pay, shop, PAYING_CARD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::config::STANDIN_SECRET_KEY;
use sqlx::PgPool;

/// Live member rows (not revoked, not over).
const MEMBER_ACCESS: &str = "SELECT count(*) FROM access
     WHERE reason = 'member' AND revoked_at IS NULL AND expires_at > now()";

/// An "All access" tier at $5.00 a month and $50.00 a year; its id.
async fn tier(owner: &Browser<'_>, fields: &[(&str, &str)]) -> String {
    let mut form = vec![
        ("name", "All access"),
        ("monthly_price", "5"),
        ("yearly_price", "50"),
    ];
    form.extend_from_slice(fields);
    let created = owner.call(fns::CreateTier::PATH, &form).await;
    assert_eq!(
        created.status(),
        StatusCode::OK,
        "{:?}",
        error_of(created).await
    );
    let tiers: Value = owner.call_json(fns::ListTiers::PATH, &[]).await;
    tiers[0]["id"].as_str().unwrap().to_string()
}

/// "Subscribe", paid with the test card; the stand-in's address and the subscription's id.
async fn subscribe(
    app: &TestApp,
    customer: &Browser<'_>,
    tier: &str,
    interval: &str,
) -> (String, String) {
    let response = customer
        .post_form(
            "/memberships/checkout",
            &[("tier_id", tier), ("interval", interval)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let checkout = location(&response);
    assert!(checkout.contains("/pay/cs_"), "{checkout}");
    let paid = pay(&checkout, PAYING_CARD).await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    // Checkout's return reads the subscription at once.
    let welcome = location(&paid);
    assert!(
        welcome.contains("/memberships/welcome?session_id=cs_"),
        "{welcome}"
    );
    let back = customer.get(welcome.trim_start_matches(&app.base)).await;
    assert_eq!(location(&back), "/pricing?welcome=1");
    let standin = checkout.split("/pay/").next().unwrap().to_string();
    let subscription: String = sqlx::query_scalar(
        "SELECT stripe_subscription_id FROM subscriptions WHERE status = 'active'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    (standin, subscription)
}

/// A server function's answer, as JSON.
/// One of the stand-in's test helpers (`renew`, `fail_renewal`, `cancel`).
async fn helper(standin: &str, subscription: &str, action: &str) {
    let response = reqwest::Client::new()
        .post(format!(
            "{standin}/v1/test_helpers/subscriptions/{subscription}/{action}"
        ))
        .bearer_auth(STANDIN_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// The membership's row, once its status is `status` (events arrive in the background).
async fn once_status(
    app: &TestApp,
    status: &str,
) -> (
    bool,
    Option<time::OffsetDateTime>,
    Option<time::OffsetDateTime>,
    Option<time::OffsetDateTime>,
) {
    let sql = format!("SELECT count(*) FROM subscriptions WHERE status = '{status}'");
    assert_eq!(app.wait_for_count(&sql, 1).await, 1, "status {status}");
    sqlx::query_as(
        "SELECT cancel_at_period_end, current_period_start, current_period_end, access_until
         FROM subscriptions WHERE status = $1",
    )
    .bind(status)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn may_watch(customer: &Browser<'_>) -> bool {
    let watch = customer
        .call(fns::LoadWatch::PATH, &[("slug", "paid-film")])
        .await;
    watch.status() == StatusCode::OK
}

async fn dashboard(owner: &Browser<'_>) -> (i64, i64) {
    let d: Value = owner.call_json(fns::LoadDashboard::PATH, &[]).await;
    (
        d["active_members"].as_i64().unwrap(),
        d["mrr_cents"].as_i64().unwrap(),
    )
}

async fn member_access_until(app: &TestApp) -> Option<time::OffsetDateTime> {
    sqlx::query_scalar(
        "SELECT max(expires_at) FROM access WHERE reason = 'member' AND revoked_at IS NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_member_plays_until_the_cancelled_period_ends(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let tier = tier(&owner, &[("all_items", "on")]).await;
    assert_eq!(app.count(MEMBER_ACCESS).await, 0);
    assert!(!may_watch(&customer).await);

    let (standin, subscription) = subscribe(&app, &customer, &tier, "month").await;
    let (cancelling, _, end, until) = once_status(&app, "active").await;
    assert!(!cancelling);
    // Paid: to the period's end and the grace.
    assert_eq!(until, end.map(|e| e + time::Duration::days(7)));
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);
    assert_eq!(member_access_until(&app).await, until);
    assert!(may_watch(&customer).await);
    assert_eq!(dashboard(&owner).await, (1, 500));
    // A member may not subscribe to the tier again.
    let again = customer
        .post_form(
            "/memberships/checkout",
            &[("tier_id", &tier), ("interval", "year")],
        )
        .await;
    assert_eq!(location(&again), "/pricing?checkout=member");
    let pricing: Value = customer.call_json(fns::LoadPricing::PATH, &[]).await;
    assert_eq!(pricing["mine"][0]["tier_name"], "All access");

    // A renewal moves the period on by a month.
    helper(&standin, &subscription, "renew").await;
    let renewed = "SELECT count(*) FROM subscriptions
                   WHERE current_period_start = current_period_end - interval '30 days'
                     AND current_period_start > created_at + interval '29 days'";
    assert_eq!(app.wait_for_count(renewed, 1).await, 1);
    let (_, start, _, _) = once_status(&app, "active").await;
    assert_eq!(start, end);

    // "Manage membership" opens the customer portal; cancelling there keeps the items to
    // the end of the period, without the grace.
    let portal = customer.post_form("/memberships/portal", &[]).await;
    let portal = location(&portal);
    assert!(
        portal.starts_with(&format!("{standin}/portal/bps_")),
        "{portal}"
    );
    let page = reqwest::get(&portal).await.unwrap().text().await.unwrap();
    assert!(page.contains("Cancel membership"), "{page}");
    let cancelled = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{portal}/{subscription}/cancel"))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    let sql = "SELECT count(*) FROM subscriptions WHERE cancel_at_period_end";
    assert_eq!(app.wait_for_count(sql, 1).await, 1);
    let (_, _, end, until) = once_status(&app, "active").await;
    assert_eq!(until, end);
    assert_eq!(member_access_until(&app).await, end);
    assert_eq!(app.count(MEMBER_ACCESS).await, 1);

    // The period ends: Stripe deletes the subscription and the items stop.
    helper(&standin, &subscription, "renew").await;
    once_status(&app, "canceled").await;
    assert_eq!(app.wait_for_exactly(MEMBER_ACCESS, 0).await, 0);
    assert!(!may_watch(&customer).await);
    assert_eq!(dashboard(&owner).await, (0, 0));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_failed_renewal_keeps_the_grace_then_ends(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    let tier = tier(&owner, &[("items[0]", &content)]).await;
    let (standin, subscription) = subscribe(&app, &customer, &tier, "year").await;
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);
    assert_eq!(dashboard(&owner).await, (1, 417));

    helper(&standin, &subscription, "fail_renewal").await;
    let (_, start, _, until) = once_status(&app, "past_due").await;
    // Seven days from the start of the unpaid period, still playing.
    assert_eq!(until, start.map(|s| s + time::Duration::days(7)));
    assert_eq!(member_access_until(&app).await, until);
    assert!(may_watch(&customer).await);
    let pricing: Value = customer.call_json(fns::LoadPricing::PATH, &[]).await;
    assert_eq!(pricing["mine"][0]["status"], "past_due");

    // Stripe gives up retrying.
    helper(&standin, &subscription, "cancel").await;
    once_status(&app, "canceled").await;
    assert_eq!(app.wait_for_exactly(MEMBER_ACCESS, 0).await, 0);
    let ended: i64 = app
        .count("SELECT count(*) FROM access WHERE reason = 'member' AND revoked_at IS NOT NULL")
        .await;
    assert_eq!(ended, 1);
}

/// A new item published while a member's subscription is being applied: the item's grant
/// waits for that sync instead of being ended by it (the sync listed the items before the
/// new one was committed).
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_item_published_during_a_members_sync_stays_open_to_them(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let tier = tier(&owner, &[("all_items", "on")]).await;
    subscribe(&app, &customer, &tier, "month").await;
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);
    let member: uuid::Uuid =
        sqlx::query_scalar("SELECT user_id FROM subscriptions WHERE access_until > now()")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // The subscription's own events (Checkout, created, charge, invoice, invoice payment)
    // sync the member too: let them land first so the only session waiting below is the
    // publish.
    let events = "SELECT count(*) FROM stripe_events";
    assert_eq!(app.wait_for_count(events, 5).await, 5);

    let mut sync = app.pool.begin().await.unwrap();
    backend::access::lock_customer(&mut sync, member)
        .await
        .unwrap();
    let waiting = "SELECT count(*) FROM pg_stat_activity
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let publish = app.publish_ready_item(&owner, "Later film", &[("price", "3")]);
    let app_ref = &app;
    let sync_meanwhile = async move {
        assert_eq!(
            app_ref.wait_for_count(waiting, 1).await,
            1,
            "the new item's grant did not wait for the member's sync"
        );
        backend::access::sync_member(&mut sync, member)
            .await
            .unwrap();
        sync.commit().await.unwrap();
    };
    tokio::join!(publish, sync_meanwhile);
    assert_eq!(app.count(MEMBER_ACCESS).await, 2);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn late_and_repeated_events_end_in_stripes_state(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let tier = tier(&owner, &[("all_items", "on")]).await;
    let (standin, subscription) = subscribe(&app, &customer, &tier, "month").await;
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);

    // A stale "incomplete" snapshot arriving late: the subscription is read again, still active.
    let stale = json!({ "id": subscription, "object": "subscription", "status": "incomplete",
                        "customer": "cus_x", "cancel_at_period_end": false, "metadata": {} });
    let late = event(
        "evt_late_created",
        "customer.subscription.created",
        stale.clone(),
    );
    assert_eq!(deliver_signed(&app, &late).await, StatusCode::OK);
    once_status(&app, "active").await;
    assert_eq!(app.count(MEMBER_ACCESS).await, 1);

    // An item made later joins the "every item" tier at once.
    app.publish_ready_item(&owner, "Later film", &[("price", "3")])
        .await;
    assert_eq!(app.count(MEMBER_ACCESS).await, 2);

    helper(&standin, &subscription, "cancel").await;
    once_status(&app, "canceled").await;
    assert_eq!(app.wait_for_exactly(MEMBER_ACCESS, 0).await, 0);

    // The first invoice's `invoice.paid`, days late, and the stale event again under a new id:
    // the subscription has ended, so nothing comes back.
    let invoice = json!({ "id": "in_old", "object": "invoice", "status": "paid", "subscription": subscription });
    for (id, kind, object) in [
        ("evt_late_paid", "invoice.paid", invoice),
        ("evt_late_again", "customer.subscription.updated", stale),
    ] {
        assert_eq!(
            deliver_signed(&app, &event(id, kind, object)).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM subscriptions WHERE status = 'canceled'")
            .await,
        1
    );
    assert_eq!(app.count(MEMBER_ACCESS).await, 0);

    // A subscription Stripe does not have is acknowledged (not retried for days).
    let unknown = json!({ "id": "sub_unknown", "status": "active", "customer": "cus_x" });
    let payload = event("evt_unknown_sub", "customer.subscription.updated", unknown);
    assert_eq!(deliver_signed(&app, &payload).await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn tiers_are_the_owners_and_need_a_price_and_items(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let (status, _) = error_of(
        customer
            .call(
                fns::CreateTier::PATH,
                &[("name", "X"), ("monthly_price", "5"), ("all_items", "on")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = error_of(customer.call(fns::ListTiers::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = error_of(
        owner
            .call(
                fns::CreateTier::PATH,
                &[("name", "Gold"), ("all_items", "on")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.to_string().contains("monthly price, a yearly price"),
        "{body}"
    );
    let (status, body) = error_of(
        owner
            .call(
                fns::CreateTier::PATH,
                &[("name", "Gold"), ("monthly_price", "5")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("Choose the items"), "{body}");
    let id = tier(&owner, &[("all_items", "on")]).await;
    let content: Value = owner.call_json(fns::ListContent::PATH, &[]).await;
    let content = content[0]["id"].as_str().unwrap().to_string();
    let unlocking: Value = app
        .browser()
        .call_json(fns::TiersForItem::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(unlocking, json!(["All access"]));

    // A visitor sees the tier without its members; "Subscribe" sends them to log in first.
    let visitor = app.browser();
    let pricing: Value = visitor.call_json(fns::LoadPricing::PATH, &[]).await;
    assert_eq!(pricing["tiers"][0]["name"], "All access");
    assert_eq!(pricing["signed_in"], false);
    let response = visitor
        .post_form(
            "/memberships/checkout",
            &[("tier_id", &id), ("interval", "month")],
        )
        .await;
    assert!(
        location(&response).starts_with("/login?"),
        "{}",
        location(&response)
    );
    // The owner cannot subscribe; a retired tier is not sold.
    let response = owner
        .post_form(
            "/memberships/checkout",
            &[("tier_id", &id), ("interval", "month")],
        )
        .await;
    assert_eq!(location(&response), "/pricing?checkout=owner");
    assert_eq!(
        owner
            .call(fns::RetireTier::PATH, &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    let response = customer
        .post_form(
            "/memberships/checkout",
            &[("tier_id", &id), ("interval", "month")],
        )
        .await;
    assert_eq!(location(&response), "/pricing?checkout=unknown");
    let unlocking: Value = customer
        .call_json(fns::TiersForItem::PATH, &[("content_id", &content)])
        .await;
    assert_eq!(unlocking, json!([]), "a retired tier is not offered");
    assert_eq!(app.count("SELECT count(*) FROM subscriptions").await, 0);
}

/// The titles in a customer's library.
async fn library_titles(customer: &Browser<'_>) -> Vec<String> {
    let library: Value = customer.call_json(fns::LoadLibrary::PATH, &[]).await;
    let mut titles: Vec<String> = library["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

async fn watch_status(customer: &Browser<'_>, slug: &str) -> StatusCode {
    customer
        .call(fns::LoadWatch::PATH, &[("slug", slug)])
        .await
        .status()
}

/// A member of an "every item" tier never reaches the owner's drafts: not in the library,
/// not on the watch page, not through a token renewal; publishing opens the item to them at
/// once and unpublishing closes it again.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_member_gets_published_items_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let tier = tier(&owner, &[("all_items", "on")]).await;
    subscribe(&app, &customer, &tier, "month").await;
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);
    // All the subscription's events (Checkout, created, charge, invoice, invoice payment).
    let events = "SELECT count(*) FROM stripe_events";
    assert_eq!(app.wait_for_count(events, 5).await, 5);

    let (draft, _) = app
        .draft_ready_item(&owner, "Draft film", &[("price", "3")])
        .await;
    assert_eq!(library_titles(&customer).await, ["Paid film"]);
    assert_eq!(
        watch_status(&customer, "draft-film").await,
        StatusCode::FORBIDDEN
    );
    let (status, _) = error_of(
        customer
            .call(fns::RenewPlayback::PATH, &[("content_id", &draft)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A subscription event meanwhile (any sync of the member) does not open it either.
    let member: uuid::Uuid = sqlx::query_scalar("SELECT user_id FROM subscriptions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut sync = app.pool.begin().await.unwrap();
    backend::access::sync_member(&mut sync, member)
        .await
        .unwrap();
    sync.commit().await.unwrap();
    assert_eq!(library_titles(&customer).await, ["Paid film"]);

    // Published: theirs at once.
    let published = owner
        .call(fns::PublishContent::PATH, &[("id", &draft)])
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(library_titles(&customer).await, ["Draft film", "Paid film"]);
    assert_eq!(watch_status(&customer, "draft-film").await, StatusCode::OK);

    // Unpublished (archived): closed again, and the customer page no longer lists it.
    let unpublished = owner
        .call(fns::UnpublishContent::PATH, &[("id", &draft)])
        .await;
    assert_eq!(unpublished.status(), StatusCode::OK);
    assert_eq!(library_titles(&customer).await, ["Paid film"]);
    assert_eq!(
        watch_status(&customer, "draft-film").await,
        StatusCode::FORBIDDEN
    );
    let detail: Value = owner
        .call_json(fns::LoadCustomer::PATH, &[("id", &member.to_string())])
        .await;
    let owned: Vec<&str> = detail["owned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert_eq!(owned, ["Paid film"]);
}

/// A tier of chosen items names and unlocks only the published ones.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_tier_names_and_unlocks_published_items_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    let (draft, _) = app.draft_ready_item(&owner, "Draft film", &[]).await;
    let tier = tier(&owner, &[("items[0]", &content), ("items[1]", &draft)]).await;
    let pricing: Value = customer.call_json(fns::LoadPricing::PATH, &[]).await;
    assert_eq!(
        pricing["tiers"][0]["items"],
        serde_json::json!(["Paid film"])
    );
    subscribe(&app, &customer, &tier, "month").await;
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);
    assert_eq!(library_titles(&customer).await, ["Paid film"]);
    assert_eq!(
        watch_status(&customer, "draft-film").await,
        StatusCode::FORBIDDEN
    );
}

/// Invoices in the shape of API versions since 2025-03-31 (the subscription under
/// `parent.subscription_details`) are applied; any signed invoice event Codex cannot use
/// (no subscription, a quote's, an id that is not one) is acknowledged, never a 500.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn invoices_of_newer_api_versions_are_read_and_the_rest_acknowledged(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let tier = tier(&owner, &[("all_items", "on")]).await;
    let (_, subscription) = subscribe(&app, &customer, &tier, "month").await;
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);
    let invoice = |parent: Value| {
        json!({
            "id": "in_1", "object": "invoice", "status": "paid", "amount_paid": 500,
            "currency": "usd", "customer": "cus_x", "metadata": null,
            "lines": { "object": "list", "data": [], "has_more": false },
            "parent": parent
        })
    };
    let newer = invoice(json!({
        "type": "subscription_details", "quote_details": null,
        "subscription_details": { "metadata": {}, "subscription": subscription }
    }));
    let cases = [
        ("evt_newer_paid", "invoice.paid", newer.clone()),
        ("evt_newer_failed", "invoice.payment_failed", newer),
        ("evt_no_parent", "invoice.paid", invoice(Value::Null)),
        (
            "evt_quote",
            "invoice.payment_failed",
            invoice(json!({ "type": "quote_details", "quote_details": { "quote": "qt_1" } })),
        ),
        (
            "evt_not_an_id",
            "invoice.paid",
            invoice(json!({ "subscription_details": { "subscription": "sub_../x" } })),
        ),
    ];
    for (id, kind, object) in cases {
        assert_eq!(
            deliver_signed(&app, &event(id, kind, object)).await,
            StatusCode::OK,
            "{id}"
        );
    }
    // The two that name the membership were applied (recorded once each).
    assert_eq!(
        app.count("SELECT count(*) FROM stripe_events WHERE id LIKE 'evt_newer_%'")
            .await,
        2
    );
    once_status(&app, "active").await;
    assert_eq!(app.count(MEMBER_ACCESS).await, 1);
}

/// A plan switched in Stripe (here $2.00 a month instead of the tier's $5.00) is flagged to
/// the owner, and the membership keeps only what was paid at the tier's price: a renewal at
/// the other price does not move its end. Switched back, it is the tier's again.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_membership_billed_otherwise_than_sold_is_flagged_and_not_extended(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let tier = tier(&owner, &[("all_items", "on")]).await;
    let (standin, subscription) = subscribe(&app, &customer, &tier, "month").await;
    assert_eq!(app.wait_for_count(MEMBER_ACCESS, 1).await, 1);
    let (_, _, _, paid_until) = once_status(&app, "active").await;
    let flagged: Value = owner.call_json(fns::FlaggedMemberships::PATH, &[]).await;
    assert_eq!(flagged, json!([]));

    let switch = |amount: &'static str| {
        let url = format!("{standin}/v1/test_helpers/subscriptions/{subscription}/switch_price");
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(STANDIN_SECRET_KEY)
                .form(&[("unit_amount", amount), ("interval", "month")])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    switch("200").await;
    let mismatched = "SELECT count(*) FROM subscriptions WHERE mismatch IS NOT NULL";
    assert_eq!(app.wait_for_count(mismatched, 1).await, 1);
    let flagged: Value = owner.call_json(fns::FlaggedMemberships::PATH, &[]).await;
    assert_eq!(flagged[0]["customer_email"], "carol@example.com");
    assert_eq!(flagged[0]["mismatch"], "billed $2.00 instead of $5.00");
    let (status, _) = error_of(customer.call(fns::FlaggedMemberships::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Renewed at $2.00: the member still plays to the end of what was paid, not beyond.
    helper(&standin, &subscription, "renew").await;
    let renewed = "SELECT count(*) FROM subscriptions WHERE current_period_start > created_at + interval '29 days'";
    assert_eq!(app.wait_for_count(renewed, 1).await, 1);
    let (_, _, _, until) = once_status(&app, "active").await;
    assert_eq!(until, paid_until);
    assert_eq!(member_access_until(&app).await, paid_until);

    // Back at the tier's price: the flag goes, the next renewal extends it again.
    switch("500").await;
    assert_eq!(app.wait_for_exactly(mismatched, 0).await, 0);
    let (_, _, end, until) = once_status(&app, "active").await;
    assert_eq!(until, end.map(|e| e + time::Duration::days(7)));
}

/// The owner's all-time revenue, in cents.
async fn revenue(owner: &Browser<'_>) -> i64 {
    let d: Value = owner.call_json(fns::LoadDashboard::PATH, &[]).await;
    d["revenue_all_time_cents"].as_i64().unwrap()
}

const TOLD: &str = "SELECT count(*) FROM email_outbox
     WHERE kind = 'membership_payment_notification' AND to_address = 'owner@example.com'";

/// The owner's membership payments, newest first, as (status, amount).
async fn membership_payments(owner: &Browser<'_>) -> Vec<(String, i64)> {
    let list: Value = owner.call_json(fns::MembershipPayments::PATH, &[]).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let status = p["status"].as_str().unwrap().to_string();
            (status, p["amount_cents"].as_i64().unwrap())
        })
        .collect()
}

/// A refund and a dispute of a membership's payment, made in Stripe, reach the owner once
/// each, show among the purchases and in the figures, in whatever order Stripe's events
/// come; the membership itself goes on as Stripe bills it.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_membership_payment_refunded_or_disputed_reaches_the_owner_and_the_figures(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    let tier = tier(&owner, &[("all_items", "on")]).await;
    let (standin, subscription) = subscribe(&app, &customer, &tier, "month").await;
    let linked = "SELECT count(*) FROM membership_payments
         WHERE payment_intent_id IS NOT NULL AND paid_at IS NOT NULL";
    assert_eq!(app.wait_for_count(linked, 1).await, 1);
    assert_eq!(revenue(&owner).await, 500);
    assert_eq!(membership_payments(&owner).await, [("Paid".into(), 500)]);
    let (status, _) = error_of(customer.call(fns::MembershipPayments::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // $2.00 of it refunded in Stripe's dashboard.
    let payment: String = sqlx::query_scalar("SELECT payment_intent_id FROM membership_payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let refunded = reqwest::Client::new()
        .post(format!("{standin}/v1/refunds"))
        .bearer_auth(STANDIN_SECRET_KEY)
        .form(&[("payment_intent", payment.as_str()), ("amount", "200")])
        .send()
        .await
        .unwrap();
    assert_eq!(refunded.status(), StatusCode::OK);
    assert_eq!(app.wait_for_count(TOLD, 1).await, 1);
    let (subject, _) = app
        .last_email("owner@example.com", "membership_payment_notification")
        .await
        .unwrap();
    assert_eq!(
        subject,
        "Membership payment refunded: All access membership"
    );
    assert_eq!(revenue(&owner).await, 300);
    assert_eq!(
        membership_payments(&owner).await,
        [("PartlyRefunded".into(), 500)]
    );

    // The renewal's payment disputed, then lost.
    helper(&standin, &subscription, "renew").await;
    assert_eq!(app.wait_for_count(linked, 2).await, 2);
    assert_eq!(revenue(&owner).await, 800);
    let dispute: Value = reqwest::Client::new()
        .post(format!(
            "{standin}/v1/test_helpers/subscriptions/{subscription}/dispute"
        ))
        .bearer_auth(STANDIN_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(app.wait_for_count(TOLD, 2).await, 2);
    assert_eq!(
        membership_payments(&owner).await,
        [("Disputed".into(), 500), ("PartlyRefunded".into(), 500)]
    );
    let d: Value = owner.call_json(fns::LoadDashboard::PATH, &[]).await;
    assert_eq!(d["sales"]["disputes_open"], 1);
    let closed = reqwest::Client::new()
        .post(format!(
            "{standin}/v1/disputes/{}",
            dispute["id"].as_str().unwrap()
        ))
        .bearer_auth(STANDIN_SECRET_KEY)
        .form(&[("evidence[uncategorized_text]", "losing_evidence")])
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::OK);
    assert_eq!(app.wait_for_count(TOLD, 3).await, 3);
    let (subject, _) = app
        .last_email("owner@example.com", "membership_payment_notification")
        .await
        .unwrap();
    assert_eq!(subject, "Dispute lost: All access membership");
    assert_eq!(revenue(&owner).await, 300);
    assert_eq!(app.count(MEMBER_ACCESS).await, 1);

    // A refund whose invoice and invoice payment come after it: told once they do.
    let refund = json!({
        "id": "ch_early", "object": "charge", "payment_intent": "pi_early",
        "amount_refunded": 500, "refunded": true
    });
    let invoice = json!({
        "id": "in_early", "object": "invoice", "status": "paid", "amount_paid": 500,
        "currency": "usd", "customer": "cus_x", "total_taxes": [],
        "status_transitions": { "paid_at": 1_700_000_000 },
        "parent": { "type": "subscription_details",
                    "subscription_details": { "subscription": subscription } }
    });
    let invoice_payment = json!({
        "id": "inpay_early", "object": "invoice_payment", "invoice": "in_early",
        "amount_paid": 500, "currency": "usd", "status": "paid",
        "payment": { "type": "payment_intent", "payment_intent": "pi_early" }
    });
    let events = [
        event("evt_early_refund", "charge.refunded", refund),
        event("evt_late_invoice", "invoice.paid", invoice),
        event("evt_late_link", "invoice_payment.paid", invoice_payment),
    ];
    for payload in events.iter().chain(&events) {
        assert_eq!(deliver_signed(&app, payload).await, StatusCode::OK);
    }
    assert_eq!(app.wait_for_count(TOLD, 4).await, 4);
    assert_eq!(revenue(&owner).await, 300);
    assert!(membership_payments(&owner)
        .await
        .contains(&("Refunded".into(), 500)));
    assert_eq!(app.count(TOLD).await, 4);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_ended_membership_starts_the_win_back_and_a_new_one_stops_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, _) = shop(&app).await;
    customer
        .call_json(fns::SaveEmailPreferences::PATH, &[("news", "on")])
        .await;
    let added = owner
        .call(
            fns::AddAutomationStep::PATH,
            &[
                ("automation", "win_back"),
                ("delay_days", "7"),
                ("subject", "We miss you"),
                ("body", "Come back for **half** price."),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let tier = tier(&owner, &[("all_items", "on")]).await;
    let (standin, subscription) = subscribe(&app, &customer, &tier, "month").await;
    assert_eq!(app.count("SELECT count(*) FROM marketing_emails").await, 0);

    helper(&standin, &subscription, "cancel").await;
    once_status(&app, "canceled").await;
    let win_back = "SELECT count(*) FROM marketing_emails
                    WHERE automation = 'win_back' AND due_at > now() + interval '6 days'";
    assert_eq!(app.wait_for_count(win_back, 1).await, 1);

    // They subscribe again before it is due: it stops.
    subscribe_again(&app, &customer, &tier).await;
    sqlx::query("UPDATE marketing_emails SET due_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    backend::marketing::sending::SendMarketingEmails::wake(&app.pool)
        .await
        .unwrap();
    assert!(
        app.run_job::<backend::marketing::sending::SendMarketingEmails>()
            .await
    );
    assert_eq!(
        app.count("SELECT count(*) FROM marketing_emails WHERE status = 'skipped' AND note = 'a member again'")
            .await,
        1
    );
}

/// A second "Subscribe" after the first membership ended, paid; waits until it is active.
async fn subscribe_again(app: &TestApp, customer: &Browser<'_>, tier: &str) {
    let response = customer
        .post_form(
            "/memberships/checkout",
            &[("tier_id", tier), ("interval", "month")],
        )
        .await;
    let checkout = location(&response);
    assert!(checkout.contains("/pay/cs_"), "{checkout}");
    pay(&checkout, PAYING_CARD).await;
    let active = "SELECT count(*) FROM subscriptions WHERE status = 'active'";
    assert_eq!(app.wait_for_count(active, 1).await, 1);
}
