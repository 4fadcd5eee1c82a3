//! Stripe's events in any order, twice and at once; disputes; access that keeps each of its
//! grounds; the webhook's answers to what it does not use; reconciliation with Stripe's
//! lists. Events are signed as Stripe signs them and delivered over real HTTP.

use crate::common::fns::{self, ServerFn as _};
use std::collections::HashMap;

use crate::common::{spawn_app, spawn_app_with, Browser, TestApp};
use crate::payments::{
    bought, deliver, deliver_signed, event, pay, payment_intent_of, purchase_id, session_id,
    session_object, start_checkout, status_of, PAYING_CARD, PRICE_CENTS,
};
use backend::payments::reconcile::{self, Trigger};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use stripe_webhook::Webhook;

/// The events one purchase can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Completed,
    Refunded,
    Expired,
    DisputeOpened,
    DisputeWon,
    DisputeLost,
}

fn payment_of(session: &str) -> String {
    format!("pi_for_{session}")
}

/// The signed payload of `step` for the purchase behind `session`; `tag` keeps event ids
/// unique per run.
fn payload(step: Step, session: &str, purchase: &str, tag: &str) -> String {
    let payment = payment_of(session);
    let dispute = |status: &str| {
        json!({
            "id": format!("dp_{session}"), "object": "dispute", "amount": PRICE_CENTS,
            "charge": format!("ch_{session}"), "currency": "usd", "created": 1_700_000_100,
            "payment_intent": payment, "reason": "fraudulent", "status": status,
            "livemode": false, "metadata": {}
        })
    };
    let (kind, object) = match step {
        Step::Completed => (
            "checkout.session.completed",
            session_object(session, purchase, PRICE_CENTS, true),
        ),
        Step::Expired => (
            "checkout.session.expired",
            session_object(session, purchase, PRICE_CENTS, false),
        ),
        Step::Refunded => (
            "charge.refunded",
            json!({
                "id": format!("ch_{session}"), "object": "charge", "amount": PRICE_CENTS,
                "amount_refunded": PRICE_CENTS, "refunded": true, "payment_intent": payment,
                "currency": "usd", "status": "succeeded", "livemode": false,
                "payment_method_details": { "type": "card", "card": { "brand": "visa", "last4": "4242" } }
            }),
        ),
        Step::DisputeOpened => ("charge.dispute.created", dispute("needs_response")),
        Step::DisputeWon => ("charge.dispute.closed", dispute("won")),
        Step::DisputeLost => ("charge.dispute.closed", dispute("lost")),
    };
    event(&format!("evt_{tag}_{step:?}"), kind, object)
}

fn permutations(steps: &[Step]) -> Vec<Vec<Step>> {
    if steps.len() <= 1 {
        return vec![steps.to_vec()];
    }
    let mut all = Vec::new();
    for (i, first) in steps.iter().enumerate() {
        let mut rest = steps.to_vec();
        rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, *first);
            all.push(tail);
        }
    }
    all
}

/// Where one purchase ended: its status, whether its buyer may play, its emails by kind.
#[derive(Debug, PartialEq, Eq)]
struct End {
    status: String,
    access: bool,
    emails: HashMap<String, i64>,
}

async fn end_of(app: &TestApp, purchase: &str) -> End {
    let access: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM access a JOIN purchases p
                        ON p.user_id = a.user_id AND p.content_id = a.content_id
                        WHERE p.id = $1::uuid AND a.revoked_at IS NULL)",
    )
    .bind(purchase)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let emails: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, count(*) FROM email_outbox WHERE dedupe_key LIKE '%:' || $1 GROUP BY kind",
    )
    .bind(purchase)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    End {
        status: status_of(app, purchase).await,
        access,
        emails: emails.into_iter().collect(),
    }
}

static NEXT_BUYER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A pending checkout for a new customer: (purchase, session).
async fn pending_checkout(app: &TestApp, content: &str) -> (String, String) {
    let n = NEXT_BUYER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let customer = app
        .verified_customer(&format!("buyer{n}@example.com"))
        .await;
    let session = session_id(&start_checkout(&customer, content).await);
    (purchase_id(app, &session).await, session)
}

/// Delivers every order of `steps`, each event twice at once, to a purchase of its own;
/// every order must end where the natural order (`steps` as given) ends, which is `expected`.
async fn every_order_ends_alike(app: &TestApp, content: &str, steps: &[Step], expected: &End) {
    for (n, order) in permutations(steps).into_iter().enumerate() {
        let (purchase, session) = pending_checkout(app, content).await;
        let tag = format!("{n}_{}", &session[session.len() - 6..]);
        for step in &order {
            let body = payload(*step, &session, &purchase, &tag);
            let (a, b) = tokio::join!(deliver_signed(app, &body), deliver_signed(app, &body));
            assert_eq!((a, b), (StatusCode::OK, StatusCode::OK), "{order:?}");
        }
        // Stripe retries days later: all of them again, at once, change nothing.
        let again: Vec<String> = order
            .iter()
            .map(|step| payload(*step, &session, &purchase, &tag))
            .collect();
        futures::future::join_all(again.iter().map(|body| deliver_signed(app, body))).await;
        assert_eq!(&end_of(app, &purchase).await, expected, "order {order:?}");
    }
}

fn emails(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

async fn paid_item(app: &TestApp) -> (Browser<'_>, String) {
    let owner = app.owner().await;
    let (content, _) = app
        .publish_ready_item(&owner, "Paid film", &[("price", "12.99")])
        .await;
    (owner, content)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_refund_wins_in_any_order_and_an_expiry_never_undoes_a_payment(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_owner, content) = paid_item(&app).await;
    let refunded = End {
        status: "refunded".into(),
        access: false,
        emails: emails(&[
            ("purchase_receipt", 1),
            ("sale_notification", 1),
            ("refund_confirmation", 1),
        ]),
    };
    every_order_ends_alike(
        &app,
        &content,
        &[Step::Completed, Step::Refunded, Step::Expired],
        &refunded,
    )
    .await;
    let paid = End {
        status: "completed".into(),
        access: true,
        emails: emails(&[("purchase_receipt", 1), ("sale_notification", 1)]),
    };
    every_order_ends_alike(&app, &content, &[Step::Completed, Step::Expired], &paid).await;
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_dispute_suspends_access_until_it_is_won_in_any_order(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_owner, content) = paid_item(&app).await;
    let paid_emails = [("purchase_receipt", 1), ("sale_notification", 1)];
    let open = End {
        status: "disputed".into(),
        access: false,
        emails: emails(&[paid_emails[0], paid_emails[1], ("dispute_notification", 1)]),
    };
    every_order_ends_alike(
        &app,
        &content,
        &[Step::Completed, Step::DisputeOpened],
        &open,
    )
    .await;
    let won = End {
        status: "completed".into(),
        access: true,
        emails: emails(&[paid_emails[0], paid_emails[1], ("dispute_notification", 2)]),
    };
    every_order_ends_alike(
        &app,
        &content,
        &[Step::Completed, Step::DisputeOpened, Step::DisputeWon],
        &won,
    )
    .await;
    let lost = End {
        status: "dispute_lost".into(),
        access: false,
        emails: emails(&[paid_emails[0], paid_emails[1], ("dispute_notification", 2)]),
    };
    every_order_ends_alike(
        &app,
        &content,
        &[Step::Completed, Step::DisputeOpened, Step::DisputeLost],
        &lost,
    )
    .await;
    let subjects: Vec<String> = sqlx::query_scalar(
        "SELECT subject FROM email_outbox WHERE kind = 'dispute_notification' AND to_address = 'owner@example.com'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(subjects.iter().any(|s| s == "Dispute opened: Paid film"));
    assert!(subjects.iter().any(|s| s == "Dispute won: Paid film"));
    assert!(subjects.iter().any(|s| s == "Dispute lost: Paid film"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn all_events_at_once_end_where_they_would_one_by_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, content) = paid_item(&app).await;
    let (purchase, session) = pending_checkout(&app, &content).await;
    let bodies: Vec<String> = [Step::DisputeLost, Step::Completed, Step::DisputeOpened]
        .iter()
        .map(|step| payload(*step, &session, &purchase, "burst"))
        .collect();
    let all = bodies
        .iter()
        .chain(bodies.iter())
        .map(|body| deliver_signed(&app, body));
    for status in futures::future::join_all(all).await {
        assert_eq!(status, StatusCode::OK);
    }
    let end = end_of(&app, &purchase).await;
    assert_eq!(end.status, "dispute_lost");
    assert!(!end.access);
    // The owner cannot refund what the bank took back.
    let refund = owner
        .call(
            fns::RefundPurchase::PATH,
            &[("purchase_id", &purchase), ("reason", "sorry")],
        )
        .await;
    assert_eq!(refund.status(), StatusCode::CONFLICT);
    let listed: Value = owner
        .call(fns::AdminPurchases::PATH, &[("status", "dispute_lost")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_purchase_and_a_grant_are_separate_grounds(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, content) = paid_item(&app).await;
    let (purchase, session) = pending_checkout(&app, &content).await;
    let email: String = sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN purchases p ON p.user_id = u.id WHERE p.id = $1::uuid",
    )
    .bind(&purchase)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // The owner grants the item while the customer is paying for it.
    let grant = owner
        .call(
            fns::GrantAccess::PATH,
            &[("email", &email), ("content_id", &content)],
        )
        .await;
    assert_eq!(grant.status(), StatusCode::OK);
    let completed = payload(Step::Completed, &session, &purchase, "grounds");
    assert_eq!(deliver_signed(&app, &completed).await, StatusCode::OK);
    let grounds = "SELECT count(*) FROM access WHERE revoked_at IS NULL";
    assert_eq!(app.count(grounds).await, 2);

    let grant_id: String =
        sqlx::query_scalar("SELECT id::text FROM purchases WHERE kind = 'grant'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let revoke = owner
        .call(fns::RevokeGrant::PATH, &[("purchase_id", &grant_id)])
        .await;
    assert_eq!(revoke.status(), StatusCode::OK);
    // Revoking the grant keeps the paid access.
    assert!(end_of(&app, &purchase).await.access);

    let refunded = payload(Step::Refunded, &session, &purchase, "grounds");
    assert_eq!(deliver_signed(&app, &refunded).await, StatusCode::OK);
    assert!(!end_of(&app, &purchase).await.access);
    // The owner's customer page still lists the item once per customer, not per ground.
    assert_eq!(app.count(grounds).await, 0);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn every_v1_signature_and_the_previous_secret_are_accepted(pool: PgPool) {
    let app = spawn_app_with(
        pool,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_rotation"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_new"),
            ("STRIPE_WEBHOOK_SECRET_PREVIOUS", "whsec_old"),
            ("STRIPE_API_BASE", "http://127.0.0.1:9/"),
        ],
    )
    .await;
    let body = |n: usize| {
        event(
            &format!("evt_rotation_{n}"),
            "customer.created",
            json!({ "id": "cus_1", "object": "customer" }),
        )
    };
    let sign = |payload: &str, secret: &str| Webhook::generate_test_header(payload, secret, None);
    let old_only = body(1);
    assert_eq!(
        deliver(&app, &old_only, Some(&sign(&old_only, "whsec_old")))
            .await
            .status(),
        StatusCode::OK
    );
    // Stripe sends two v1 while rolling; ours may be the second.
    let both = body(2);
    let new_v1 = sign(&both, "whsec_new");
    let header = format!(
        "{},{}",
        sign(&both, "whsec_unrelated"),
        new_v1.split_once(',').unwrap().1
    );
    assert_eq!(
        deliver(&app, &both, Some(&header)).await.status(),
        StatusCode::OK
    );
    let stranger = body(3);
    assert_eq!(
        deliver(&app, &stranger, Some(&sign(&stranger, "whsec_other")))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_address_that_keeps_sending_bad_signatures_is_slowed_but_stripe_is_not(pool: PgPool) {
    let app = spawn_app(pool).await;
    let client = reqwest::Client::new();
    let send = |ip: &'static str, signature: String, body: String| {
        client
            .post(app.url("/webhooks/stripe"))
            .header("x-forwarded-for", ip)
            .header("stripe-signature", signature)
            .body(body)
            .send()
    };
    let forged = event("evt_forged", "customer.created", json!({ "id": "cus_1" }));
    let mut statuses = Vec::new();
    for _ in 0..32 {
        let response = send("203.0.113.9", "t=1,v1=00".into(), forged.clone())
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[0], StatusCode::BAD_REQUEST);
    assert_eq!(statuses[31], StatusCode::TOO_MANY_REQUESTS);
    // A burst of correctly signed events from another address all go through.
    let bodies: Vec<String> = (0..60)
        .map(|n| {
            event(
                &format!("evt_burst_{n}"),
                "customer.created",
                json!({ "id": "cus_1" }),
            )
        })
        .collect();
    let burst = bodies.iter().map(|body| {
        send(
            "198.51.100.7",
            crate::payments::signature(body),
            body.clone(),
        )
    });
    for response in futures::future::join_all(burst).await {
        assert_eq!(response.unwrap().status(), StatusCode::OK);
    }
}

/// A stand-in whose webhooks never reach the app (a lost endpoint), and an app that talks
/// to it as to Stripe.
async fn app_with_lost_webhooks(pool: PgPool) -> (TestApp, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let standin = stripe_standin::spawn(
        listener,
        stripe_standin::Config {
            webhook_url: "http://127.0.0.1:9/webhooks/stripe".into(),
            webhook_secret: "whsec_lost".into(),
            retry_delays: Vec::new(),
        },
    )
    .unwrap();
    let app = spawn_app_with(
        pool,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_reconcile"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_lost"),
            ("STRIPE_API_BASE", &standin.base_url),
        ],
    )
    .await;
    (app, standin.base_url)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn reconciliation_repairs_a_missed_payment_and_a_missed_refund(pool: PgPool) {
    let (app, standin) = app_with_lost_webhooks(pool).await;
    let (owner, content) = paid_item(&app).await;

    // Paid, but neither the webhook nor the success page ever came back.
    let unseen = app.verified_customer("unseen@example.com").await;
    let checkout = start_checkout(&unseen, &content).await;
    assert_eq!(
        pay(&checkout, PAYING_CARD).await.status(),
        StatusCode::SEE_OTHER
    );
    let unseen_purchase = purchase_id(&app, &session_id(&checkout)).await;
    assert_eq!(status_of(&app, &unseen_purchase).await, "pending");

    // Bought (the success page confirmed it), then refunded in Stripe's dashboard.
    let refunded_customer = app.verified_customer("refunded@example.com").await;
    let refunded = bought(&app, &refunded_customer, &content).await;
    assert_eq!(status_of(&app, &refunded).await, "completed");
    let payment = payment_intent_of(&app, &refunded).await;
    let refund = reqwest::Client::new()
        .post(format!("{standin}v1/refunds"))
        .bearer_auth("sk_test_dashboard")
        .form(&[("payment_intent", payment.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refund.status(), StatusCode::OK);

    // Access nobody paid for (written behind the app's back).
    let stray = app.verified_customer("stray@example.com").await;
    drop(stray);
    sqlx::query(
        "INSERT INTO access (user_id, content_id, reason)
         SELECT id, $1::uuid, 'purchased' FROM users WHERE email = 'stray@example.com'",
    )
    .bind(&content)
    .execute(&app.pool)
    .await
    .unwrap();

    let figures = reconcile::run(&app.state, Trigger::Command).await.unwrap();
    assert_eq!(figures.paid_without_access, 1, "{figures:?}");
    assert_eq!(figures.refunds_applied, 1, "{figures:?}");
    assert_eq!(figures.access_without_payment, 1, "{figures:?}");
    assert!(figures.events_checked >= 3, "{figures:?}");
    assert_eq!(status_of(&app, &unseen_purchase).await, "completed");
    assert!(end_of(&app, &unseen_purchase).await.access);
    assert_eq!(status_of(&app, &refunded).await, "refunded");
    assert!(!end_of(&app, &refunded).await.access);
    assert_eq!(
        app.count("SELECT count(*) FROM access a JOIN users u ON u.id = a.user_id WHERE u.email = 'stray@example.com' AND a.revoked_at IS NULL").await,
        0
    );
    // The card details came with the charge event reconciliation applied.
    let receipt: Value = unseen
        .call(fns::PurchaseReceipt::PATH, &[("id", &unseen_purchase)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipt["card_last4"], "4242", "{receipt}");

    // A second run finds nothing left to repair, and the dashboard says so.
    let again = reconcile::run(&app.state, Trigger::Command).await.unwrap();
    assert_eq!(
        (
            again.paid_without_access,
            again.refunds_applied,
            again.access_without_payment
        ),
        (0, 0, 0),
        "{again:?}"
    );
    let dashboard: Value = owner
        .call(fns::LoadDashboard::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        dashboard["reconciliation"]["paid_without_access"], 0,
        "{dashboard}"
    );
    assert_eq!(dashboard["sales"]["refunds"], 1, "{dashboard}");
    assert_eq!(dashboard["sales"]["net_cents"], PRICE_CENTS, "{dashboard}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn stripe_tax_is_added_on_top_and_shown_on_the_receipt(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, content) = paid_item(&app).await;
    let saved = owner
        .call(
            fns::SaveSettings::PATH,
            &[
                ("platform_name", "Codex"),
                ("primary_color", "#3b82f6"),
                ("timezone", "UTC"),
                ("send_receipt", "on"),
                ("automatic_tax", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let customer = app.verified_customer("taxed@example.com").await;
    let purchase = bought(&app, &customer, &content).await;
    assert_eq!(status_of(&app, &purchase).await, "completed");
    let receipt: Value = customer
        .call(fns::PurchaseReceipt::PATH, &[("id", &purchase)])
        .await
        .json()
        .await
        .unwrap();
    // The stand-in's Stripe Tax adds 10 %: $1.30 on $12.99, checked against the price
    // before tax.
    assert_eq!(receipt["amount_cents"], PRICE_CENTS, "{receipt}");
    assert_eq!(receipt["tax_cents"], 130, "{receipt}");
    let (_, body) = app
        .last_email("taxed@example.com", "purchase_receipt")
        .await
        .unwrap();
    assert!(body.contains("Amount: $12.99 · Tax: $1.30"), "{body}");
}

/// Revenue is one figure wherever it shows: the dashboard's all time and net, the owner's
/// item list, the customers' totals (and their export) agree, with a partial refund, an open
/// dispute and a full refund among the sales.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn revenue_is_the_same_figure_everywhere(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, content) = paid_item(&app).await;
    let mut sales = Vec::new();
    for n in 0..4 {
        let (purchase, session) = pending_checkout(&app, &content).await;
        let tag = format!("rev{n}");
        let paid = payload(Step::Completed, &session, &purchase, &tag);
        assert_eq!(deliver_signed(&app, &paid).await, StatusCode::OK);
        sales.push((purchase, session, tag));
    }
    // $3.00 of the first sale refunded; the second disputed (not yet lost); the third
    // refunded whole; the fourth untouched.
    let partial = event(
        "evt_rev_partial",
        "charge.refunded",
        json!({
            "id": format!("ch_{}", sales[0].1), "object": "charge", "amount": PRICE_CENTS,
            "amount_refunded": 300, "refunded": false, "payment_intent": payment_of(&sales[0].1),
            "currency": "usd", "status": "succeeded", "livemode": false
        }),
    );
    assert_eq!(deliver_signed(&app, &partial).await, StatusCode::OK);
    for (step, (purchase, session, tag)) in [
        (Step::DisputeOpened, &sales[1]),
        (Step::Refunded, &sales[2]),
    ] {
        let body = payload(step, session, purchase, tag);
        assert_eq!(deliver_signed(&app, &body).await, StatusCode::OK);
    }
    let expected = 3 * PRICE_CENTS - 300;

    let dashboard: Value = owner.call_json(fns::LoadDashboard::PATH, &[]).await;
    assert_eq!(dashboard["revenue_all_time_cents"], expected, "{dashboard}");
    assert_eq!(dashboard["sales"]["net_cents"], expected, "{dashboard}");
    assert_eq!(dashboard["top_content"][0]["revenue_cents"], expected);
    let items: Value = owner.call_json(fns::ListContent::PATH, &[]).await;
    assert_eq!(items[0]["revenue_cents"], expected, "{items}");
    let customers: Value = owner.call_json(fns::ListCustomers::PATH, &[]).await;
    let spent: i64 = customers["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["total_spent_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(spent, expected, "{customers}");
    let export = owner
        .get("/admin/customers.csv")
        .await
        .text()
        .await
        .unwrap();
    let exported: i64 = export
        .lines()
        .skip(1)
        .map(|line| {
            let total = line.rsplit(',').next().unwrap().trim_matches('"');
            (total.parse::<f64>().unwrap() * 100.0).round() as i64
        })
        .sum();
    assert_eq!(exported, expected, "{export}");
}
