//! Marketing email against a real SMTP server (a sink): segments pick exactly their people,
//! nobody who did not consent (or was suppressed) is mailed, each recipient once even when
//! the sender is killed mid-broadcast, the one-click unsubscribe needs only its own signed
//! link, a hard bounce suppresses, and an abandoned checkout gets one email (none once the
//! item is bought), whose purchase counts as recovered.

use std::collections::HashMap;
use std::time::Duration;

use backend::jobs::Runner;
use backend::marketing::broadcasts::QueueBroadcasts;
use backend::marketing::sending::{SendMarketingEmails, IN_FLIGHT};
use backend::AppState;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::common::fns::{self, ServerFn as _};
use crate::common::smtp::{smtp_sink, with_smtp, SinkMode};
use crate::common::{spawn_app, Browser, TestApp};
use crate::payments::{
    bought, deliver_signed, event, purchase_id, session_id, session_object, start_checkout,
    PRICE_CENTS,
};

const NEWS: &[(&str, &str)] = &[("news", "on")];

/// Runs the marketing jobs with `state` (its mail to the sink) until none is due.
async fn send_due(state: &AppState) {
    let runner = Runner::new(state.clone())
        .register::<QueueBroadcasts>()
        .register::<SendMarketingEmails>();
    SendMarketingEmails::wake(&state.pool).await.unwrap();
    while runner.run_next().await.unwrap() {}
}

/// Every message the sink took so far, by recipient.
fn received(messages: &mut UnboundedReceiver<String>) -> HashMap<String, Vec<String>> {
    let mut by_recipient: HashMap<String, Vec<String>> = HashMap::new();
    while let Ok(message) = messages.try_recv() {
        let recipient = message
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("X-Rcpt: ")
            .to_string();
        by_recipient.entry(recipient).or_default().push(message);
    }
    by_recipient
}

/// A header of a message as the sink got it (folded lines unfolded).
fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\n\n").next().unwrap();
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    unfolded
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")).map(str::to_string))
}

struct Shop<'a> {
    app: &'a TestApp,
    owner: Browser<'a>,
    item: String,
}

async fn shop(app: &TestApp) -> Shop<'_> {
    let owner = app.owner().await;
    let (item, _) = app
        .publish_ready_item(&owner, "Paid film", &[("price", "12.99")])
        .await;
    Shop { app, owner, item }
}

impl Shop<'_> {
    /// Saves a broadcast of `category` to `segment` (with `extra` fields); its id.
    async fn draft(&self, segment: &str, extra: &[(&str, &str)]) -> String {
        let mut form = vec![
            ("subject", "A new film is out"),
            (
                "body",
                "# Out now\n\nWatch **it** [here](https://example.com/film).",
            ),
            ("category", "news"),
            ("segment", segment),
        ];
        form.extend_from_slice(extra);
        let response = self.owner.call(fns::CreateBroadcast::PATH, &form).await;
        assert!(response.status().is_success(), "{}", response.status());
        sqlx::query_scalar::<_, uuid::Uuid>(
            "SELECT id FROM broadcasts ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_one(&self.app.pool)
        .await
        .unwrap()
        .to_string()
    }

    async fn recipients(&self, broadcast: &str) -> i64 {
        let view = self
            .owner
            .call_json(fns::LoadBroadcast::PATH, &[("id", broadcast)])
            .await;
        view["recipients"].as_i64().unwrap()
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_broadcast_reaches_exactly_its_consenting_segment_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let shop = shop(&app).await;
    let alice = app.verified_customer_with("alice@example.com", NEWS).await;
    bought(&app, &alice, &shop.item).await;
    let _bob = app.verified_customer_with("bob@example.com", NEWS).await;
    let carol = app.verified_customer("carol@example.com").await;
    bought(&app, &carol, &shop.item).await;
    let eve = app
        .verified_customer_with("bounce-eve@example.com", NEWS)
        .await;
    bought(&app, &eve, &shop.item).await;
    // Registered with consent but never verified: not mailed.
    app.browser()
        .register_with("Unverified", "unverified@example.com", NEWS)
        .await;

    let buyers = shop.draft("buyers", &[("items[0]", &shop.item)]).await;
    assert_eq!(
        shop.recipients(&buyers).await,
        2,
        "alice and eve: carol did not consent"
    );
    let everyone = shop.draft("everyone", &[]).await;
    assert_eq!(shop.recipients(&everyone).await, 3);
    let free_only = shop.draft("free_only", &[]).await;
    assert_eq!(shop.recipients(&free_only).await, 1, "bob never paid");
    let lapsed = shop.draft("lapsed", &[("days", "30")]).await;
    assert_eq!(
        shop.recipients(&lapsed).await,
        1,
        "bob bought nothing in 30 days"
    );
    let no_items = shop
        .owner
        .call(
            fns::CreateBroadcast::PATH,
            &[
                ("subject", "x"),
                ("body", "y"),
                ("category", "news"),
                ("segment", "buyers"),
            ],
        )
        .await;
    assert_eq!(no_items.status(), StatusCode::BAD_REQUEST);

    // A test goes to the owner alone, through the outbox.
    shop.owner
        .call_json(fns::SendTestBroadcast::PATH, &[("id", &everyone)])
        .await;
    let (subject, body) = app
        .last_email("owner@example.com", "broadcast_test")
        .await
        .expect("a test email");
    assert_eq!(subject, "[Test] A new film is out");
    assert!(
        body.contains("Out now") && body.contains("Watch it here (https://example.com/film)."),
        "{body}"
    );
    for _ in 1..20 {
        let again = shop
            .owner
            .call(fns::SendTestBroadcast::PATH, &[("id", &everyone)])
            .await;
        assert_eq!(again.status(), StatusCode::OK);
    }
    let too_many = shop
        .owner
        .call(fns::SendTestBroadcast::PATH, &[("id", &everyone)])
        .await;
    assert_eq!(
        too_many.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "20 tests an hour"
    );
    shop.owner
        .call_json(fns::DeleteBroadcast::PATH, &[("id", &free_only)])
        .await;

    // A customer may not send one.
    let refused = alice
        .call(fns::SendBroadcast::PATH, &[("id", &buyers)])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let (url, mut sink) = smtp_sink(SinkMode::default()).await;
    let smtp = with_smtp(&app.state, &url);
    let sent = shop
        .owner
        .call(fns::SendBroadcast::PATH, &[("id", &buyers)])
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    let again = shop
        .owner
        .call(fns::SendBroadcast::PATH, &[("id", &buyers)])
        .await;
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "a second click sends nothing more"
    );
    send_due(&smtp).await;
    send_due(&smtp).await;

    let mail = received(&mut sink);
    assert_eq!(
        mail.keys().collect::<Vec<_>>(),
        vec!["alice@example.com"],
        "eve's server refused her"
    );
    assert_eq!(mail["alice@example.com"].len(), 1);
    let message = &mail["alice@example.com"][0];
    let list = header(message, "List-Unsubscribe").expect("List-Unsubscribe");
    assert!(
        list.contains("/email/unsubscribe?token=") && list.contains("<mailto:"),
        "{list}"
    );
    assert_eq!(
        header(message, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(header(message, "Message-ID")
        .unwrap()
        .ends_with("@codex.test>"));
    assert!(message.contains("text/plain") && message.contains("text/html"));
    assert!(message.contains("Email preferences"));

    let statuses: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.status, u.email FROM marketing_emails m JOIN users u ON u.id = m.user_id
         WHERE m.broadcast_id = $1::uuid ORDER BY u.email",
    )
    .bind(&buyers)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        statuses,
        vec![
            ("sent".into(), "alice@example.com".into()),
            ("bounced".into(), "bounce-eve@example.com".into())
        ]
    );
    assert_eq!(
        app.count("SELECT count(*) FROM email_suppressions WHERE address = 'bounce-eve@example.com' AND reason = 'hard_bounce'").await,
        1
    );
    let overview = shop
        .owner
        .call_json(fns::BroadcastsOverview::PATH, &[])
        .await;
    let row = overview["broadcasts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == buyers.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["status"].as_str(),
            row["recipients"].as_i64(),
            row["sent"].as_i64(),
            row["bounced"].as_i64()
        ),
        (Some("sent"), Some(2), Some(1), Some(1))
    );
    // The bounced address is out of every later audience.
    assert_eq!(shop.recipients(&everyone).await, 2);
    let sent_one = shop
        .owner
        .call(fns::DeleteBroadcast::PATH, &[("id", &buyers)])
        .await;
    assert_eq!(
        sent_one.status(),
        StatusCode::CONFLICT,
        "a sent broadcast keeps its figures"
    );

    // The owner sees it on Alice's customer page, and the subscribers on the dashboard.
    let alice_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'alice@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let emails = shop
        .owner
        .call_json(fns::CustomerEmails::PATH, &[("id", &alice_id.to_string())])
        .await;
    assert_eq!(emails["preferences"]["news"], true);
    assert_eq!(emails["sends"][0]["what"], "A new film is out");
    assert_eq!(emails["sends"][0]["status"], "sent");
    let dashboard = shop.owner.call_json(fns::LoadDashboard::PATH, &[]).await;
    assert_eq!(dashboard["audience"]["subscribers"], 2, "alice and bob");
    let peeking = alice
        .call(fns::CustomerEmails::PATH, &[("id", &alice_id.to_string())])
        .await;
    assert_eq!(peeking.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn one_click_unsubscribe_takes_only_its_own_signed_link(pool: PgPool) {
    let app = spawn_app(pool).await;
    let shop = shop(&app).await;
    let _alice = app.verified_customer_with("alice@example.com", NEWS).await;
    let bob = app.verified_customer_with("bob@example.com", NEWS).await;
    let broadcast = shop.draft("everyone", &[]).await;
    let (url, mut sink) = smtp_sink(SinkMode::default()).await;
    let smtp = with_smtp(&app.state, &url);
    shop.owner
        .call(fns::SendBroadcast::PATH, &[("id", &broadcast)])
        .await;
    send_due(&smtp).await;
    let mail = received(&mut sink);
    let list = header(&mail["alice@example.com"][0], "List-Unsubscribe").unwrap();
    let link = list.split(['<', '>']).nth(1).unwrap().to_string();
    let token = link
        .split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();

    let post = |url: String| async move {
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap()
            .status()
    };
    // Alice's tag under Bob's id, and an altered tag: refused, and nobody is unsubscribed.
    let bob_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'bob@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let forged = format!("{}.{}", bob_id.simple(), token.split_once('.').unwrap().1);
    assert_eq!(
        post(app.url(&format!("/email/unsubscribe?token={forged}"))).await,
        StatusCode::BAD_REQUEST
    );
    let mut altered = token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(
        post(app.url(&format!("/email/unsubscribe?token={altered}"))).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.count("SELECT count(*) FROM email_suppressions").await,
        0
    );

    // The real link, posted by a mail client with no session: Alice alone is out.
    assert_eq!(post(link.clone()).await, StatusCode::OK);
    assert_eq!(post(link).await, StatusCode::OK, "a repeat is harmless");
    let consent: Vec<(String, bool)> = sqlx::query_as(
        "SELECT email, news_emails FROM users WHERE role = 'customer' ORDER BY email",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        consent,
        vec![
            ("alice@example.com".into(), false),
            ("bob@example.com".into(), true)
        ]
    );
    let overview = shop
        .owner
        .call_json(fns::BroadcastsOverview::PATH, &[])
        .await;
    assert_eq!(overview["broadcasts"][0]["unsubscribed"], 1);
    assert_eq!(overview["subscribers"], 1);

    // The preferences page reads and changes only the link's person, without a session.
    let visitor = app.browser();
    let preferences = visitor
        .call_json(fns::EmailPreferences::PATH, &[("token", &token)])
        .await;
    assert_eq!(preferences["address"], "alice@example.com");
    assert!(preferences["suppressed"].is_string());
    let bad = visitor
        .call(
            fns::SaveEmailPreferences::PATH,
            &[("token", &forged), ("news", "on")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    visitor
        .call_json(
            fns::SaveEmailPreferences::PATH,
            &[("token", &token), ("releases", "on")],
        )
        .await;
    let preferences = visitor
        .call_json(fns::EmailPreferences::PATH, &[("token", &token)])
        .await;
    assert_eq!(
        (
            preferences["news"].as_bool(),
            preferences["releases"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert!(
        preferences["suppressed"].is_null(),
        "consenting again lifts the unsubscribe"
    );
    // Signed in, without a token: one's own preferences.
    let own = bob.call_json(fns::EmailPreferences::PATH, &[]).await;
    assert_eq!(own["address"], "bob@example.com");
    bob.call_json(fns::Unsubscribe::PATH, &[]).await;
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email = 'bob@example.com' AND NOT news_emails")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_sender_killed_mid_broadcast_mails_nobody_twice(pool: PgPool) {
    let app = spawn_app(pool).await;
    let shop = shop(&app).await;
    // Forty consenting, verified customers (written directly: registering each would only
    // test registration forty times).
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, email_verified_at, news_emails)
         SELECT gen_random_uuid(), 'reader' || i || '@example.com', 'Reader', 'x', 'customer', now(), true
         FROM generate_series(1, 40) i",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let broadcast = shop.draft("everyone", &[]).await;
    shop.owner
        .call(fns::SendBroadcast::PATH, &[("id", &broadcast)])
        .await;
    let slow = SinkMode {
        data_delay: Duration::from_millis(40),
        ..SinkMode::default()
    };
    let (url, mut sink) = smtp_sink(slow).await;
    let smtp = with_smtp(&app.state, &url);
    let queue = Runner::new(smtp.clone()).register::<QueueBroadcasts>();
    while queue.run_next().await.unwrap() {}

    let sending = tokio::spawn({
        let smtp = smtp.clone();
        async move { send_due(&smtp).await }
    });
    app.wait_for_count(
        "SELECT count(*) FROM marketing_emails WHERE status = 'sent'",
        10,
    )
    .await;
    sending.abort();
    let _ = sending.await;
    assert!(
        app.count("SELECT count(*) FROM marketing_emails WHERE status = 'sending'")
            .await
            <= IN_FLIGHT as i64
    );
    // The dead runner's lease runs out, as it would without renewal.
    sqlx::query(
        "UPDATE jobs SET locked_until = now() - interval '1 second' WHERE status = 'running'",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    send_due(&smtp).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mail = received(&mut sink);
    assert!(
        mail.values().all(|messages| messages.len() == 1),
        "nobody mailed twice"
    );
    let sent = app
        .count("SELECT count(*) FROM marketing_emails WHERE status = 'sent'")
        .await;
    let unknown = app
        .count("SELECT count(*) FROM marketing_emails WHERE status = 'unknown'")
        .await;
    assert_eq!(sent + unknown, 40, "every recipient was tried once");
    assert!(
        unknown <= IN_FLIGHT as i64,
        "only the emails in flight at the kill are in doubt"
    );
    assert!(mail.len() as i64 >= sent && mail.len() as i64 <= 40);
}

/// Starts a checkout of `item` and lets Stripe expire it; the purchase id.
async fn abandon(app: &TestApp, customer: &Browser<'_>, item: &str, tag: &str) -> String {
    let checkout = start_checkout(customer, item).await;
    let session = session_id(&checkout);
    let purchase = purchase_id(app, &session).await;
    let payload = event(
        &format!("evt_expired_{tag}"),
        "checkout.session.expired",
        session_object(&session, &purchase, PRICE_CENTS, false),
    );
    assert_eq!(deliver_signed(app, &payload).await, StatusCode::OK);
    purchase
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_abandoned_checkout_gets_one_email_and_none_once_bought(pool: PgPool) {
    let app = spawn_app(pool).await;
    let shop = shop(&app).await;
    let (url, mut sink) = smtp_sink(SinkMode::default()).await;
    let smtp = with_smtp(&app.state, &url);
    let alice = app.verified_customer_with("alice@example.com", NEWS).await;
    let bob = app.verified_customer_with("bob@example.com", NEWS).await;
    let carol = app.verified_customer("carol@example.com").await;
    shop.owner
        .call_json(
            fns::SaveAbandonedCheckout::PATH,
            &[
                ("enabled", "on"),
                ("delay_hours", "2"),
                ("discount_code", ""),
            ],
        )
        .await;

    abandon(&app, &alice, &shop.item, "a1").await;
    abandon(&app, &alice, &shop.item, "a2").await;
    abandon(&app, &bob, &shop.item, "b1").await;
    abandon(&app, &carol, &shop.item, "c1").await;
    assert_eq!(
        app.count("SELECT count(*) FROM marketing_emails WHERE automation = 'abandoned_checkout' AND due_at > now() + interval '110 minutes'").await,
        2,
        "one for alice (not two), one for bob, none for carol who did not consent; two hours away"
    );
    send_due(&smtp).await;
    assert!(received(&mut sink).is_empty(), "not due yet");

    // Bob buys before his email is due; then the hour passes.
    bought(&app, &bob, &shop.item).await;
    sqlx::query("UPDATE marketing_emails SET due_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    send_due(&smtp).await;
    let mail = received(&mut sink);
    assert_eq!(mail.keys().collect::<Vec<_>>(), vec!["alice@example.com"]);
    assert!(mail["alice@example.com"][0].contains("Paid film"));
    assert!(mail["alice@example.com"][0].contains("/content/"));
    assert_eq!(
        app.count("SELECT count(*) FROM marketing_emails WHERE status = 'skipped' AND note = 'bought it already'").await,
        1
    );

    // Alice comes back and buys: recovered, with its revenue counted as revenue is.
    let purchase = bought(&app, &alice, &shop.item).await;
    send_due(&smtp).await;
    assert!(received(&mut sink).is_empty(), "nothing more is sent");
    let overview: Value = shop
        .owner
        .call_json(fns::BroadcastsOverview::PATH, &[])
        .await;
    assert_eq!(overview["abandoned"]["sent"], 1);
    assert_eq!(overview["abandoned"]["recovered"], 1);
    assert_eq!(overview["abandoned"]["recovered_cents"], PRICE_CENTS);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM marketing_emails WHERE recovered_purchase_id = '{purchase}'"
        ))
        .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_hard_bounced_receipt_suppresses_marketing_but_account_email_still_goes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (url, _sink) = smtp_sink(SinkMode::default()).await;
    let smtp = with_smtp(&app.state, &url);
    app.browser()
        .register_with("Eve", "bounce-eve@example.com", NEWS)
        .await;
    let deliver = Runner::new(smtp).register::<backend::email::delivery::DeliverEmail>();
    while deliver.run_next().await.unwrap() {}
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM email_outbox WHERE kind = 'verify_email'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), attempts),
        ("failed", 1),
        "a 550 is not tried again"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM email_suppressions WHERE reason = 'hard_bounce'")
            .await,
        1
    );
    // Account emails are not marketing: a new one is still written and tried.
    app.browser()
        .call(
            fns::ForgotPassword::PATH,
            &[("email", "bounce-eve@example.com")],
        )
        .await;
    assert_eq!(
        app.count("SELECT count(*) FROM email_outbox WHERE kind = 'password_reset'")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn sequences_follow_their_reason_and_stop_when_it_goes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let shop = shop(&app).await;
    let (url, mut sink) = smtp_sink(SinkMode::default()).await;
    let smtp = with_smtp(&app.state, &url);
    let step = |automation: &'static str, days: &'static str, subject: &'static str| {
        let item = shop.item.clone();
        let owner = &shop.owner;
        async move {
            owner
                .call(
                    fns::AddAutomationStep::PATH,
                    &[
                        ("automation", automation),
                        ("content_id", &item),
                        ("delay_days", days),
                        ("subject", subject),
                        ("body", "Hello **again**."),
                    ],
                )
                .await
                .status()
        }
    };
    assert_eq!(step("welcome", "0", "Welcome aboard").await, StatusCode::OK);
    assert_eq!(
        step("after_purchase", "2", "How was the film?").await,
        StatusCode::OK
    );
    for n in 2..=5 {
        let status = step("after_purchase", "3", "More").await;
        assert_eq!(status, StatusCode::OK, "step {n}");
    }
    assert_eq!(
        step("after_purchase", "4", "Too many").await,
        StatusCode::CONFLICT
    );
    let steps = shop
        .owner
        .call_json(fns::BroadcastsOverview::PATH, &[])
        .await["steps"]
        .clone();
    assert_eq!(steps.as_array().unwrap().len(), 6);
    let extra: Vec<String> = steps
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["subject"] == "More")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    for id in extra {
        shop.owner
            .call_json(fns::DeleteAutomationStep::PATH, &[("id", &id)])
            .await;
    }

    // Verifying the address starts the welcome, for those who asked for news only.
    let alice = app.verified_customer_with("alice@example.com", NEWS).await;
    let bob = app.verified_customer_with("bob@example.com", NEWS).await;
    let _carol = app.verified_customer("carol@example.com").await;
    send_due(&smtp).await;
    let mail = received(&mut sink);
    let mut welcomed: Vec<&String> = mail.keys().collect();
    welcomed.sort();
    assert_eq!(welcomed, vec!["alice@example.com", "bob@example.com"]);
    assert!(mail["alice@example.com"][0].contains("Subject: Welcome aboard"));

    // Both buy; the after-purchase email is two days away. Bob is refunded meanwhile.
    bought(&app, &alice, &shop.item).await;
    let bobs = bought(&app, &bob, &shop.item).await;
    assert_eq!(
        app.count("SELECT count(*) FROM marketing_emails WHERE automation = 'after_purchase' AND due_at > now() + interval '47 hours'").await,
        2,
        "one each"
    );
    let refund = shop
        .owner
        .call(
            fns::RefundPurchase::PATH,
            &[("purchase_id", &bobs), ("reason", "Changed his mind")],
        )
        .await;
    assert_eq!(refund.status(), StatusCode::OK);
    sqlx::query("UPDATE marketing_emails SET due_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    send_due(&smtp).await;
    let mail = received(&mut sink);
    assert_eq!(mail.keys().collect::<Vec<_>>(), vec!["alice@example.com"]);
    assert!(mail["alice@example.com"][0].contains("Subject: How was the film?"));
    assert_eq!(
        app.count("SELECT count(*) FROM marketing_emails WHERE status = 'skipped' AND note = 'no longer has the item'").await,
        1
    );
}
