//! Private podcast feeds over real HTTP, read by a real feed parser (the `rss` crate): the
//! podcast fields, enclosures that play with `Range`, an item leaving the feed when its
//! access ends, a reset link, and the reset by itself after fetches from too many networks.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser, TestApp};
use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, RANGE};
use reqwest::StatusCode;
use sqlx::PgPool;

const AUDIO: &[u8] = b"ftypM4A-not-really-audio-but-its-bytes-come-back-exactly";

/// A published free audio item with a podcast rendition in storage; its content id.
async fn audio_item(app: &TestApp, owner: &Browser<'_>, title: &str) -> String {
    let (content, media) = app.publish_ready_item(owner, title, &[]).await;
    sqlx::query("UPDATE media SET kind = 'audio', podcast_bytes = $2 WHERE id = $1::uuid")
        .bind(&media)
        .bind(AUDIO.len() as i64)
        .execute(&app.pool)
        .await
        .unwrap();
    let storage = backend::storage::MediaStorage::local(app.media_dir.path()).unwrap();
    storage
        .put_bytes(
            &backend::storage::keys::podcast(media.parse().unwrap()),
            bytes::Bytes::from_static(AUDIO),
        )
        .await
        .unwrap();
    content
}

/// A podcast app fetching `url` from `address` (no cookie, no session).
async fn fetch(url: &str, address: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header("x-forwarded-for", address)
        .send()
        .await
        .unwrap()
}

async fn read_feed(url: &str, address: &str) -> rss::Channel {
    let response = fetch(url, address).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/rss+xml"));
    rss::Channel::read_from(&response.bytes().await.unwrap()[..]).expect("a valid RSS feed")
}

async fn feed_url(customer: &Browser<'_>) -> String {
    let url = customer.call_json(fns::MyPodcastFeed::PATH, &[]).await;
    url.as_str().expect("a feed URL").to_string()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_buyer_s_private_feed_lists_what_they_may_play_and_its_audio_plays_with_range(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let first = audio_item(&app, &owner, "Episode one").await;
    let second = audio_item(&app, &owner, "Episode two").await;
    let (video, _) = app.publish_ready_item(&owner, "A video", &[]).await;
    let customer = app.verified_customer("ada@example.com").await;
    assert_eq!(
        customer.call_json(fns::MyPodcastFeed::PATH, &[]).await,
        serde_json::Value::Null,
        "no audio item yet: no feed offered"
    );
    for item in [&first, &second, &video] {
        customer
            .call(fns::GetFreeAccess::PATH, &[("content_id", item)])
            .await;
    }
    let url = feed_url(&customer).await;
    assert!(url.starts_with(&app.url("/feeds/")), "{url}");
    assert_eq!(feed_url(&customer).await, url, "the same link each time");
    assert_eq!(
        app.count("SELECT count(*) FROM podcast_feeds").await,
        1,
        "the link itself is never stored"
    );

    // The library offers it before any script runs: the link, Apple Podcasts, the reset.
    let library = customer.get("/library").await.text().await.unwrap();
    let without_scheme = url.split_once("://").unwrap().1;
    for shown in [
        "Private podcast feed",
        &format!("podcast://{without_scheme}"),
        "Reset feed link",
    ] {
        assert!(library.contains(shown), "{shown}");
    }

    let channel = read_feed(&url, "198.51.100.7").await;
    let itunes = channel.itunes_ext().expect("Apple's podcast tags");
    assert_eq!(itunes.block.as_deref(), Some("yes"));
    assert_eq!(itunes.author.as_deref(), Some("Codex"));
    let items = channel.items();
    let guids: Vec<&str> = items.iter().map(|i| i.guid().unwrap().value()).collect();
    assert_eq!(
        guids.len(),
        2,
        "the two audio items, not the video: {guids:?}"
    );
    assert!(guids.contains(&first.as_str()) && guids.contains(&second.as_str()));
    for item in items {
        assert_eq!(item.itunes_ext().unwrap().duration.as_deref(), Some("100"));
        let enclosure = item.enclosure().unwrap();
        assert_eq!(enclosure.mime_type(), "audio/mp4");
        assert_eq!(enclosure.length(), AUDIO.len().to_string());
        // Its audio plays from any byte, without a session.
        let part = reqwest::Client::new()
            .get(enclosure.url())
            .header(RANGE, "bytes=4-10")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            part.headers()[CONTENT_RANGE],
            format!("bytes 4-10/{}", AUDIO.len()).as_str()
        );
        assert_eq!(&part.bytes().await.unwrap()[..], &AUDIO[4..=10]);
    }

    // Access ends (a refund or a revoked grant): the item leaves the feed, its audio is refused.
    sqlx::query("UPDATE access SET revoked_at = now() WHERE content_id = $1::uuid")
        .bind(&second)
        .execute(&app.pool)
        .await
        .unwrap();
    let channel = read_feed(&url, "198.51.100.7").await;
    let guids: Vec<&str> = channel
        .items()
        .iter()
        .map(|i| i.guid().unwrap().value())
        .collect();
    assert_eq!(guids, [first.as_str()]);
    let host = url.split("/feeds/").next().unwrap();
    let token = url.rsplit('/').next().unwrap();
    let refused = fetch(
        &format!("{host}/feeds/{token}/{second}.m4a"),
        "198.51.100.7",
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // "Reset feed link": the old link is dead, the new one works.
    let reset = customer.call_json(fns::ResetPodcastFeed::PATH, &[]).await;
    let new_url = reset.as_str().unwrap().to_string();
    assert_ne!(new_url, url);
    assert_eq!(
        fetch(&url, "198.51.100.7").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&format!("{url}/{first}.m4a"), "198.51.100.7")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(read_feed(&new_url, "198.51.100.7").await.items().len(), 1);
    // A forged token opens nothing.
    let forged = format!("{}x", new_url);
    assert_eq!(
        fetch(&forged, "198.51.100.7").await.status(),
        StatusCode::NOT_FOUND
    );

    // A lapsed member with nothing left to play gets one episode saying how to come back.
    sqlx::query(
        "INSERT INTO membership_tiers (name, monthly_price_cents, all_items) VALUES ('Club', 500, true)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO subscriptions (user_id, tier_id, billing_interval, amount_cents, status, access_until)
         SELECT u.id, t.id, 'month', 500, 'canceled', now() - interval '1 day'
         FROM users u, membership_tiers t WHERE u.email = 'ada@example.com'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE access SET revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let channel = read_feed(&new_url, "198.51.100.7").await;
    assert_eq!(channel.items().len(), 1);
    assert_eq!(
        channel.items()[0].title(),
        Some("Your membership has ended")
    );
    assert!(channel.items()[0].enclosure().is_none());
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_feed_fetched_from_too_many_networks_in_a_day_is_reset_and_its_buyer_mailed(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let item = audio_item(&app, &owner, "Episode one").await;
    let customer = app.verified_customer("ada@example.com").await;
    customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &item)])
        .await;
    let (status, _) = error_of(
        customer
            .call(fns::SaveFeedNetworks::PATH, &[("networks", "9")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the owner's setting");
    let (status, _) = error_of(
        owner
            .call(fns::SaveFeedNetworks::PATH, &[("networks", "0")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        owner
            .call(fns::SaveFeedNetworks::PATH, &[("networks", "3")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(owner.call_json(fns::GetFeedNetworks::PATH, &[]).await, 3);

    let url = feed_url(&customer).await;
    // Three networks, and another address in one of them: still the buyer's.
    for address in ["203.0.113.5", "198.51.100.5", "192.0.2.5", "192.0.2.77"] {
        assert_eq!(
            fetch(&url, address).await.status(),
            StatusCode::OK,
            "{address}"
        );
    }
    // A fourth network in the same day: shared. The link dies at once.
    assert_eq!(fetch(&url, "100.64.1.1").await.status(), StatusCode::GONE);
    assert_eq!(
        fetch(&url, "203.0.113.5").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.count("SELECT count(*) FROM podcast_feed_networks WHERE network LIKE '%.0/24'")
            .await,
        4,
        "networks, never addresses"
    );

    // Its buyer is mailed the new link, which works; the owner sees it in the security log.
    let mail = app
        .read_mail("ada@example.com", "podcast_feed_reset")
        .await
        .expect("the new link, mailed");
    let new_url = feed_url(&customer).await;
    assert_ne!(new_url, url);
    assert!(mail.contains(&new_url), "{mail}");
    assert_eq!(read_feed(&new_url, "203.0.113.5").await.items().len(), 1);
    let outbox: String =
        sqlx::query_scalar("SELECT body_text FROM email_outbox WHERE kind = 'podcast_feed_reset'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let token = new_url.rsplit('/').next().unwrap();
    assert!(!outbox.contains(token), "the outbox never holds the link");
    let log = owner.call_json(fns::ListSecurityLog::PATH, &[]).await;
    assert!(log.to_string().contains("private podcast feed"), "{log}");

    // A flood of fetches of one feed is refused before it reaches the database.
    let mut answered = std::collections::BTreeMap::new();
    for _ in 0..40 {
        *answered
            .entry(fetch(&new_url, "203.0.113.5").await.status().as_u16())
            .or_insert(0) += 1;
    }
    assert_eq!(answered.get(&200), Some(&29), "{answered:?}");
    assert_eq!(answered.get(&429), Some(&11), "{answered:?}");
}
