//! Test harness: the real router on port 0 over a fresh database, and a small client
//! that behaves like one browser (its own cookie and its own client IP).

#![allow(dead_code)]

pub mod fns;
pub mod smtp;

use fns::ServerFn as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::header::{HeaderMap, ACCEPT, COOKIE, SET_COOKIE};
use reqwest::{redirect, Response, StatusCode};
use server::config::Config;
use sqlx::PgPool;
use tokio::net::TcpListener;

pub const PASSWORD: &str = "Secret123";

pub struct TestApp {
    /// Media storage of this app, removed with it.
    pub media_dir: tempfile::TempDir,
    /// Where this app's emails are delivered (as files) when a test reads its mail.
    pub mail_dir: tempfile::TempDir,
    /// The app's state, for what only the server can do (deliver the outbox).
    pub state: backend::AppState,
    pub addr: SocketAddr,
    pub base: String,
    pub pool: PgPool,
    http: reqwest::Client,
}

static NEXT_IP: AtomicU32 = AtomicU32::new(1);

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, &[]).await
}

/// Starts the app with extra configuration variables.
pub async fn spawn_app_with(pool: PgPool, vars: &[(&str, &str)]) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let addr = listener.local_addr().unwrap();
    let addr_text = addr.to_string();
    let media_dir = tempfile::tempdir().unwrap();
    let media_path = media_dir.path().display().to_string();
    let mail_dir = tempfile::tempdir().unwrap();
    let mail_path = mail_dir.path().display().to_string();
    let config = Config::from_lookup(|key| {
        if let Some((_, value)) = vars.iter().find(|(k, _)| *k == key) {
            return Some(value.to_string());
        }
        match key {
            "APP_ENV" => Some("test".into()),
            "LEPTOS_SITE_ADDR" => Some(addr_text.clone()),
            // Tests play several clients from one socket through X-Forwarded-For.
            "TRUSTED_PROXIES" => Some("127.0.0.1".into()),
            "RUN_WORKERS" => Some("false".into()),
            "MEDIA_STORAGE" => Some(media_path.clone()),
            "MAIL_FOLDER" => Some(mail_path.clone()),
            _ => None,
        }
    })
    .expect("test configuration");
    let header_read_timeout = config.limits.header_read_timeout;
    let context = server::startup::context(config, pool.clone())
        .await
        .expect("app context");
    let state = context.app.clone();
    let router = server::router::build(context);
    tokio::spawn(server::http_server::serve(
        listener,
        router,
        header_read_timeout,
        std::future::pending(),
    ));
    TestApp {
        media_dir,
        mail_dir,
        state,
        addr,
        base: format!("http://{addr}"),
        pool,
        http: reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            // A hung response fails its test instead of stalling the whole run.
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap(),
    }
}

impl TestApp {
    /// Runs one due job of kind `J`, as a worker's runner would (test apps run no workers);
    /// `false` when none was due.
    pub async fn run_job<J: backend::jobs::Job>(&self) -> bool {
        backend::jobs::Runner::new(self.state.clone())
            .register::<J>()
            .run_next()
            .await
            .unwrap()
    }

    /// A new browser with its own cookie and its own client IP address.
    pub fn browser(&self) -> Browser<'_> {
        let n = NEXT_IP.fetch_add(1, Ordering::Relaxed);
        Browser {
            app: self,
            cookie: std::sync::Mutex::new(None),
            ip: format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The newest outbox email to `to` of the given kind.
    pub async fn last_email(&self, to: &str, kind: &str) -> Option<(String, String)> {
        sqlx::query_as::<_, (String, String)>(
            "SELECT subject, body_text FROM email_outbox WHERE to_address = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(to)
        .bind(kind)
        .fetch_optional(&self.pool)
        .await
        .unwrap()
    }

    /// Delivers the due outbox emails as a worker does (into this app's mail folder),
    /// then the newest delivered email to `to` of the given kind, as its reader gets it.
    pub async fn read_mail(&self, to: &str, kind: &str) -> Option<String> {
        while self
            .run_job::<backend::email::delivery::DeliverEmail>()
            .await
        {}
        let mut files: Vec<_> = std::fs::read_dir(self.mail_dir.path())
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files.into_iter().rev().find_map(|file| {
            let mail = std::fs::read_to_string(file).unwrap();
            let (head, _) = mail.split_once("\n\n")?;
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                    .map(str::to_string)
            };
            (header("To")? == to && header("X-Codex-Kind")? == kind).then_some(mail)
        })
    }

    /// The token of the link in the newest email of that kind, read from the delivered mail.
    pub async fn token_from_email(&self, to: &str, kind: &str) -> String {
        let mail = self
            .read_mail(to, kind)
            .await
            .unwrap_or_else(|| panic!("no {kind} email to {to}"));
        let start = mail.find("token=").expect("link with a token") + "token=".len();
        mail[start..].split_whitespace().next().unwrap().to_string()
    }

    /// A browser signed in as the owner, created through first-run setup.
    pub async fn owner(&self) -> Browser<'_> {
        let owner = self.browser();
        assert_eq!(
            owner.setup_owner("owner@example.com").await.status(),
            StatusCode::OK
        );
        owner
    }

    /// A browser signed in as a new customer whose email address is verified.
    pub async fn verified_customer(&self, email: &str) -> Browser<'_> {
        self.verified_customer_with(email, &[]).await
    }

    /// `verified_customer`, registered with `extra` fields too (`("news", "on")`).
    pub async fn verified_customer_with(&self, email: &str, extra: &[(&str, &str)]) -> Browser<'_> {
        let customer = self.browser();
        customer.register_with("Customer", email, extra).await;
        let token = self.token_from_email(email, "verify_email").await;
        assert_eq!(
            customer
                .call(fns::VerifyEmail::PATH, &[("token", &token)])
                .await
                .status(),
            StatusCode::OK
        );
        customer
    }

    /// A ready 100 s video with a tiny HLS tree in storage, and a free item published on it
    /// (with `extra` content fields such as tags or a price). Returns the content and media ids.
    pub async fn publish_ready_item(
        &self,
        owner: &Browser<'_>,
        title: &str,
        extra: &[(&str, &str)],
    ) -> (String, String) {
        self.ready_item(owner, title, "publish", extra).await
    }

    /// As [`Self::publish_ready_item`], but the item is saved as a draft.
    pub async fn draft_ready_item(
        &self,
        owner: &Browser<'_>,
        title: &str,
        extra: &[(&str, &str)],
    ) -> (String, String) {
        self.ready_item(owner, title, "save", extra).await
    }

    async fn ready_item(
        &self,
        owner: &Browser<'_>,
        title: &str,
        intent: &str,
        extra: &[(&str, &str)],
    ) -> (String, String) {
        use backend::storage::{keys, MediaStorage};
        let media = uuid::Uuid::new_v4();
        sqlx::query(
            "INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status, duration_seconds)
             SELECT $1, id, 'video', 'clip.mp4', 'video/mp4', 1000, 'ready', 100.0 FROM users WHERE role = 'owner'",
        )
        .bind(media)
        .execute(&self.pool)
        .await
        .unwrap();
        let storage = MediaStorage::local(self.media_dir.path()).unwrap();
        let prefix = keys::hls_prefix(media);
        for (key, body) in [
            (
                "master.m3u8",
                "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360\n360p/index.m3u8\n",
            ),
            (
                "360p/index.m3u8",
                "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nsegment_0000.ts\n#EXT-X-ENDLIST\n",
            ),
            ("360p/segment_0000.ts", "SEGMENT-BYTES"),
        ] {
            storage
                .put_bytes(
                    &format!("{prefix}/{key}"),
                    bytes::Bytes::from_static(body.as_bytes()),
                )
                .await
                .unwrap();
        }
        let media_id = media.to_string();
        let mut form = vec![
            ("title", title),
            ("media_id", media_id.as_str()),
            ("intent", intent),
        ];
        form.extend_from_slice(extra);
        let response = owner.call(fns::SaveContent::PATH, &form).await;
        assert_eq!(response.status(), StatusCode::OK);
        let id: String = response.json().await.unwrap();
        (id, media_id)
    }

    /// Waits (up to 30 s) until `sql` counts at least `expected` rows: for work the app
    /// does in the background, such as webhook deliveries from the Stripe stand-in.
    pub async fn wait_for_count(&self, sql: &str, expected: i64) -> i64 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let count = self.count(sql).await;
            if count >= expected || std::time::Instant::now() > deadline {
                return count;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 30 s) until `sql` counts exactly `expected`; the last count.
    pub async fn wait_for_exactly(&self, sql: &str, expected: i64) -> i64 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let count = self.count(sql).await;
            if count == expected || std::time::Instant::now() > deadline {
                return count;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 10 s) until this app server's listener for changes is connected: until
    /// then it keeps nothing in memory (`backend::cached::listen`).
    pub async fn wait_until_listening(&self) {
        let listening = "SELECT count(*) FROM pg_stat_activity
                         WHERE datname = current_database() AND query LIKE 'LISTEN%catalog_changed%'";
        for _ in 0..100 {
            if self.count(listening).await == 1 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the app server's listener for changes did not connect");
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

pub struct Browser<'a> {
    pub app: &'a TestApp,
    cookie: std::sync::Mutex<Option<String>>,
    pub ip: String,
}

impl Browser<'_> {
    pub fn cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    pub fn set_cookie(&self, cookie: Option<String>) {
        *self.cookie.lock().unwrap() = cookie;
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .app
            .http
            .request(method, self.app.url(path))
            .header("x-forwarded-for", &self.ip);
        if let Some(cookie) = self.cookie() {
            req = req.header(
                COOKIE,
                format!("{}={cookie}", server::router::SESSION_COOKIE),
            );
        }
        req
    }

    async fn remember_cookie(&self, response: &Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let value = value.to_str().unwrap();
            if let Some(rest) = value.strip_prefix(&format!("{}=", server::router::SESSION_COOKIE))
            {
                let cookie = rest.split(';').next().unwrap().to_string();
                let expired = value.contains("Max-Age=0") || cookie.is_empty();
                self.set_cookie((!expired).then_some(cookie));
            }
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_with(path, &[]).await
    }

    /// A page, with more request headers (`If-None-Match`, say).
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = self
            .request(reqwest::Method::GET, path)
            .header(ACCEPT, "text/html");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        self.remember_cookie(&response).await;
        response
    }

    pub async fn put_bytes(&self, path: &str, body: Vec<u8>) -> Response {
        self.request(reqwest::Method::PUT, path)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// A PUT whose body is sent as it comes (a stream that fails halfway cuts the request).
    pub async fn put_body(
        &self,
        path: &str,
        body: reqwest::Body,
    ) -> Result<Response, reqwest::Error> {
        self.request(reqwest::Method::PUT, path)
            .body(body)
            .send()
            .await
    }

    /// Posts one file as a `multipart/form-data` form field, as a browser form does.
    pub async fn post_file(&self, path: &str, field: &str, file: &[u8]) -> Response {
        self.try_post_file(path, field, file).await.unwrap()
    }

    /// `post_file` for bodies the server may refuse before reading them all: it answers
    /// and closes, and the client can see the closed connection instead of the answer.
    pub async fn try_post_file(
        &self,
        path: &str,
        field: &str,
        file: &[u8],
    ) -> Result<Response, reqwest::Error> {
        self.try_post_form_with_file(path, &[], field, "upload", file)
            .await
    }

    /// A multipart form with one file, sent under the file name `name`.
    pub async fn post_named_file(
        &self,
        path: &str,
        field: &str,
        name: &str,
        file: &[u8],
    ) -> Response {
        self.try_post_form_with_file(path, &[], field, name, file)
            .await
            .unwrap()
    }

    /// A multipart form: the text `fields`, then the file in `field`.
    pub async fn post_form_with_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        file: &[u8],
    ) -> Response {
        self.try_post_form_with_file(path, fields, field, "upload", file)
            .await
            .unwrap()
    }

    async fn try_post_form_with_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        filename: &str,
        file: &[u8],
    ) -> Result<Response, reqwest::Error> {
        let boundary = "codex-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.request(reqwest::Method::POST, path)
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
    }

    /// Posts `body` as it is, as `navigator.sendBeacon` does with a string.
    pub async fn post_text(&self, path: &str, body: String) -> Response {
        self.request(reqwest::Method::POST, path)
            .header(reqwest::header::CONTENT_TYPE, "text/plain;charset=UTF-8")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a plain HTML form (`application/x-www-form-urlencoded`).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let response = self
            .request(reqwest::Method::POST, path)
            .form(form)
            .send()
            .await
            .unwrap();
        self.remember_cookie(&response).await;
        response
    }

    /// Calls a server function the way the hydrated page does.
    /// Calls the server function at `path` (its `PATH`, e.g. `fns::Login::PATH`).
    pub async fn call(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.call_with(path, form, HeaderMap::new()).await
    }

    /// Calls a server function that must succeed; its JSON answer.
    pub async fn call_json(&self, path: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let response = self.call(path, form).await;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn call_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: HeaderMap,
    ) -> Response {
        assert!(
            path.starts_with("/api/"),
            "call a server function by its PATH constant, not {path:?}"
        );
        let response = self
            .request(reqwest::Method::POST, path)
            .headers(headers)
            .form(form)
            .send()
            .await
            .unwrap();
        self.remember_cookie(&response).await;
        response
    }

    pub async fn register(&self, name: &str, email: &str) -> Response {
        self.register_with(name, email, &[]).await
    }

    /// Registers with `extra` fields of the form too.
    pub async fn register_with(&self, name: &str, email: &str, extra: &[(&str, &str)]) -> Response {
        let mut form = vec![
            ("name", name),
            ("email", email),
            ("password", PASSWORD),
            ("confirm_password", PASSWORD),
        ];
        form.extend_from_slice(extra);
        self.call(fns::Register::PATH, &form).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.call(
            fns::Login::PATH,
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn setup_owner(&self, email: &str) -> Response {
        self.call(
            fns::SetupOwner::PATH,
            &[
                ("name", "Olivia Owner"),
                ("email", email),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await
    }

    /// The signed-in user's email, as the server sees this browser.
    pub async fn whoami(&self) -> Option<String> {
        let response = self.call(fns::CurrentUser::PATH, &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        let user: serde_json::Value = response.json().await.unwrap();
        user.get("email")
            .and_then(|e| e.as_str())
            .map(str::to_string)
    }
}

/// The decoded server function error of a response.
/// A PNG of one colour, `width` × `height` (it compresses to almost nothing at any size).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(width, height, image::Rgb([20, 120, 200]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

pub async fn error_of(response: Response) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    let body = response.text().await.unwrap();
    let value = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
    (status, value)
}
