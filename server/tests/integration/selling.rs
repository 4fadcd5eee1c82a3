//! Selling tools over real HTTP: discount codes (price on the server, expiry, items, usage
//! limit with racing buyers, the use given back by an expired checkout), pay what you want,
//! rentals (expiry with the clock moved in the database) and receipt links.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser, TestApp};
use crate::payments::{
    bought, deliver_signed, event, location, pay, purchase_id, session_id, session_object, shop,
    start_checkout, status_of, PAYING_CARD,
};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

/// The owner's "New discount code" form.
async fn create_code(owner: &Browser<'_>, fields: &[(&str, &str)]) -> reqwest::Response {
    owner.call(fns::CreateDiscount::PATH, fields).await
}

/// Starts a checkout with `fields` besides the item; the redirect's target.
async fn start_with(customer: &Browser<'_>, content: &str, fields: &[(&str, &str)]) -> String {
    let mut form = vec![("content_id", content)];
    form.extend_from_slice(fields);
    let response = customer.post_form("/checkout/start", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
}

async fn quote(customer: &Browser<'_>, content: &str, code: &str) -> (StatusCode, Value) {
    let response = customer
        .call(
            fns::QuoteDiscount::PATH,
            &[("content_id", content), ("code", code)],
        )
        .await;
    if response.status() == StatusCode::OK {
        (StatusCode::OK, response.json().await.unwrap())
    } else {
        error_of(response).await
    }
}

async fn amount_of(app: &TestApp, purchase: &str) -> (i32, Option<String>, Option<i32>) {
    sqlx::query_as(
        "SELECT amount_cents, discount_code, list_price_cents FROM purchases WHERE id = $1::uuid",
    )
    .bind(purchase)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn codes(owner: &Browser<'_>) -> Value {
    owner
        .call(fns::ListDiscounts::PATH, &[])
        .await
        .json()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_code_lowers_the_price_computed_on_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    let created = create_code(&owner, &[("code", "launch20"), ("amount_off", "20%")]).await;
    assert_eq!(created.status(), StatusCode::OK);

    // The page's quote: $12.99 less 20 % (rounded for the customer) is $10.39.
    let (status, shown) = quote(&customer, &content, "Launch20").await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["code"], "LAUNCH20");
    assert_eq!(shown["buy_cents"], 1039);
    assert_eq!(shown["label"], "20% off");

    // The checkout charges what the server computes; a price the form sends is ignored.
    let checkout = start_with(
        &customer,
        &content,
        &[("discount_code", "launch20"), ("amount_cents", "1")],
    )
    .await;
    let session = session_id(&checkout);
    let purchase = purchase_id(&app, &session).await;
    assert_eq!(
        amount_of(&app, &purchase).await,
        (1039, Some("LAUNCH20".into()), Some(1299))
    );
    assert_eq!(
        pay(&checkout, PAYING_CARD).await.status(),
        StatusCode::SEE_OTHER
    );
    customer
        .call(fns::ConfirmCheckout::PATH, &[("session_id", &session)])
        .await;
    assert_eq!(status_of(&app, &purchase).await, "completed");
    let listed = codes(&owner).await;
    assert_eq!(listed[0]["used"], 1);
    assert_eq!(listed[0]["discount"], serde_json::json!({ "Percent": 20 }));

    // A code taking the whole price makes it free: no Stripe, access at once.
    let other = app.verified_customer("dave@example.com").await;
    create_code(&owner, &[("code", "FREEBIE"), ("amount_off", "100%")]).await;
    let back = start_with(&other, &content, &[("discount_code", "freebie")]).await;
    assert_eq!(back, "/content/paid-film?checkout=got");
    assert_eq!(
        app.count("SELECT count(*) FROM purchases WHERE discount_code = 'FREEBIE' AND kind = 'free' AND status = 'completed'")
            .await,
        1
    );
    let page = other.get("/content/paid-film").await.text().await.unwrap();
    assert!(page.contains(">Watch<"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn expired_unknown_and_other_items_codes_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    let (other_item, _) = app
        .publish_ready_item(&owner, "Other film", &[("price", "5.00")])
        .await;
    let yesterday = (time::OffsetDateTime::now_utc() - time::Duration::days(1)).date();
    let yesterday = format!(
        "{:04}-{:02}-{:02}",
        yesterday.year(),
        u8::from(yesterday.month()),
        yesterday.day()
    );
    create_code(
        &owner,
        &[
            ("code", "OLD"),
            ("amount_off", "5"),
            ("expires_on", &yesterday),
        ],
    )
    .await;
    create_code(
        &owner,
        &[
            ("code", "OTHERONLY"),
            ("amount_off", "1.00"),
            ("items[0]", &other_item),
        ],
    )
    .await;

    // One answer for a code that does not exist, has expired or is for another item, so
    // trying codes tells nobody which exist.
    let message = "This discount code is not valid for this item.";
    let reason = "code_invalid";
    for code in ["NOPE", "OLD", "OTHERONLY"] {
        let (status, error) = quote(&customer, &content, code).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code}");
        assert!(error.to_string().contains(message), "{code}: {error}");
        let back = start_with(&customer, &content, &[("discount_code", code)]).await;
        assert_eq!(
            back,
            format!("/content/paid-film?checkout={reason}&code={code}")
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM purchases").await, 0);

    // A code is valid through the whole of its last day.
    let today = time::OffsetDateTime::now_utc().date();
    let today = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    create_code(
        &owner,
        &[
            ("code", "LASTDAY"),
            ("amount_off", "1"),
            ("expires_on", &today),
        ],
    )
    .await;
    let (status, shown) = quote(&customer, &content, "LASTDAY").await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    let listed = codes(&owner).await;
    let last_day = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "LASTDAY")
        .unwrap();
    assert_eq!(last_day["expired"], false);
    assert!(
        last_day["expires_on"]
            .as_str()
            .unwrap()
            .ends_with(&today[..4]),
        "{last_day}"
    );

    // The limited code works on its own item.
    let (status, shown) = quote(&customer, &other_item, "otheronly").await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["buy_cents"], 400);
    // Only the owner manages codes.
    let (status, _) =
        error_of(create_code(&customer, &[("code", "MINE"), ("amount_off", "99%")]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = error_of(customer.call(fns::ListDiscounts::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A bad form is a clear error.
    let (status, error) =
        error_of(create_code(&owner, &[("code", "X"), ("amount_off", "5")]).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.to_string().contains("3 to 32"), "{error}");
    let (status, error) =
        error_of(create_code(&owner, &[("code", "OLD"), ("amount_off", "5")]).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error.to_string().contains("already exists"), "{error}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn two_buyers_racing_for_the_last_use_one_gets_it_and_an_expiry_gives_it_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, first, content) = shop(&app).await;
    let second = app.verified_customer("erin@example.com").await;
    create_code(
        &owner,
        &[
            ("code", "ONLYONE"),
            ("amount_off", "2.00"),
            ("max_uses", "1"),
        ],
    )
    .await;

    let form = [("discount_code", "ONLYONE")];
    let (a, b) = tokio::join!(
        start_with(&first, &content, &form),
        start_with(&second, &content, &form)
    );
    let winners: Vec<&String> = [&a, &b]
        .into_iter()
        .filter(|to| to.contains("/pay/"))
        .collect();
    assert_eq!(winners.len(), 1, "{a} / {b}");
    let loser = if a.contains("/pay/") { &b } else { &a };
    assert_eq!(
        loser,
        "/content/paid-film?checkout=code_used_up&code=ONLYONE"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM purchases WHERE discount_code = 'ONLYONE'")
            .await,
        1
    );

    // The winner's checkout expires: the use comes back, and the other buyer gets it.
    let session = session_id(winners[0]);
    let purchase = purchase_id(&app, &session).await;
    let expired = event(
        "evt_expired_onlyone",
        "checkout.session.expired",
        session_object(&session, &purchase, 1099, false),
    );
    assert_eq!(deliver_signed(&app, &expired).await, StatusCode::OK);
    assert_eq!(status_of(&app, &purchase).await, "failed");
    assert_eq!(codes(&owner).await[0]["used"], 0);
    let loser_browser = if a.contains("/pay/") { &second } else { &first };
    let again = start_with(loser_browser, &content, &form).await;
    assert!(again.contains("/pay/"), "{again}");
    assert_eq!(codes(&owner).await[0]["used"], 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn pay_what_you_want_enforces_the_minimum(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (content, _) = app
        .publish_ready_item(&owner, "Tip jar", &[("price", "5.00")])
        .await;
    let saved = owner
        .call(
            fns::SaveSellingOptions::PATH,
            &[
                ("id", &content),
                ("pay_what_you_want", "on"),
                ("suggested_price", "8"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let below = owner
        .call(
            fns::SaveSellingOptions::PATH,
            &[
                ("id", &content),
                ("pay_what_you_want", "on"),
                ("suggested_price", "4"),
            ],
        )
        .await;
    assert_eq!(below.status(), StatusCode::BAD_REQUEST);
    let customer = app.verified_customer("frank@example.com").await;

    let page = customer.get("/content/tip-jar").await.text().await.unwrap();
    assert!(page.contains("$5.00+"), "the minimum is shown");
    assert!(page.contains("Your price"));
    assert!(
        page.contains("value=\"8.00\""),
        "the suggested price is filled in"
    );

    let low = start_with(&customer, &content, &[("your_price", "4.99")]).await;
    assert_eq!(low, "/content/tip-jar?checkout=your_price&your_price=4.99");
    let missing = start_with(&customer, &content, &[]).await;
    assert_eq!(missing, "/content/tip-jar?checkout=your_price");
    create_code(&owner, &[("code", "TIPS"), ("amount_off", "50%")]).await;
    let coded = start_with(
        &customer,
        &content,
        &[("your_price", "6"), ("discount_code", "TIPS")],
    )
    .await;
    assert_eq!(
        coded,
        "/content/tip-jar?checkout=code_pwyw&code=TIPS&your_price=6"
    );
    assert_eq!(app.count("SELECT count(*) FROM purchases").await, 0);

    let checkout = start_with(&customer, &content, &[("your_price", "$7.50")]).await;
    let purchase = purchase_id(&app, &session_id(&checkout)).await;
    assert_eq!(amount_of(&app, &purchase).await, (750, None, Some(750)));

    // A minimum of nothing: a price of 0 gets it free, without Stripe.
    let (free_item, _) = app
        .publish_ready_item(&owner, "Free if you like", &[])
        .await;
    owner
        .call(
            fns::SaveSellingOptions::PATH,
            &[("id", &free_item), ("pay_what_you_want", "on")],
        )
        .await;
    let back = start_with(&customer, &free_item, &[("your_price", "0")]).await;
    assert_eq!(back, "/content/free-if-you-like?checkout=got");
    assert_eq!(
        app.count("SELECT count(*) FROM access WHERE reason = 'free' AND revoked_at IS NULL")
            .await,
        1
    );
}

/// Puts `content` up for rent at $3.99: 30 days to start, 72 hours to watch.
async fn offer_rental(owner: &Browser<'_>, content: &str) {
    let saved = owner
        .call(
            fns::SaveSellingOptions::PATH,
            &[
                ("id", content),
                ("rental_price", "3.99"),
                ("rental_window_days", "30"),
                ("rental_viewing_hours", "72"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_rental_ends_and_a_purchase_after_it_stays(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    offer_rental(&owner, &content).await;
    let page = customer
        .get("/content/paid-film")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(">Rent<") && page.contains("$3.99"));

    let checkout = start_with(&customer, &content, &[("offer", "rent")]).await;
    let session = session_id(&checkout);
    let purchase = purchase_id(&app, &session).await;
    assert_eq!(amount_of(&app, &purchase).await.0, 399);
    pay(&checkout, PAYING_CARD).await;
    customer
        .call(fns::ConfirmCheckout::PATH, &[("session_id", &session)])
        .await;
    let window: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM expires_at - now())::float8 FROM access WHERE reason = 'rented'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        (29.9 * 86400.0..=30.0 * 86400.0).contains(&window),
        "{window}"
    );
    let library: Value = customer
        .call(fns::LoadLibrary::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(library["items"][0]["rental"]["started"], false);
    // Renting it once is enough; buying it is still offered.
    let again = start_with(&customer, &content, &[("offer", "rent")]).await;
    assert_eq!(again, "/content/paid-film?checkout=owned");
    let page = customer
        .get("/content/paid-film")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(">Watch<") && page.contains(">Buy now<"));

    // The first play starts the 72 hours.
    let watch = customer
        .call(fns::LoadWatch::PATH, &[("slug", "paid-film")])
        .await;
    assert_eq!(watch.status(), StatusCode::OK);
    let left: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM expires_at - now())::float8 FROM access WHERE reason = 'rented' AND started_at IS NOT NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((71.9 * 3600.0..=72.0 * 3600.0).contains(&left), "{left}");

    // Near the end, a renewed playback token lives no longer than the rental.
    sqlx::query(
        "UPDATE access SET expires_at = now() + interval '40 seconds' WHERE reason = 'rented'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let grant: Value = customer
        .call_json(fns::RenewPlayback::PATH, &[("content_id", &content)])
        .await;
    let lifetime = grant["lifetime_seconds"].as_u64().unwrap();
    assert!((38..=40).contains(&lifetime), "{lifetime}");

    // The clock moves past the end: playback is refused, the library drops it.
    sqlx::query(
        "UPDATE access SET expires_at = now() - interval '1 second' WHERE reason = 'rented'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, _) = error_of(
        customer
            .call(fns::LoadWatch::PATH, &[("slug", "paid-film")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = error_of(
        customer
            .call(fns::RenewPlayback::PATH, &[("content_id", &content)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let library: Value = customer
        .call(fns::LoadLibrary::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(library["total"], 0);

    // Rent again, then buy: the purchase keeps access when the rental ends.
    let checkout = start_with(&customer, &content, &[("offer", "rent")]).await;
    pay(&checkout, PAYING_CARD).await;
    customer
        .call(
            fns::ConfirmCheckout::PATH,
            &[("session_id", &session_id(&checkout))],
        )
        .await;
    assert_eq!(
        app.count("SELECT count(*) FROM access WHERE reason = 'rented' AND expires_at > now()")
            .await,
        1
    );
    let checkout = start_checkout(&customer, &content).await;
    pay(&checkout, PAYING_CARD).await;
    customer
        .call(
            fns::ConfirmCheckout::PATH,
            &[("session_id", &session_id(&checkout))],
        )
        .await;
    sqlx::query(
        "UPDATE access SET expires_at = now() - interval '1 second' WHERE reason = 'rented'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        customer
            .call(fns::LoadWatch::PATH, &[("slug", "paid-film")])
            .await
            .status(),
        StatusCode::OK
    );
    let library: Value = customer
        .call(fns::LoadLibrary::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(library["total"], 1);
    assert_eq!(library["items"][0]["rental"], Value::Null);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_receipt_link_opens_the_library_entry_for_its_customer_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_owner, customer, content) = shop(&app).await;
    let checkout = start_checkout(&customer, &content).await;
    let session = session_id(&checkout);
    let purchase = purchase_id(&app, &session).await;
    pay(&checkout, PAYING_CARD).await;
    customer
        .call(fns::ConfirmCheckout::PATH, &[("session_id", &session)])
        .await;

    let link = format!("/receipt/{purchase}");
    let mail = app
        .read_mail("carol@example.com", "purchase_receipt")
        .await
        .expect("a receipt was delivered");
    assert!(mail.contains(&app.url(&link)), "{mail}");

    let opened = customer.get(&link).await;
    assert_eq!(location(&opened), "/library?open=paid-film");
    let library: Value = customer
        .call(fns::LoadLibrary::PATH, &[("open", "paid-film")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(library["opened"][0]["slug"], "paid-film");

    let visitor = app.browser();
    assert_eq!(
        location(&visitor.get(&link).await),
        format!("/login?redirect=%2Freceipt%2F{purchase}")
    );
    // Another account learns nothing: the same answer as for a purchase that does not exist.
    let other = app.verified_customer("gina@example.com").await;
    assert_eq!(
        location(&other.get(&link).await),
        "/library?receipt=other-account"
    );
    let made_up = format!("/receipt/{}", uuid::Uuid::new_v4());
    assert_eq!(
        location(&other.get(&made_up).await),
        "/library?receipt=other-account"
    );
    assert_eq!(
        location(&other.get("/receipt/not-an-id").await),
        "/library?receipt=other-account"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn codes_cannot_be_guessed_by_trying_many(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_owner, customer, content) = shop(&app).await;
    for n in 0..30 {
        let (status, _) = quote(&customer, &content, &format!("GUESS{n}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _) = quote(&customer, &content, "GUESS31").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let back = start_with(&customer, &content, &[("discount_code", "GUESS32")]).await;
    assert_eq!(back, "/content/paid-film?checkout=code_tries&code=GUESS32");
}

/// Two published items ($12.99 and $9.99) and a $15.00 bundle of both; the bundle's id and
/// the items' ids.
async fn bundle_shop(app: &TestApp, owner: &Browser<'_>) -> (String, String, String) {
    let (first, _) = app
        .publish_ready_item(owner, "Lesson one", &[("price", "12.99")])
        .await;
    let (second, _) = app
        .publish_ready_item(owner, "Lesson two", &[("price", "9.99")])
        .await;
    let created = owner
        .call(
            fns::SaveContent::PATH,
            &[("title", "Both lessons"), ("price", "15.00")],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let bundle: String = created.json().await.unwrap();
    // Publishing is refused until it holds two items.
    let (status, error) = error_of(
        owner
            .call(fns::PublishContent::PATH, &[("id", &bundle)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let one = owner
        .call(
            fns::SaveBundleItems::PATH,
            &[("id", &bundle), ("items[0]", &first)],
        )
        .await;
    assert_eq!(one.status(), StatusCode::BAD_REQUEST);
    let itself = owner
        .call(
            fns::SaveBundleItems::PATH,
            &[("id", &bundle), ("items[0]", &first), ("items[1]", &bundle)],
        )
        .await;
    assert_eq!(itself.status(), StatusCode::BAD_REQUEST);
    let saved = owner
        .call(
            fns::SaveBundleItems::PATH,
            &[("id", &bundle), ("items[0]", &first), ("items[1]", &second)],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(
        owner
            .call(fns::PublishContent::PATH, &[("id", &bundle)])
            .await
            .status(),
        StatusCode::OK
    );
    (bundle, first, second)
}

async fn may_watch(customer: &Browser<'_>, slug: &str) -> bool {
    let status = customer
        .call(fns::LoadWatch::PATH, &[("slug", slug)])
        .await
        .status();
    assert!(
        status == StatusCode::OK || status == StatusCode::FORBIDDEN,
        "{status}"
    );
    status == StatusCode::OK
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_bundle_grants_each_item_and_its_refund_takes_back_only_what_it_gave(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (bundle, first, _second) = bundle_shop(&app, &owner).await;
    let customer = app.verified_customer("hana@example.com").await;

    // Lesson one was bought on its own first.
    let checkout = start_checkout(&customer, &first).await;
    pay(&checkout, PAYING_CARD).await;
    customer
        .call(
            fns::ConfirmCheckout::PATH,
            &[("session_id", &session_id(&checkout))],
        )
        .await;

    // The bundle's page: what it holds, what it saves, what the customer has.
    let contents: Value = customer
        .call(fns::LoadBundleContents::PATH, &[("id", &bundle)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contents["items"][0]["title"], "Lesson one");
    assert_eq!(contents["items"][0]["owned"], true);
    assert_eq!(contents["items"][1]["owned"], false);
    let page = customer
        .get("/content/both-lessons")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("You save $7.98."), "{page}");
    assert!(page.contains("You already have this"));

    // One checkout, one purchase, for the bundle's price.
    let checkout = start_checkout(&customer, &bundle).await;
    let session = session_id(&checkout);
    let purchase = purchase_id(&app, &session).await;
    assert_eq!(amount_of(&app, &purchase).await.0, 1500);
    pay(&checkout, PAYING_CARD).await;
    customer
        .call(fns::ConfirmCheckout::PATH, &[("session_id", &session)])
        .await;
    assert!(may_watch(&customer, "lesson-one").await);
    assert!(may_watch(&customer, "lesson-two").await);
    let library: Value = customer
        .call(fns::LoadLibrary::PATH, &[("open", "both-lessons")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        library["total"], 2,
        "the bundle itself is not listed: {library}"
    );
    assert_eq!(library["opened"].as_array().unwrap().len(), 2);
    let opened = customer.get(&format!("/receipt/{purchase}")).await;
    assert_eq!(location(&opened), "/library?open=both-lessons");

    // The owner refunds the bundle: lesson two goes, lesson one (bought alone) stays.
    let refunded = owner
        .call(
            fns::RefundPurchase::PATH,
            &[("purchase_id", &purchase), ("reason", "Asked for it")],
        )
        .await;
    assert_eq!(refunded.status(), StatusCode::OK);
    assert!(may_watch(&customer, "lesson-one").await);
    assert!(!may_watch(&customer, "lesson-two").await);

    // A bundle has no media of its own and is not rented.
    let (status, _) = error_of(
        owner
            .call(
                fns::SaveSellingOptions::PATH,
                &[("id", &bundle), ("rental_price", "2.00")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_granted_bundle_grants_each_item_and_revoking_it_ends_them(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (bundle, _first, _second) = bundle_shop(&app, &owner).await;
    let customer = app.verified_customer("ivan@example.com").await;
    let granted = owner
        .call(
            fns::GrantAccess::PATH,
            &[("email", "ivan@example.com"), ("content_id", &bundle)],
        )
        .await;
    assert_eq!(granted.status(), StatusCode::OK);
    assert!(may_watch(&customer, "lesson-one").await);
    assert!(may_watch(&customer, "lesson-two").await);
    let grant: String = sqlx::query_scalar("SELECT id::text FROM purchases WHERE kind = 'grant'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let revoked = owner
        .call(fns::RevokeGrant::PATH, &[("purchase_id", &grant)])
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert!(!may_watch(&customer, "lesson-one").await);
    assert!(!may_watch(&customer, "lesson-two").await);
}

/// What a bundle's buyer paid for stays theirs when the owner edits the bundle: an item
/// added reaches them at once (a draft only once it is published), an item taken out stays,
/// and reconciliation agrees.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_bundle_edited_after_its_sale_adds_for_its_buyers_and_takes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (bundle, first, second) = bundle_shop(&app, &owner).await;
    let customer = app.verified_customer("iris@example.com").await;
    bought(&app, &customer, &bundle).await;
    assert!(may_watch(&customer, "lesson-two").await);

    // Lesson two out, a new lesson three and a draft lesson four in.
    let (third, _) = app
        .publish_ready_item(&owner, "Lesson three", &[("price", "5")])
        .await;
    let (fourth, _) = app
        .draft_ready_item(&owner, "Lesson four", &[("price", "5")])
        .await;
    let saved = owner
        .call(
            fns::SaveBundleItems::PATH,
            &[
                ("id", &bundle),
                ("items[0]", &first),
                ("items[1]", &third),
                ("items[2]", &fourth),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(
        may_watch(&customer, "lesson-two").await,
        "kept what was paid for"
    );
    assert!(
        may_watch(&customer, "lesson-three").await,
        "added for the buyer"
    );
    assert!(
        !may_watch(&customer, "lesson-four").await,
        "a draft reaches no buyer"
    );
    // The bundle's page names its published items only.
    let contents: Value = customer
        .call_json(fns::LoadBundleContents::PATH, &[("id", &bundle)])
        .await;
    let titles: Vec<&str> = contents["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Lesson one", "Lesson three"]);

    // Publishing the draft while it is in the bundle gives it to the bundle's buyers.
    let published = owner
        .call(fns::PublishContent::PATH, &[("id", &fourth)])
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    assert!(may_watch(&customer, "lesson-four").await);

    // Reconciliation finds nothing to take back.
    let revoked = "SELECT count(*) FROM access WHERE revoked_at IS NOT NULL";
    assert_eq!(app.count(revoked).await, 0);
    let figures = backend::payments::reconcile::run(
        &app.state,
        backend::payments::reconcile::Trigger::Command,
    )
    .await
    .unwrap();
    assert_eq!(figures.access_without_payment, 0, "{figures:?}");
    assert_eq!(figures.paid_without_access, 0, "{figures:?}");
    assert_eq!(app.count(revoked).await, 0);
    let library: Value = customer.call_json(fns::LoadLibrary::PATH, &[]).await;
    assert_eq!(library["total"], 4, "{library}");
    // The owner's own list still shows what the bundle holds now.
    let detail: Value = owner
        .call_json(fns::LoadContent::PATH, &[("id", &bundle)])
        .await;
    assert!(!detail["bundle_items"]
        .as_array()
        .unwrap()
        .contains(&Value::String(second)));
}

/// A rental's 72 hours start with its first token of any kind: a player that only ever
/// renews its token (or a download link) starts them as the watch page does.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_renewal_of_an_unstarted_rental_starts_its_clock(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    offer_rental(&owner, &content).await;
    let checkout = start_with(&customer, &content, &[("offer", "rent")]).await;
    pay(&checkout, PAYING_CARD).await;
    customer
        .call(
            fns::ConfirmCheckout::PATH,
            &[("session_id", &session_id(&checkout))],
        )
        .await;
    let started = "SELECT count(*) FROM access WHERE reason = 'rented' AND started_at IS NOT NULL";
    assert_eq!(app.count(started).await, 0);

    let grant: Value = customer
        .call_json(fns::RenewPlayback::PATH, &[("content_id", &content)])
        .await;
    assert!(grant["token"].is_string(), "{grant}");
    assert_eq!(app.count(started).await, 1);
    let left: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM expires_at - now())::float8 FROM access WHERE reason = 'rented'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((71.9 * 3600.0..=72.0 * 3600.0).contains(&left), "{left}");
}

/// Codes tried from 40 addresses of one IPv6 /64 count as one address's tries.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn code_tries_from_one_ipv6_64_count_together(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_owner, _customer, content) = shop(&app).await;
    let mut answers = Vec::new();
    for n in 0..40 {
        let mut visitor = app.browser();
        visitor.ip = format!("2001:db8:7:7:{n:x}::1");
        answers.push(quote(&visitor, &content, &format!("GUESS{n}")).await.0);
    }
    assert!(answers[..30].iter().all(|s| *s == StatusCode::BAD_REQUEST));
    assert!(
        answers[30..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{answers:?}"
    );
    // Another /64 is another subscriber.
    let mut neighbour = app.browser();
    neighbour.ip = "2001:db8:7:8::1".into();
    assert_eq!(
        quote(&neighbour, &content, "GUESS").await.0,
        StatusCode::BAD_REQUEST
    );
}

/// A limited code is held by a checkout only while its session can be paid (30 minutes, the
/// session's `expires_at`), and by one customer once however many checkouts they start.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn unpaid_checkouts_hold_a_code_for_thirty_minutes_and_once_per_customer(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, first, content) = shop(&app).await;
    let (other, _) = app
        .publish_ready_item(&owner, "Other film", &[("price", "5.00")])
        .await;
    let second = app.verified_customer("olga@example.com").await;
    create_code(
        &owner,
        &[("code", "TWO"), ("amount_off", "1.00"), ("max_uses", "2")],
    )
    .await;
    let form = [("discount_code", "TWO")];
    // One customer, two checkouts with the code: one use.
    let a = start_with(&first, &content, &form).await;
    let b = start_with(&first, &other, &form).await;
    assert!(a.contains("/pay/") && b.contains("/pay/"), "{a} / {b}");
    assert_eq!(codes(&owner).await[0]["used"], 1);
    // The session Stripe made expires in 30 minutes.
    let session = session_id(&a);
    let standin = a.split("/pay/").next().unwrap();
    let made: Value = reqwest::Client::new()
        .get(format!("{standin}/v1/checkout/sessions/{session}"))
        .bearer_auth(server::config::STANDIN_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lifetime = made["expires_at"].as_i64().unwrap() - made["created"].as_i64().unwrap();
    assert!((1790..=1800).contains(&lifetime), "{lifetime}");
    // Another customer takes the second use; the code is used up for a third.
    let c = start_with(&second, &content, &form).await;
    assert!(c.contains("/pay/"), "{c}");
    let third = app.verified_customer("pete@example.com").await;
    assert_eq!(
        start_with(&third, &content, &form).await,
        "/content/paid-film?checkout=code_used_up&code=TWO"
    );
    // Half an hour on, the unpaid checkouts can no longer be paid: their uses come back.
    sqlx::query("UPDATE purchases SET created_at = now() - interval '31 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(codes(&owner).await[0]["used"], 0);
    let again = start_with(&third, &content, &form).await;
    assert!(again.contains("/pay/"), "{again}");
}

/// "Buy now", "Rent" and "Subscribe" share one limit of Checkout Sessions per customer.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn checkout_sessions_are_limited_per_customer(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    let saved = owner
        .call(
            fns::SaveSellingOptions::PATH,
            &[("id", &content), ("pay_what_you_want", "on")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    // Twenty checkouts at twenty prices: each its own session.
    for dollars in 20..40 {
        let price = dollars.to_string();
        let to = start_with(&customer, &content, &[("your_price", &price)]).await;
        assert!(to.contains("/pay/"), "{dollars}: {to}");
    }
    let refused = start_with(&customer, &content, &[("your_price", "50")]).await;
    assert_eq!(refused, "/content/paid-film?checkout=busy&your_price=50");
    // Taking up one already made is not a new session.
    let taken_up = start_with(&customer, &content, &[("your_price", "20")]).await;
    assert!(taken_up.contains("/pay/"), "{taken_up}");
    // Another customer has their own.
    let other = app.verified_customer("quinn@example.com").await;
    let to = start_with(&other, &content, &[("your_price", "50")]).await;
    assert!(to.contains("/pay/"), "{to}");
}

/// Thirty "Buy now" at once from one customer while another browses: every answer is a
/// redirect (no 5xx, no pool exhaustion: Stripe is called outside any transaction), one
/// checkout is made, and the catalog keeps answering.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_burst_of_checkout_starts_leaves_the_site_answering(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_owner, customer, content) = shop(&app).await;
    let visitor = app.browser();
    let form = [("content_id", content.as_str())];
    let burst =
        futures::future::join_all((0..30).map(|_| customer.post_form("/checkout/start", &form)));
    let browsing = async {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(visitor.get("/").await.status());
        }
        statuses
    };
    let (answers, catalog) = tokio::join!(burst, browsing);
    assert!(catalog.iter().all(|s| *s == StatusCode::OK), "{catalog:?}");
    let pages: Vec<String> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            location(r)
        })
        .collect();
    assert!(
        pages.iter().all(|p| p == &pages[0] && p.contains("/pay/")),
        "{pages:?}"
    );
    assert_eq!(app.count("SELECT count(*) FROM purchases").await, 1);
}

/// A refund of a second rental ends it, although the first rental was paid too.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_refunded_repeat_rental_ends(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, customer, content) = shop(&app).await;
    offer_rental(&owner, &content).await;
    let rent = || async {
        let checkout = start_with(&customer, &content, &[("offer", "rent")]).await;
        pay(&checkout, PAYING_CARD).await;
        let session = session_id(&checkout);
        customer
            .call(fns::ConfirmCheckout::PATH, &[("session_id", &session)])
            .await;
        purchase_id(&app, &session).await
    };
    rent().await;
    sqlx::query(
        "UPDATE access SET expires_at = now() - interval '1 second' WHERE reason = 'rented'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // Rented again a day later.
    sqlx::query("UPDATE purchases SET completed_at = completed_at - interval '1 day'")
        .execute(&app.pool)
        .await
        .unwrap();
    let second = rent().await;
    assert!(may_watch(&customer, "paid-film").await);
    let refunded = owner
        .call(
            fns::RefundPurchase::PATH,
            &[("purchase_id", &second), ("reason", "Could not watch")],
        )
        .await;
    assert_eq!(refunded.status(), StatusCode::OK);
    assert!(!may_watch(&customer, "paid-film").await);
    assert_eq!(
        app.count("SELECT count(*) FROM live_access WHERE reason = 'rented'")
            .await,
        0
    );
}
