//! The account flows over real HTTP against the real router and a fresh database.

use crate::common::fns::{self, ServerFn as _};
use crate::common::{error_of, spawn_app, Browser, PASSWORD};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn first_visitor_sets_up_the_owner_and_setup_is_gone_afterwards(pool: PgPool) {
    let app = spawn_app(pool).await;
    let visitor = app.browser();
    assert_eq!(visitor.get("/setup").await.status(), StatusCode::OK);

    let response = visitor.setup_owner("owner@example.com").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[LOCATION], "/admin");
    assert_eq!(visitor.whoami().await.as_deref(), Some("owner@example.com"));
    assert_eq!(visitor.get("/admin").await.status(), StatusCode::OK);

    // Afterwards /setup redirects and a second owner cannot be created.
    let other = app.browser();
    let page = other.get("/setup").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[LOCATION], "/login");
    let (status, error) = error_of(other.setup_owner("second@example.com").await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, json!({ "Conflict": "Setup is already complete." }));
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE role = 'owner'")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn registration_creates_a_signed_in_unverified_customer_and_ignores_a_role_field(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let response = browser
        .call(
            fns::Register::PATH,
            &[
                ("name", "Ada"),
                ("email", "Ada@Example.com"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[LOCATION], "/library");
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));

    let (role, hash, verified): (String, String, bool) =
        sqlx::query_as("SELECT role, password_hash, email_verified_at IS NOT NULL FROM users WHERE email = 'ada@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(role, "customer");
    assert!(hash.starts_with("$argon2id$"));
    assert!(!verified);
    assert!(app
        .last_email("ada@example.com", "verify_email")
        .await
        .is_some());
    assert!(app.last_email("ada@example.com", "welcome").await.is_some());

    // The same email cannot register twice, whatever its case; the answer does not say
    // so (it is the answer of a new account), the address's owner is told instead, and
    // nobody is signed in.
    let again = app.browser();
    let response = again.register("Ada 2", "ADA@example.com").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[LOCATION], "/library");
    assert_eq!(again.whoami().await, None);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 1);
    let notice = app.read_mail("ada@example.com", "account_exists").await;
    assert!(notice.is_some_and(|mail| mail.contains("already has one")));
    app.browser().register("Ada 3", "ada@example.com").await;
    assert_eq!(
        app.count("SELECT count(*) FROM email_outbox WHERE kind = 'account_exists'")
            .await,
        1,
        "one notice an hour"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn email_verification_link_works_once_and_not_after_24_hours(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    browser.register("Ada", "ada@example.com").await;
    let token = app
        .token_from_email("ada@example.com", "verify_email")
        .await;

    let anonymous = app.browser();
    assert_eq!(
        anonymous
            .call(fns::VerifyEmail::PATH, &[("token", &token)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email_verified_at IS NOT NULL")
            .await,
        1
    );
    let (status, error) = error_of(
        anonymous
            .call(fns::VerifyEmail::PATH, &[("token", &token)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error, json!("InvalidToken"));

    // A new token that has expired is refused.
    sqlx::query("UPDATE users SET email_verified_at = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        browser
            .call(fns::ResendVerification::PATH, &[])
            .await
            .status(),
        StatusCode::OK
    );
    let token = app
        .token_from_email("ada@example.com", "verify_email")
        .await;
    sqlx::query(
        "UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, _) = error_of(
        anonymous
            .call(fns::VerifyEmail::PATH, &[("token", &token)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email_verified_at IS NOT NULL")
            .await,
        0
    );

    // A token from the wrong family, or garbage, is refused the same way.
    for bad in ["", "nonsense", "'; DROP TABLE users; --"] {
        let (status, error) = error_of(
            anonymous
                .call(fns::VerifyEmail::PATH, &[("token", bad)])
                .await,
        )
        .await;
        assert_eq!(
            (status, error),
            (StatusCode::BAD_REQUEST, json!("InvalidToken"))
        );
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_verification_page_verifies_when_opened(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.browser().register("Ada", "ada@example.com").await;
    let token = app
        .token_from_email("ada@example.com", "verify_email")
        .await;
    let page = app
        .browser()
        .get(&format!("/verify-email?token={token}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Your email address is verified"), "{html}");
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email_verified_at IS NOT NULL")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn login_has_one_generic_error_and_lands_by_role(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.browser().setup_owner("owner@example.com").await;
    app.browser().register("Ada", "ada@example.com").await;

    let browser = app.browser();
    let (status, wrong_password) =
        error_of(browser.login("ada@example.com", "Wrong1234").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, unknown_email) = error_of(browser.login("nobody@example.com", PASSWORD).await).await;
    assert_eq!(wrong_password, json!("InvalidCredentials"));
    assert_eq!(unknown_email, wrong_password);

    let response = browser.login("ada@example.com", PASSWORD).await;
    assert_eq!(response.headers()[LOCATION], "/library");
    let response = app.browser().login("OWNER@example.com", PASSWORD).await;
    assert_eq!(response.headers()[LOCATION], "/admin");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn login_honours_only_local_redirects(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.browser().register("Ada", "ada@example.com").await;
    let login = |redirect: &'static str| {
        let browser = app.browser();
        async move {
            let response = browser
                .call(
                    fns::Login::PATH,
                    &[
                        ("email", "ada@example.com"),
                        ("password", PASSWORD),
                        ("redirect", redirect),
                    ],
                )
                .await;
            response.headers()[LOCATION].to_str().unwrap().to_string()
        }
    };
    assert_eq!(login("/account?tab=1").await, "/account?tab=1");
    assert_eq!(login("https://evil.example/").await, "/library");
    assert_eq!(login("//evil.example").await, "/library");
}

fn session_cookie_header(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("codex_session=") || v.starts_with("__Host-codex_session="))
        .expect("a session cookie")
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn session_cookie_attributes_and_remember_me(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.browser().register("Ada", "ada@example.com").await;

    let plain = app.browser().login("ada@example.com", PASSWORD).await;
    let cookie = session_cookie_header(&plain);
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    let max_age = |c: &str| -> i64 {
        c.split(';')
            .find_map(|p| p.trim().strip_prefix("Max-Age="))
            .expect("Max-Age")
            .parse()
            .unwrap()
    };
    let day = 24 * 3600;
    assert!((day - 60..=day).contains(&max_age(&cookie)), "{cookie}");

    let remembered = app
        .browser()
        .call(
            fns::Login::PATH,
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("remember", "on"),
            ],
        )
        .await;
    let cookie = session_cookie_header(&remembered);
    assert!(
        (30 * day - 60..=30 * day).contains(&max_age(&cookie)),
        "{cookie}"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn production_cookies_are_secure(pool: PgPool) {
    let secret = "p".repeat(64);
    let app = crate::common::spawn_app_with(
        pool,
        &[
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://unused.invalid/codex"),
            ("PUBLIC_URL", "https://videos.example.com"),
            ("SESSION_SECRET", &secret),
            ("SMTP_URL", "smtp://127.0.0.1:1"),
            ("STRIPE_SECRET_KEY", "sk_test_cookie_check"),
            ("STRIPE_ALLOW_TEST_KEYS", "true"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_cookie_check"),
        ],
    )
    .await;
    let browser = app.browser();
    browser.register("Ada", "ada@example.com").await;
    let cookie = session_cookie_header(&browser.login("ada@example.com", PASSWORD).await);
    assert!(cookie.contains("Secure"), "{cookie}");
    // The __Host- prefix: browsers keep it only secure, host-only and for the whole site.
    assert!(cookie.starts_with("__Host-codex_session="), "{cookie}");
    assert!(
        cookie.contains("Path=/") && !cookie.contains("Domain"),
        "{cookie}"
    );
    let page = browser.get("/").await;
    assert!(page.headers().contains_key("strict-transport-security"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn session_id_rotates_at_login_and_the_old_one_is_dead(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    browser.register("Ada", "ada@example.com").await;
    let before = browser.cookie().expect("signed in after registration");

    browser.login("ada@example.com", PASSWORD).await;
    let after = browser.cookie().unwrap();
    assert_ne!(before, after);

    let replay = app.browser();
    replay.set_cookie(Some(before));
    assert_eq!(replay.whoami().await, None);
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn logout_ends_the_session_on_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    browser.register("Ada", "ada@example.com").await;
    let cookie = browser.cookie().unwrap();

    let response = browser.call(fns::Logout::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[LOCATION], "/");

    let replay = app.browser();
    replay.set_cookie(Some(cookie));
    assert_eq!(replay.whoami().await, None);
    assert_eq!(replay.get("/library").await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn forgot_password_answers_the_same_and_reset_ends_every_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let first = app.browser();
    first.register("Ada", "ada@example.com").await;
    let second = app.browser();
    second.login("ada@example.com", PASSWORD).await;
    let mut stale = Vec::new();
    for _ in 0..3 {
        let browser = app.browser();
        browser.login("ada@example.com", PASSWORD).await;
        stale.push(browser);
    }

    let anonymous = app.browser();
    let known = anonymous
        .call(fns::ForgotPassword::PATH, &[("email", "ada@example.com")])
        .await;
    let unknown = anonymous
        .call(
            fns::ForgotPassword::PATH,
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.headers()[LOCATION], unknown.headers()[LOCATION]);
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(
        app.count("SELECT count(*) FROM email_outbox WHERE kind = 'password_reset'")
            .await,
        1
    );

    let token = app
        .token_from_email("ada@example.com", "password_reset")
        .await;
    let new_password = "NewSecret456";
    let response = anonymous
        .call(
            fns::ResetPassword::PATH,
            &[
                ("token", &token),
                ("password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[LOCATION], "/login?reset=1");

    assert_eq!(first.whoami().await, None, "the reset ends every session");
    assert_eq!(second.whoami().await, None);
    // A page opened with a session the reset ended renders as a visitor's, even while the
    // session is being dropped as the page streams.
    for (browser, path) in stale.iter().zip(["/login?reset=1", "/", "/login"]) {
        let page = browser.get(path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(page.text().await.unwrap().contains("Log in"), "{path}");
    }
    assert!(app
        .last_email("ada@example.com", "password_changed")
        .await
        .is_some());

    // The token is single use, and the old password no longer works.
    let (status, error) = error_of(
        anonymous
            .call(
                fns::ResetPassword::PATH,
                &[
                    ("token", &token),
                    ("password", "Other7890x"),
                    ("confirm_password", "Other7890x"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::BAD_REQUEST, json!("InvalidToken"))
    );
    assert_eq!(
        app.browser()
            .login("ada@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser()
            .login("ada@example.com", new_password)
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_expired_reset_link_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.browser().register("Ada", "ada@example.com").await;
    let browser = app.browser();
    browser
        .call(fns::ForgotPassword::PATH, &[("email", "ada@example.com")])
        .await;
    let token = app
        .token_from_email("ada@example.com", "password_reset")
        .await;
    sqlx::query("UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, _) = error_of(
        browser
            .call(
                fns::ResetPassword::PATH,
                &[
                    ("token", &token),
                    ("password", "NewSecret456"),
                    ("confirm_password", "NewSecret456"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.browser()
            .login("ada@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(pool: PgPool) {
    let app = spawn_app(pool).await;
    let this = app.browser();
    this.register("Ada", "ada@example.com").await;
    let other = app.browser();
    other.login("ada@example.com", PASSWORD).await;

    let new_password = "Changed789x";
    let (status, _) = error_of(
        this.call(
            fns::ChangePassword::PATH,
            &[
                ("current_password", "Wrong1234"),
                ("password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let response = this
        .call(
            fns::ChangePassword::PATH,
            &[
                ("current_password", PASSWORD),
                ("password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        this.whoami().await.as_deref(),
        Some("ada@example.com"),
        "this session stays"
    );
    assert_eq!(other.whoami().await, None, "other sessions end");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn changing_the_email_requires_verifying_the_new_address(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    browser.register("Ada", "ada@example.com").await;
    let old_token = app
        .token_from_email("ada@example.com", "verify_email")
        .await;

    let response = browser
        .call(
            fns::ChangeEmail::PATH,
            &[("email", "ada@new.example"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@new.example"));

    // The link sent to the old address no longer verifies anything.
    let (status, _) = error_of(
        app.browser()
            .call(fns::VerifyEmail::PATH, &[("token", &old_token)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let token = app
        .token_from_email("ada@new.example", "verify_email")
        .await;
    assert_eq!(
        app.browser()
            .call(fns::VerifyEmail::PATH, &[("token", &token)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email_verified_at IS NOT NULL")
            .await,
        1
    );

    assert_eq!(
        browser
            .call(fns::UpdateName::PATH, &[("name", "Ada L.")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE name = 'Ada L.'")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn guards_send_visitors_to_login_and_refuse_customers_the_admin(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.browser().setup_owner("owner@example.com").await;

    let visitor = app.browser();
    for path in ["/library", "/account", "/admin", "/admin/emails"] {
        let response = visitor.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(
            response.headers()[LOCATION],
            format!("/login?redirect={encoded}").as_str()
        );
    }
    let (status, _) = error_of(visitor.call(fns::ListOutbox::PATH, &[]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let customer = app.browser();
    customer.register("Ada", "ada@example.com").await;
    assert_eq!(customer.get("/library").await.status(), StatusCode::OK);
    assert_eq!(customer.get("/account").await.status(), StatusCode::OK);
    for path in ["/admin", "/admin/emails"] {
        assert_eq!(
            customer.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let (status, error) = error_of(customer.call(fns::ListOutbox::PATH, &[]).await).await;
    assert_eq!((status, error), (StatusCode::FORBIDDEN, json!("Forbidden")));

    let owner = app.browser();
    owner.login("owner@example.com", PASSWORD).await;
    assert_eq!(owner.get("/admin/emails").await.status(), StatusCode::OK);
    let outbox: serde_json::Value = owner
        .call(fns::ListOutbox::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(outbox
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["to_address"] == "ada@example.com"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn bad_input_gets_a_clear_message_and_never_a_500(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let long = "x".repeat(10 * 1024);
    let long_email = format!("{long}@example.com");
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            fns::Register::PATH,
            vec![
                ("name", ""),
                ("email", ""),
                ("password", ""),
                ("confirm_password", ""),
            ],
        ),
        (
            fns::Register::PATH,
            vec![
                ("name", &long),
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        ),
        (
            fns::Register::PATH,
            vec![
                ("name", "Ada"),
                ("email", &long_email),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        ),
        (
            fns::Register::PATH,
            vec![
                ("name", "Ada"),
                ("email", "not-an-email"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        ),
        (
            fns::Register::PATH,
            vec![
                ("name", "Ada"),
                ("email", "a@example.com"),
                ("password", "short"),
                ("confirm_password", "short"),
            ],
        ),
        (
            fns::Register::PATH,
            vec![
                ("name", "Ada"),
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("confirm_password", "Other1234"),
            ],
        ),
        (
            fns::Register::PATH,
            vec![
                ("name", "Ada"),
                ("email", "'; DROP TABLE users; --@x.com"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        ),
        (
            fns::Register::PATH,
            vec![
                ("name", "Ada"),
                ("email", "a@example.com"),
                ("password", &long),
                ("confirm_password", &long),
            ],
        ),
        (fns::Register::PATH, vec![("name", "Ada")]),
        (fns::Login::PATH, vec![("email", ""), ("password", "")]),
        (
            fns::Login::PATH,
            vec![("email", "<script>alert(1)</script>"), ("password", "x")],
        ),
        (
            fns::Login::PATH,
            vec![("email", "a@example.com"), ("password", &long)],
        ),
        (fns::ForgotPassword::PATH, vec![("email", "")]),
        (fns::ForgotPassword::PATH, vec![("email", &long)]),
        (
            fns::ResetPassword::PATH,
            vec![
                ("token", &long),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        ),
        (
            fns::SetupOwner::PATH,
            vec![
                ("name", "<b>x</b>"),
                ("email", "bad"),
                ("password", ""),
                ("confirm_password", ""),
            ],
        ),
    ];
    for (function, form) in cases {
        let response = browser.call(function, &form).await;
        let status = response.status();
        let (_, error) = error_of(response).await;
        assert!(
            status.is_client_error(),
            "{function} {form:?} gave {status}: {error}"
        );
        assert!(error.is_object() || error.is_string(), "{error}");
        let text = error.to_string();
        assert!(
            !text.to_lowercase().contains("sql") && !text.contains("panicked"),
            "{text}"
        );
    }
    // A malicious name is stored as text, not markup (a new client: this one is rate limited by now).
    let browser = app.browser();
    browser
        .register("<img src=x onerror=alert(1)>", "xss@example.com")
        .await;
    let html = browser.get("/account").await.text().await.unwrap();
    assert!(!html.contains("<img src=x"), "name must be escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)"), "{html}");
    assert_eq!(app.count("SELECT count(*) FROM users").await, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn forms_work_without_javascript(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let mut html_form = HeaderMap::new();
    html_form.insert(ACCEPT, HeaderValue::from_static("text/html"));
    html_form.insert(
        "referer",
        HeaderValue::from_str(&app.url("/register")).unwrap(),
    );

    // A failed post goes back to the form with the error, which the page shows.
    let response = browser
        .call_with(
            fns::Register::PATH,
            &[
                ("name", "Ada"),
                ("email", "bad"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
            html_form.clone(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = response.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(
        back.contains("/register?") && back.contains("__err="),
        "{back}"
    );
    let path = back.trim_start_matches(&app.base);
    let page = browser.get(path).await.text().await.unwrap();
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("Enter a valid email address."));

    // A successful post redirects to where the user lands.
    let response = browser
        .call_with(
            fns::Register::PATH,
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
            html_form,
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[LOCATION], "/library");
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
}

/// The devices `browser`'s account is signed in on, as `/account` lists them.
async fn signed_in_devices(browser: &Browser<'_>) -> Vec<Value> {
    browser
        .call_json(fns::MySignIns::PATH, &[])
        .await
        .as_array()
        .unwrap()
        .clone()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_customer_sees_where_they_are_signed_in_and_signs_a_device_out(pool: PgPool) {
    let app = spawn_app(pool).await;
    let laptop = app.verified_customer("ada@example.com").await;
    let phone = app.browser();
    let mut firefox = HeaderMap::new();
    firefox.insert(
        reqwest::header::USER_AGENT,
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
            .parse()
            .unwrap(),
    );
    let login = phone
        .call_with(
            fns::Login::PATH,
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            firefox,
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);

    let devices = signed_in_devices(&laptop).await;
    assert_eq!(devices.len(), 2, "{devices:?}");
    let own: Vec<bool> = devices.iter().map(|d| d["this_device"] == true).collect();
    assert_eq!(own.iter().filter(|own| **own).count(), 1, "{devices:?}");
    let phone_entry = devices
        .iter()
        .find(|d| d["device"] == "Firefox on Linux")
        .expect("the phone's sign-in, named from its user agent");
    assert_eq!(phone_entry["this_device"], false);
    assert!(phone_entry["network"].as_str().unwrap().ends_with(".0/24"));
    assert_eq!(
        app.count("SELECT count(*) FROM sign_ins WHERE network NOT LIKE '%.0/24'")
            .await,
        0,
        "networks only, never an address"
    );

    // Nobody else can sign it out.
    let phone_sign_in = phone_entry["id"].as_str().unwrap().to_string();
    let stranger = app.verified_customer("bob@example.com").await;
    let (status, _) = error_of(
        stranger
            .call(fns::SignOutDevice::PATH, &[("id", &phone_sign_in)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(phone.whoami().await.as_deref(), Some("ada@example.com"));

    // Signed out from the laptop, the phone's next request is signed out; the laptop stays.
    let ended = laptop
        .call(fns::SignOutDevice::PATH, &[("id", &phone_sign_in)])
        .await;
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(phone.whoami().await, None);
    assert_eq!(laptop.whoami().await.as_deref(), Some("ada@example.com"));
    assert_eq!(signed_in_devices(&laptop).await.len(), 1);

    // Logging out ends that sign-in; a password change ends every other one, not this one.
    let tablet = app.browser();
    tablet.login("ada@example.com", PASSWORD).await;
    let desktop = app.browser();
    desktop.login("ada@example.com", PASSWORD).await;
    assert_eq!(signed_in_devices(&laptop).await.len(), 3);
    tablet.call(fns::Logout::PATH, &[]).await;
    assert_eq!(signed_in_devices(&laptop).await.len(), 2);
    let changed = laptop
        .call(
            fns::ChangePassword::PATH,
            &[
                ("current_password", PASSWORD),
                ("password", "Changed789x"),
                ("confirm_password", "Changed789x"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let devices = signed_in_devices(&laptop).await;
    assert_eq!(devices.len(), 1, "{devices:?}");
    assert_eq!(devices[0]["this_device"], true);
    assert_eq!(desktop.whoami().await, None);
}
