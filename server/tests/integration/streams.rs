//! Streams at once over real HTTP: each player holds a lease renewed with its token; the
//! device past the account's limit is shown the live streams instead of a player, stopping
//! one lets it in and ends the stopped player at its next renewal, and a lease nobody renews
//! frees its place by itself.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, spawn_app_with, Browser, TestApp, PASSWORD};
use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use std::time::Duration;

const FIREFOX_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

async fn open_player(device: &Browser<'_>, user_agent: &str) -> Value {
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, HeaderValue::from_str(user_agent).unwrap());
    let response = device
        .call_with(fns::LoadWatch::PATH, &[("slug", "talk")], headers)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn renew(device: &Browser<'_>, content: &str, lease: &Value) -> (StatusCode, Value) {
    let lease = lease.as_str().unwrap();
    error_of(
        device
            .call(
                fns::RenewPlayback::PATH,
                &[("content_id", content), ("lease", lease)],
            )
            .await,
    )
    .await
}

/// A renewal refused with the message the player shows, which says `why`.
fn assert_stopped((status, error): (StatusCode, Value), why: &str) {
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    let message = error["Conflict"].as_str().unwrap_or_default();
    assert!(message.contains(why), "{error}");
}

async fn another_device<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let device = app.browser();
    assert_eq!(device.login(email, PASSWORD).await.status(), StatusCode::OK);
    device
}

async fn set_limit(owner: &Browser<'_>, streams: &str) -> StatusCode {
    owner
        .call(fns::SaveStreamLimit::PATH, &[("streams", streams)])
        .await
        .status()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn one_device_too_many_sees_the_streams_and_stopping_one_lets_it_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (content, _) = app.publish_ready_item(&owner, "Talk", &[]).await;
    let laptop = app.verified_customer("ada@example.com").await;
    laptop
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;

    // Only the owner sets the limit, within 1 to 20.
    assert_eq!(set_limit(&laptop, "2").await, StatusCode::FORBIDDEN);
    let (status, error) = error_of(
        owner
            .call(fns::SaveStreamLimit::PATH, &[("streams", "21")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["Validation"]
            .as_str()
            .unwrap()
            .contains("Streams at once"),
        "{error}"
    );
    assert_eq!(set_limit(&owner, "2").await, StatusCode::OK);
    assert_eq!(owner.call_json(fns::GetStreamLimit::PATH, &[]).await, "2");

    let first = open_player(&laptop, FIREFOX_ON_LINUX).await;
    assert!(first["master_url"].is_string(), "{first}");
    // A reload on the same device takes no second place.
    let laptop_player = open_player(&laptop, FIREFOX_ON_LINUX).await;
    assert!(laptop_player["lease"].is_string(), "{laptop_player}");
    let phone = another_device(&app, "ada@example.com").await;
    let phone_player = open_player(&phone, SAFARI_ON_IPHONE).await;
    assert!(phone_player["master_url"].is_string(), "{phone_player}");

    // The third device gets the list, not a token.
    let tablet = another_device(&app, "ada@example.com").await;
    let refused = open_player(&tablet, SAFARI_ON_IPHONE).await;
    assert!(refused.get("master_url").is_none(), "{refused}");
    assert_eq!(refused["limit"], 2);
    let streams = refused["streams"].as_array().unwrap();
    let devices: Vec<&str> = streams
        .iter()
        .map(|s| s["device"].as_str().unwrap())
        .collect();
    assert_eq!(
        devices,
        ["Safari on iPhone", "Firefox on Linux"],
        "{refused}"
    );
    for stream in streams {
        assert_eq!(stream["item_title"], "Talk");
        let network = stream["network"].as_str().unwrap();
        assert!(
            network.ends_with(".0/24"),
            "the network, never the address: {network}"
        );
        assert_eq!(stream["this_device"], false);
    }
    let laptop_stream = streams[1]["id"].as_str().unwrap().to_string();
    // Nobody else can stop them.
    let stranger = app.verified_customer("bob@example.com").await;
    let (status, _) = error_of(
        stranger
            .call(fns::StopStream::PATH, &[("id", &laptop_stream)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // "Stop watching there" on the laptop lets the tablet in.
    let stopped = tablet
        .call(fns::StopStream::PATH, &[("id", &laptop_stream)])
        .await;
    assert_eq!(stopped.status(), StatusCode::OK);
    let tablet_player = open_player(&tablet, SAFARI_ON_IPHONE).await;
    assert!(tablet_player["master_url"].is_string(), "{tablet_player}");

    // The laptop's next renewal ends its playback with the reason; the phone plays on.
    let refused = renew(&laptop, &content, &laptop_player["lease"]).await;
    assert_stopped(refused, "Stop watching there");
    let (status, grant) = renew(&phone, &content, &phone_player["lease"]).await;
    assert_eq!(status, StatusCode::OK, "{grant}");
    assert!(grant["token"].is_string());
    // Under a limit, a renewal without a lease is refused; another account's lease too.
    let (status, _) = error_of(
        phone
            .call(fns::RenewPlayback::PATH, &[("content_id", &content)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The account page lists the two live streams, this device marked.
    let mine = tablet.call_json(fns::MyStreams::PATH, &[]).await;
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine.iter().filter(|s| s["this_device"] == true).count(), 1);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM stream_leases WHERE ended_at IS NULL AND expires_at > now()"
        )
        .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM stream_leases WHERE end_reason = 'replaced'")
            .await,
        1,
        "the laptop's reload replaced its first lease"
    );

    // The owner is never limited and takes no lease.
    let owner_player = owner
        .call_json(fns::LoadWatch::PATH, &[("slug", "talk")])
        .await;
    assert!(owner_player["master_url"].is_string());
    assert_eq!(owner_player["lease"], Value::Null);

    // With no limit, every device plays.
    assert_eq!(set_limit(&owner, "").await, StatusCode::OK);
    let again = open_player(&laptop, FIREFOX_ON_LINUX).await;
    assert!(again["master_url"].is_string(), "{again}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_player_nobody_renews_frees_its_place_by_itself(pool: PgPool) {
    // Tokens live 2 s: a lease lasts 4 s past its last renewal.
    let app = spawn_app_with(pool, &[("PLAYBACK_TOKEN_SECS", "2")]).await;
    let owner = app.owner().await;
    let (content, _) = app.publish_ready_item(&owner, "Talk", &[]).await;
    assert_eq!(set_limit(&owner, "1").await, StatusCode::OK);
    let laptop = app.verified_customer("ada@example.com").await;
    laptop
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    let phone = another_device(&app, "ada@example.com").await;

    let laptop_player = open_player(&laptop, FIREFOX_ON_LINUX).await;
    // Renewed every 1.5 s, the laptop keeps its place past its first lease's 4 s.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let (status, grant) = renew(&laptop, &content, &laptop_player["lease"]).await;
        assert_eq!(status, StatusCode::OK, "{grant}");
    }
    let refused = open_player(&phone, SAFARI_ON_IPHONE).await;
    assert_eq!(refused["limit"], 1, "{refused}");

    // The laptop's tab is closed: no more renewals. Two token lifetimes later the phone plays.
    tokio::time::sleep(Duration::from_millis(4300)).await;
    let phone_player = open_player(&phone, SAFARI_ON_IPHONE).await;
    assert!(phone_player["master_url"].is_string(), "{phone_player}");

    // The laptop waking up finds the account at its limit.
    let refused = renew(&laptop, &content, &laptop_player["lease"]).await;
    assert_stopped(refused, "as many devices");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_tier_sets_its_own_limit_for_its_members(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (content, _) = app.publish_ready_item(&owner, "Talk", &[]).await;
    assert_eq!(set_limit(&owner, "1").await, StatusCode::OK);
    let created = owner
        .call(
            fns::CreateTier::PATH,
            &[
                ("name", "Family"),
                ("monthly_price", "9"),
                ("all_items", "on"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let tiers = owner.call_json(fns::ListTiers::PATH, &[]).await;
    let tier = tiers[0]["id"].as_str().unwrap().to_string();
    for (streams, status) in [("0.5", StatusCode::BAD_REQUEST), ("3", StatusCode::OK)] {
        let saved = owner
            .call(
                fns::SaveTierStreams::PATH,
                &[("tier", &tier), ("streams", streams)],
            )
            .await;
        assert_eq!(saved.status(), status, "{streams}");
    }
    assert_eq!(
        owner.call_json(fns::ListTiers::PATH, &[]).await[0]["max_streams"],
        3
    );

    // A member of the tier (a live subscription) may play on 3 devices; anyone else on 1.
    let member = app.verified_customer("ada@example.com").await;
    sqlx::query(
        "INSERT INTO subscriptions (user_id, tier_id, billing_interval, amount_cents, status, access_until)
         SELECT id, $1::uuid, 'month', 900, 'active', now() + interval '30 days' FROM users
         WHERE email = 'ada@example.com'",
    )
    .bind(&tier)
    .execute(&app.pool)
    .await
    .unwrap();
    member
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    assert!(open_player(&member, FIREFOX_ON_LINUX).await["master_url"].is_string());
    for _ in 0..2 {
        let device = another_device(&app, "ada@example.com").await;
        let player = open_player(&device, SAFARI_ON_IPHONE).await;
        assert!(player["master_url"].is_string(), "{player}");
    }
    let fourth = another_device(&app, "ada@example.com").await;
    assert_eq!(open_player(&fourth, SAFARI_ON_IPHONE).await["limit"], 3);

    let other = app.verified_customer("bob@example.com").await;
    other
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    assert!(open_player(&other, FIREFOX_ON_LINUX).await["master_url"].is_string());
    let second = another_device(&app, "bob@example.com").await;
    assert_eq!(open_player(&second, SAFARI_ON_IPHONE).await["limit"], 1);

    // A customer cannot change a tier's limit.
    let (status, _) = error_of(
        other
            .call(
                fns::SaveTierStreams::PATH,
                &[("tier", &tier), ("streams", "9")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
