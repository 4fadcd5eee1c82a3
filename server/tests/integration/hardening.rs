//! What a client on the internet can make the server do is bounded: password work, body
//! reads, slow headers, metric labels, hosts, and the first-run and token rules.

use crate::common::fns::{self, ServerFn as _};
use std::time::Duration;

use crate::common::{error_of, spawn_app, spawn_app_with, TestApp, PASSWORD};
use reqwest::header::{HeaderMap, HeaderValue, HOST, ORIGIN, RANGE};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NEW_PASSWORD: &str = "Changed789x";

fn reset_form(token: &str) -> [(&'static str, &str); 3] {
    [
        ("token", token),
        ("password", NEW_PASSWORD),
        ("confirm_password", NEW_PASSWORD),
    ]
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn made_up_reset_tokens_are_refused_then_limited(pool: PgPool) {
    let app = spawn_app(pool).await;
    let attacker = app.browser();
    let bogus = format!("{}.{}", uuid::Uuid::new_v4().simple(), "A".repeat(43));
    for attempt in 1..=10 {
        let (status, error) = error_of(
            attacker
                .call(fns::ResetPassword::PATH, &reset_form(&bogus))
                .await,
        )
        .await;
        assert_eq!(
            (status, error),
            (StatusCode::BAD_REQUEST, json!("InvalidToken")),
            "attempt {attempt}"
        );
    }
    let response = attacker
        .call(fns::ResetPassword::PATH, &reset_form(&bogus))
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn password_checks_are_limited_per_account_across_addresses(pool: PgPool) {
    let app = spawn_app(pool).await;
    let first = app.browser();
    first.register("Ada", "ada@example.com").await;
    let wrong = [
        ("current_password", "Wrong1234"),
        ("password", NEW_PASSWORD),
        ("confirm_password", NEW_PASSWORD),
    ];
    // Five guesses from one address...
    for _ in 0..5 {
        let response = first.call(fns::ChangePassword::PATH, &wrong).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    // ...and the same account from a new address is limited too.
    let second = app.browser();
    second.login("ada@example.com", PASSWORD).await;
    assert_eq!(second.whoami().await.as_deref(), Some("ada@example.com"));
    let response = second.call(fns::ChangePassword::PATH, &wrong).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another account from that address is not.
    let other = app.browser();
    other.register("Bob", "bob@example.com").await;
    let response = other.call(fns::ChangePassword::PATH, &wrong).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn reset_links_die_when_the_password_or_email_changes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ada = app.browser();
    ada.register("Ada", "ada@example.com").await;

    app.browser()
        .call(fns::ForgotPassword::PATH, &[("email", "ada@example.com")])
        .await;
    let token = app
        .token_from_email("ada@example.com", "password_reset")
        .await;
    let response = ada
        .call(
            fns::ChangePassword::PATH,
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, error) = error_of(
        app.browser()
            .call(fns::ResetPassword::PATH, &reset_form(&token))
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::BAD_REQUEST, json!("InvalidToken"))
    );

    app.browser()
        .call(fns::ForgotPassword::PATH, &[("email", "ada@example.com")])
        .await;
    let token = app
        .token_from_email("ada@example.com", "password_reset")
        .await;
    let response = ada
        .call(
            fns::ChangeEmail::PATH,
            &[
                ("email", "ada@new.example"),
                ("current_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _) = error_of(
        app.browser()
            .call(fns::ResetPassword::PATH, &reset_form(&token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The old address is told, and the new one gets the verification link.
    let (subject, body) = app
        .last_email("ada@example.com", "email_changed")
        .await
        .expect("the old address is told of the change");
    assert!(subject.contains("email address was changed"), "{subject}");
    assert!(body.contains("ada@new.example"), "{body}");
    assert!(app
        .last_email("ada@new.example", "verify_email")
        .await
        .is_some());
}

/// A request whose body starts but never ends.
fn endless_body() -> reqwest::Body {
    let first = futures::stream::once(async {
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![0u8; 1024]))
    });
    reqwest::Body::wrap_stream(futures::StreamExt::chain(first, futures::stream::pending()))
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn upload_parts_are_refused_before_their_body_is_read(pool: PgPool) {
    let app = spawn_app(pool).await;
    let path = format!("/media/uploads/{}/parts/0", uuid::Uuid::new_v4());
    let response = tokio::time::timeout(
        Duration::from_secs(20),
        reqwest::Client::new()
            .put(app.url(&path))
            .header("content-length", (8 * 1024 * 1024).to_string())
            .body(endless_body())
            .send(),
    )
    .await
    .expect("answered without waiting for the body")
    .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn raw_exchange(app: &TestApp, request: &[u8], wait: Duration) -> String {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_client_that_never_finishes_its_headers_is_cut_off(pool: PgPool) {
    let app = spawn_app_with(pool, &[("HEADER_READ_TIMEOUT_SECS", "1")]).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // Without the header timeout this read would wait for ever (here: fail after 20 s).
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection by itself");
    // Meanwhile, and after, the server answers others.
    let health = reqwest::get(app.url("/health")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn made_up_methods_and_paths_add_no_metric_series(pool: PgPool) {
    let app = spawn_app(pool).await;
    for n in 0..20 {
        let request = format!(
            "XMETHOD{n} /made/up/{n} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            app.addr
        );
        raw_exchange(&app, request.as_bytes(), Duration::from_secs(10)).await;
        app.browser().call(&format!("/api/made_up_{n}"), &[]).await;
    }
    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("XMETHOD"), "{text}");
    assert!(!text.contains("/made/up"), "{text}");
    assert!(!text.contains("made_up_"), "{text}");
    assert!(text.contains(r#"method="OTHER""#), "{text}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn metrics_need_the_token_when_one_is_set(pool: PgPool) {
    let token = "metrics-token-0123456789";
    let app = spawn_app_with(pool, &[("METRICS_TOKEN", token)]).await;
    let client = reqwest::Client::new();
    let refused = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let wrong = client
        .get(app.url("/metrics"))
        .bearer_auth("metrics-token-wrong-000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let allowed = client
        .get(app.url("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(allowed
        .text()
        .await
        .unwrap()
        .contains("codex_http_requests_total"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn signed_in_pages_are_not_stored_and_features_are_off(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ada = app.browser();
    ada.register("Ada", "ada@example.com").await;
    let page = ada.get("/account").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "private, no-store");
    let policy = page.headers()["permissions-policy"].to_str().unwrap();
    assert!(
        policy.contains("camera=()") && policy.contains("geolocation=()"),
        "{policy}"
    );

    let visitor = app.browser().get("/login").await;
    assert!(visitor.headers().contains_key("permissions-policy"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn unknown_hosts_and_other_origins_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let client = reqwest::Client::new();
    let get_for_host =
        |path: &str, host: &'static str| client.get(app.url(path)).header(HOST, host).send();
    let misdirected = get_for_host("/login", "evil.example").await.unwrap();
    assert_eq!(misdirected.status(), StatusCode::MISDIRECTED_REQUEST);
    // A proxy that passes the host name without its port (nginx's $host) is fine.
    let proxied = get_for_host("/login", "127.0.0.1").await.unwrap();
    assert_eq!(proxied.status(), StatusCode::OK);
    // Probes answer whatever the host.
    let probe = get_for_host("/health", "10.0.0.7:3000").await.unwrap();
    assert_eq!(probe.status(), StatusCode::OK);

    // An Origin that merely matches the Host header is not the public URL's.
    let mut headers = HeaderMap::new();
    headers.insert(ORIGIN, HeaderValue::from_static("http://localhost:1"));
    headers.insert(HOST, HeaderValue::from_static("localhost:1"));
    let response = app
        .browser()
        .call_with(
            fns::Login::PATH,
            &[("email", "a@example.com"), ("password", PASSWORD)],
            headers,
        )
        .await;
    assert!(
        matches!(
            response.status(),
            StatusCode::FORBIDDEN | StatusCode::MISDIRECTED_REQUEST
        ),
        "{}",
        response.status()
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn segments_stream_with_ranges_and_private_pictures_stay_private(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let (content, media) = app.publish_ready_item(&owner, "Talk", &[]).await;
    let customer = app.verified_customer("ada@example.com").await;
    customer
        .call(fns::GetFreeAccess::PATH, &[("content_id", &content)])
        .await;
    let info: serde_json::Value = customer
        .call(fns::LoadWatch::PATH, &[("slug", "talk")])
        .await
        .json()
        .await
        .unwrap();
    let token = info["master_url"]
        .as_str()
        .unwrap()
        .split("?t=")
        .nth(1)
        .unwrap()
        .to_string();
    let segment = app.url(&format!(
        "/media/{media}/hls/360p/segment_0000.ts?t={token}"
    ));
    let client = reqwest::Client::new();
    let whole = client.get(&segment).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.text().await.unwrap(), "SEGMENT-BYTES");
    let part = client
        .get(&segment)
        .header(RANGE, "bytes=0-6")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 0-6/13");
    assert_eq!(part.text().await.unwrap(), "SEGMENT");
    let beyond = client
        .get(&segment)
        .header(RANGE, "bytes=100-")
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // A media thumbnail of an item that is not public is never cached as public.
    let storage = backend::storage::MediaStorage::local(app.media_dir.path()).unwrap();
    let media_id: uuid::Uuid = media.parse().unwrap();
    storage
        .put_bytes(
            &backend::storage::keys::thumbnail(media_id),
            bytes::Bytes::from_static(b"\xff\xd8\xffJPEG"),
        )
        .await
        .unwrap();
    let public = customer.get(&format!("/media/{media}/thumbnail.jpg")).await;
    assert_eq!(public.headers()["cache-control"], "public, max-age=3600");
    sqlx::query("UPDATE content SET status = 'draft'")
        .execute(&app.pool)
        .await
        .unwrap();
    let private = customer.get(&format!("/media/{media}/thumbnail.jpg")).await;
    assert_eq!(private.status(), StatusCode::OK);
    assert_eq!(private.headers()["cache-control"], "private, max-age=3600");
}

fn production_vars(secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("APP_ENV", "production".into()),
        ("DATABASE_URL", "postgres://unused.invalid/codex".into()),
        ("PUBLIC_URL", "https://videos.example.com".into()),
        ("SESSION_SECRET", secret.into()),
        ("SMTP_URL", "smtp://127.0.0.1:1".into()),
        ("STRIPE_SECRET_KEY", "sk_test_setup_check".into()),
        ("STRIPE_ALLOW_TEST_KEYS", "true".into()),
        ("STRIPE_WEBHOOK_SECRET", "whsec_setup_check".into()),
    ]
}

async fn production_app(pool: PgPool, extra: &[(&'static str, &str)]) -> TestApp {
    let secret = "p".repeat(64);
    let mut vars = production_vars(&secret);
    vars.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(pool, &borrowed).await
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn production_setup_needs_the_setup_token(pool: PgPool) {
    let token = "one-time-setup-token-42";
    let app = production_app(pool, &[("SETUP_TOKEN", token)]).await;
    let visitor = app.browser();
    let fields = |token: &'static str| {
        vec![
            ("setup_token", token),
            ("name", "Olivia Owner"),
            ("email", "owner@example.com"),
            ("password", PASSWORD),
            ("confirm_password", PASSWORD),
        ]
    };
    let (status, error) = error_of(
        visitor
            .call(fns::SetupOwner::PATH, &fields("guess-guess-guess"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(app.count("SELECT count(*) FROM users").await, 0);
    let response = visitor.call(fns::SetupOwner::PATH, &fields(token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE role = 'owner'")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn production_without_a_setup_token_has_no_web_setup(pool: PgPool) {
    let app = production_app(pool, &[]).await;
    let (status, _) = error_of(app.browser().setup_owner("owner@example.com").await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 0);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn avatars_wider_than_the_limit_are_refused_before_decoding(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ada = app.browser();
    ada.register("Ada", "ada@example.com").await;
    // A small file (a strip of one colour compresses to almost nothing) that is wider
    // than any picture the server decodes.
    let png = crate::common::png(5000, 1);
    let response = ada.post_file("/account/avatar", "avatar", &png).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/account?avatar=too-many-pixels"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_slow_statement_is_cut_off_on_the_serving_pool(pool: PgPool) {
    let options = pool.connect_options();
    let url = format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("postgres")
    );
    let serving = server::database::connect_for_serving(&url, 1, Duration::from_millis(500))
        .await
        .unwrap();
    let slow = sqlx::query("SELECT pg_sleep(5)").execute(&serving).await;
    let error = slow.expect_err("cancelled by statement_timeout");
    assert!(error.to_string().contains("statement timeout"), "{error}");
    sqlx::query("SELECT 1").execute(&serving).await.unwrap();
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn one_time_links_are_not_readable_from_the_database_or_the_outbox_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    app.browser().register("Ada", "ada@example.com").await;
    app.browser()
        .call(fns::ForgotPassword::PATH, &[("email", "ada@example.com")])
        .await;

    // The person gets working links...
    let verify = app
        .token_from_email("ada@example.com", "verify_email")
        .await;
    let reset = app
        .token_from_email("ada@example.com", "password_reset")
        .await;
    // ...which no row of the outbox holds, sent or not.
    for token in [&verify, &reset] {
        let secret = token.split('.').nth(1).unwrap();
        let holding: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM email_outbox WHERE body_text LIKE '%' || $1 || '%' OR body_html LIKE '%' || $1 || '%'",
        )
        .bind(secret)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(holding, 0, "a stored body holds a link's secret");
    }
    let listed = owner
        .call(fns::ListOutbox::PATH, &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&verify) && !listed.contains(&reset));
    let emails: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let reset_row = emails
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "password_reset")
        .unwrap();
    assert_eq!(reset_row["one_time_link"], true);
    assert!(reset_row["body_text"]
        .as_str()
        .unwrap()
        .contains(domain::email::TOKEN_SLOT));
    assert_eq!(reset_row["status"], "sent");

    // A one-time link is never sent twice: the person asks for a new one.
    let id = reset_row["id"].as_str().unwrap();
    let (status, _) = error_of(owner.call(fns::ResendEmail::PATH, &[("id", id)]).await).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let response = app
        .browser()
        .call(fns::ResetPassword::PATH, &reset_form(&reset))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn forgotten_password_answers_alike_for_known_and_unknown_addresses(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.browser().register("Ada", "ada@example.com").await;
    let mut answers = Vec::new();
    for email in ["ada@example.com", "nobody@example.com"] {
        let started = std::time::Instant::now();
        let response = app
            .browser()
            .call(fns::ForgotPassword::PATH, &[("email", email)])
            .await;
        let elapsed = started.elapsed();
        let status = response.status();
        let location = response.headers().get("location").cloned();
        answers.push((status, location, response.text().await.unwrap()));
        // Both wait out the same floor, so the lookup and the email do not show in the time.
        assert!(
            elapsed >= Duration::from_millis(500),
            "{email}: {elapsed:?}"
        );
    }
    assert_eq!(answers[0], answers[1]);
    assert!(app
        .read_mail("ada@example.com", "password_reset")
        .await
        .is_some());
    assert!(app
        .read_mail("nobody@example.com", "password_reset")
        .await
        .is_none());
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_security_log_records_failed_logins_refusals_and_owner_actions(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let customer = app.verified_customer("ada@example.com").await;

    let intruder = app.browser();
    intruder.login("ada@example.com", "Wrong1234").await;
    assert_eq!(customer.get("/admin").await.status(), StatusCode::FORBIDDEN);
    let (content, _) = app.publish_ready_item(&owner, "Talk", &[]).await;
    owner
        .call(fns::UnpublishContent::PATH, &[("id", &content)])
        .await;
    // A customer's own change is not an owner action.
    let renamed = customer
        .call(fns::UpdateName::PATH, &[("name", "Ada L.")])
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);

    let response = owner.call(fns::ListSecurityLog::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let events: serde_json::Value = response.json().await.unwrap();
    let events = events.as_array().unwrap();
    let find = |kind: &str, action: &str| {
        events
            .iter()
            .find(|e| e["kind"] == kind && e["action"] == action)
            .unwrap_or_else(|| panic!("no {kind} {action} in {events:#?}"))
            .clone()
    };
    let failed = find("login_failed", fns::Login::PATH);
    assert_eq!(failed["actor"], serde_json::Value::Null);
    assert_eq!(failed["ip"], intruder.ip.as_str());
    assert_eq!(failed["detail"], "email=ada@example.com");
    let refused = find("access_refused", "/admin");
    assert_eq!(refused["actor"], "ada@example.com");
    assert_eq!(refused["status"], 403);
    let action = find("owner_action", fns::UnpublishContent::PATH);
    assert_eq!(action["actor"], "owner@example.com");
    assert_eq!(action["detail"], format!("id={content}"));
    find("owner_action", fns::SaveContent::PATH);
    assert!(
        !events
            .iter()
            .any(|e| e["kind"] == "owner_action" && e["actor"] == "ada@example.com"),
        "{events:#?}"
    );
    let everything = serde_json::to_string(events).unwrap();
    assert!(!everything.contains("Wrong1234") && !everything.contains(PASSWORD));

    // The log is the owner's alone; asking for it is itself a refusal on record.
    assert_eq!(
        customer
            .call(fns::ListSecurityLog::PATH, &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.count("SELECT count(*) FROM security_events WHERE action = '/api/security_log' AND kind = 'access_refused'")
            .await,
        1
    );
}

/// A body sent in two halves, `pause` apart.
fn trickled(body: Vec<u8>, pause: Duration) -> reqwest::Body {
    let half = body.len() / 2;
    let (first, second) = (body[..half].to_vec(), body[half..].to_vec());
    let stream = futures::stream::unfold(0, move |step| {
        let (first, second) = (first.clone(), second.clone());
        async move {
            match step {
                0 => Some((Ok::<_, std::io::Error>(bytes::Bytes::from(first)), 1)),
                1 => {
                    tokio::time::sleep(pause).await;
                    Some((Ok(bytes::Bytes::from(second)), 2))
                }
                _ => None,
            }
        }
    });
    reqwest::Body::wrap_stream(stream)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_request_slower_than_the_timeout_is_answered_408(pool: PgPool) {
    let app = spawn_app_with(pool, &[("REQUEST_TIMEOUT_SECS", "1")]).await;
    let form = b"email=ada%40example.com&password=Secret123".to_vec();
    let response = reqwest::Client::new()
        .post(app.url(fns::Login::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", form.len().to_string())
        .body(trickled(form, Duration::from_secs(4)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn uploads_may_take_longer_than_the_request_timeout(pool: PgPool) {
    // The owner, the upload and the item are set up through an app with the usual timeout
    // (a debug build's password hash alone can take a second on a busy machine); the slow
    // bodies go to one on the same database whose requests may take 1 s.
    let setup = spawn_app(pool.clone()).await;
    let owner = setup.owner().await;
    let (content, _) = setup.publish_ready_item(&owner, "Course", &[]).await;
    let app = spawn_app_with(pool, &[("REQUEST_TIMEOUT_SECS", "1")]).await;
    let ticket: serde_json::Value = owner
        .call(
            fns::StartUpload::PATH,
            &[
                ("filename", "clip.mp4"),
                ("size_bytes", "1000"),
                ("content_type", "video/mp4"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let media = ticket["media_id"].as_str().unwrap();
    let response = reqwest::Client::new()
        .put(app.url(&format!("/media/uploads/{media}/parts/0")))
        .header(
            reqwest::header::COOKIE,
            format!(
                "{}={}",
                server::router::SESSION_COOKIE,
                owner.cookie().unwrap()
            ),
        )
        .header("content-length", "1000")
        .body(trickled(vec![7u8; 1000], Duration::from_millis(2500)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // So may an item's file for buyers, posted through the editor's plain form.
    let boundary = "trickle-boundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.pdf\"\r\n\r\n%PDF-1.7\n"
    )
    .into_bytes();
    form.extend(vec![b'x'; 1000]);
    form.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(&format!("/admin/content/{content}/downloads")))
        .header(
            reqwest::header::COOKIE,
            format!(
                "{}={}",
                server::router::SESSION_COOKIE,
                owner.cookie().unwrap()
            ),
        )
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(trickled(form, Duration::from_millis(2500)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .contains("download=saved"));
}

/// 600 upload PUTs that trickle a small form body, with no session: none of them holds a
/// request slot while it trickles (the audit never reads an upload's body, the handler
/// refuses before reading it), so the catalog keeps answering.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn trickling_upload_bodies_without_a_session_take_no_slots(pool: PgPool) {
    let app = spawn_app(pool).await;
    let client = reqwest::Client::new();
    let media = uuid::Uuid::new_v4();
    let trickles: Vec<_> = (0..600)
        .map(|n| {
            let request = client
                .put(app.url(&format!("/media/uploads/{media}/parts/{n}")))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", "64")
                .body(trickled(vec![b'a'; 64], Duration::from_secs(60)));
            tokio::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect();
    // Each body takes 60 s to arrive: an answer within 55 s of the start (whatever else
    // the machine is doing) was given without waiting for it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(55);
    // Once the burst is refused (how soon depends on how busy the machine is, never on the
    // bodies, which take 60 s), the catalog answers while every body is still trickling.
    let refused_by = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let catalog = client.get(app.url("/")).send().await.unwrap();
        if catalog.status() == StatusCode::OK {
            break;
        }
        assert!(
            tokio::time::Instant::now() < refused_by,
            "the trickling bodies still hold the server's slots: {}",
            catalog.status()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for _ in 0..5 {
        let catalog = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(catalog.status(), StatusCode::OK);
    }
    for trickle in trickles {
        let answered = tokio::time::timeout_at(deadline, trickle)
            .await
            .expect("refused without waiting for the body");
        if let Ok(Ok(status)) = answered {
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
}

/// A form trickled to a server function is read for the security log for 5 s at most: the
/// request goes on with an empty body well before the rest arrives (25 s later, under the
/// 30 s idle cut and the 60 s request timeout).
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_audit_stops_waiting_for_a_trickled_form(pool: PgPool) {
    let app = spawn_app(pool).await;
    let form = b"email=ada%40example.com&password=Secret123".to_vec();
    let started = std::time::Instant::now();
    let response = reqwest::Client::new()
        .post(app.url(fns::Login::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", form.len().to_string())
        .body(trickled(form, Duration::from_secs(25)))
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited for the whole body: {:?}",
        started.elapsed()
    );
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

/// The same refusal again and again is one entry of the security log, with its count.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn repeated_refusals_are_one_security_log_entry(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.owner().await;
    let customer = app.verified_customer("mallory@example.com").await;
    for _ in 0..5 {
        let refused = customer.call(fns::ListCustomers::PATH, &[]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
    let refusals = "SELECT count(*) FROM security_events
                    WHERE kind = 'access_refused' AND action = '/api/list_customers'";
    assert_eq!(app.count(refusals).await, 1);
    assert_eq!(
        app.count("SELECT COALESCE(sum(repeats), 0)::bigint FROM security_events WHERE action = '/api/list_customers'")
            .await,
        5
    );
    let log: serde_json::Value = owner.call_json(fns::ListSecurityLog::PATH, &[]).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == fns::ListCustomers::PATH)
        .expect("the refusal is listed");
    assert_eq!(entry["repeats"], 5);
}
