//! Configuration from environment variables, with embedded defaults for development.
//! Production refuses to start with a development default in place of a secret.

use backend::storage::SegmentDelivery;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ipnet::IpNet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Test,
    Preview,
    Production,
}

impl AppEnv {
    fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Ok(Self::Development),
            "test" => Ok(Self::Test),
            "preview" => Ok(Self::Preview),
            "production" | "prod" => Ok(Self::Production),
            other => Err(ConfigError::Invalid(
                "APP_ENV",
                format!("unknown environment {other:?}"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Preview => "preview",
            Self::Production => "production",
        }
    }
}

pub const SESSION_COOKIE: &str = "codex_session";
pub const SECURE_SESSION_COOKIE: &str = "__Host-codex_session";

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/codex";
const DEV_SESSION_SECRET: &str =
    "codex-development-session-secret-do-not-use-in-production-0123456789";
const MIN_SESSION_SECRET_LEN: usize = 64;

/// The endpoint secret of the local Stripe stand-in (outside production only).
pub const STANDIN_WEBHOOK_SECRET: &str = "whsec_codex_standin";
/// The API key the app presents to the stand-in.
pub const STANDIN_SECRET_KEY: &str = "sk_test_codex_standin";

/// Where payments go.
#[derive(Clone, PartialEq, Eq)]
pub enum Payments {
    /// Stripe itself (or any server at `api_base` that speaks its API).
    Stripe {
        secret_key: String,
        webhook_secret: String,
        /// The endpoint secret being rolled out of use, accepted too until it is unset.
        previous_webhook_secret: Option<String>,
        api_base: Option<String>,
    },
    /// The local stand-in, started inside the server on `addr` (port 0: any free port).
    Standin { addr: SocketAddr },
}

#[derive(Clone)]
pub struct Config {
    pub env: AppEnv,
    pub database_url: String,
    pub database_max_connections: u32,
    pub site_addr: SocketAddr,
    pub site_root: String,
    pub public_url: String,
    pub session_secret: String,
    /// Accepted besides `session_secret` while rotating it.
    pub session_secret_previous: Option<String>,
    pub smtp_url: Option<String>,
    /// Without SMTP (outside production), emails are delivered as files into this folder.
    pub mail_folder: String,
    pub email_from: String,
    pub trusted_proxies: Vec<IpNet>,
    pub media_storage: String,
    /// The `AWS_*` settings of an `s3://` media storage read through the configuration
    /// (the rest of `AWS_*` still comes from the environment).
    pub s3_settings: Vec<(String, String)>,
    /// `MEDIA_DELIVERY`: segments through Codex (`proxied`) or from the store (`signed-urls`).
    pub segment_delivery: SegmentDelivery,
    pub run_workers: bool,
    /// `OUTBOUND_WEBHOOKS_ALLOW_PRIVATE`: outbound webhooks may go to this machine and private
    /// networks (default: yes, except in production).
    pub outbound_allow_private: bool,
    /// `JOB_LEASE_SECS`: how long a background job's claim lasts without its runner's
    /// renewal (a dead worker's job is taken over after it).
    pub job_lease: std::time::Duration,
    /// How long a playback token lives; the open player renews it at half its life.
    pub playback_token_lifetime: time::Duration,
    /// `ANALYTICS_RAW_DAYS`: how long raw viewing reports and page views are kept (the
    /// daily rollups stay).
    pub analytics_raw_days: i32,
    /// `EMAIL_SEND_RATE`: marketing emails sent a minute at most (600).
    pub email_send_rate: u32,
    /// `ANALYTICS_ROLLUP_SECS`: how often the analytics rollup runs (default 5 minutes).
    pub analytics_rollup_every: std::time::Duration,
    pub log_json: bool,
    pub payments: Payments,
    /// `GET /metrics` needs `Authorization: Bearer <token>` when set; production without
    /// one does not serve metrics at all.
    pub metrics_token: Option<String>,
    /// In production, first-run setup at `/setup` needs this one-time token (or is off
    /// without it: `server create-owner` is the way then).
    pub setup_token: Option<String>,
    pub limits: Limits,
}

/// The `AWS_*` variables an S3-compatible media storage is set up with.
const S3_SETTINGS: [&str; 9] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
];

/// What one request and one connection may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A client must send its request headers within this time.
    pub header_read_timeout: Duration,
    /// A request must be answered within this time (its body read included).
    pub request_timeout: Duration,
    /// Requests served at once; more get 503 at once.
    pub max_concurrent_requests: usize,
    /// The longest one SQL statement may run.
    pub statement_timeout: Duration,
}

/// Secrets never appear in logs, not even through `{:?}`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("env", &self.env)
            .field("database_url", &redact_url(&self.database_url))
            .field("site_addr", &self.site_addr)
            .field("site_root", &self.site_root)
            .field("public_url", &self.public_url)
            .field("session_secret", &"[redacted]")
            .field(
                "session_secret_previous",
                &self.session_secret_previous.as_ref().map(|_| "[redacted]"),
            )
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_folder", &self.mail_folder)
            .field("email_from", &self.email_from)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("media_storage", &self.media_storage)
            .field(
                "s3_settings",
                &self.s3_settings.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("segment_delivery", &self.segment_delivery)
            .field("run_workers", &self.run_workers)
            .field("outbound_allow_private", &self.outbound_allow_private)
            .field("job_lease", &self.job_lease)
            .field("playback_token_lifetime", &self.playback_token_lifetime)
            .field("analytics_raw_days", &self.analytics_raw_days)
            .field("email_send_rate", &self.email_send_rate)
            .field("analytics_rollup_every", &self.analytics_rollup_every)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "setup_token",
                &self.setup_token.as_ref().map(|_| "[redacted]"),
            )
            .field("limits", &self.limits)
            .field(
                "payments",
                &match &self.payments {
                    Payments::Stripe { api_base, .. } => format!(
                        "stripe at {}",
                        api_base.as_deref().unwrap_or("api.stripe.com")
                    ),
                    Payments::Standin { addr } => format!("local stand-in on {addr}"),
                },
            )
            .finish()
    }
}

/// `scheme://user:password@host/db` becomes `scheme://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "[unparseable url]".into(),
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} must be set in production")]
    Missing(&'static str),
    #[error("{0} is invalid: {1}")]
    Invalid(&'static str, String),
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests can pass their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = lookup("APP_ENV")
            .map(|v| AppEnv::parse(&v))
            .transpose()?
            .unwrap_or(AppEnv::Development);
        let production = env == AppEnv::Production;
        let required = |key: &'static str, default: &str| -> Result<String, ConfigError> {
            match lookup(key) {
                Some(value) => Ok(value),
                None if production => Err(ConfigError::Missing(key)),
                None => Ok(default.to_string()),
            }
        };

        let database_url = required("DATABASE_URL", DEFAULT_DATABASE_URL)?;
        let site_addr: SocketAddr = lookup("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| ConfigError::Invalid("LEPTOS_SITE_ADDR", format!("{e}")))?;
        let public_url = required("PUBLIC_URL", &format!("http://{site_addr}"))?;
        let public_url = parse_public_url(&public_url)?;

        let session_secret = required("SESSION_SECRET", DEV_SESSION_SECRET)?;
        if session_secret.len() < MIN_SESSION_SECRET_LEN {
            return Err(ConfigError::Invalid(
                "SESSION_SECRET",
                format!("must be at least {MIN_SESSION_SECRET_LEN} characters"),
            ));
        }
        if production && session_secret == DEV_SESSION_SECRET {
            return Err(ConfigError::Invalid(
                "SESSION_SECRET",
                "the development default cannot be used in production".into(),
            ));
        }

        let session_secret_previous = lookup("SESSION_SECRET_PREVIOUS");
        if session_secret_previous
            .as_ref()
            .is_some_and(|s| s.len() < MIN_SESSION_SECRET_LEN)
        {
            return Err(ConfigError::Invalid(
                "SESSION_SECRET_PREVIOUS",
                format!("must be at least {MIN_SESSION_SECRET_LEN} characters"),
            ));
        }

        let smtp_url = lookup("SMTP_URL");
        if production && smtp_url.is_none() {
            return Err(ConfigError::Missing("SMTP_URL"));
        }

        let trusted_proxies = lookup("TRUSTED_PROXIES")
            .map(|v| parse_proxies(&v))
            .transpose()?
            .unwrap_or_default();

        let number = |key: &'static str, default: u64| -> Result<u64, ConfigError> {
            lookup(key)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            ConfigError::Invalid(key, "must be a positive number".into())
                        })
                })
                .transpose()
                .map(|v| v.unwrap_or(default))
        };
        let max_connections = number("DATABASE_MAX_CONNECTIONS", 10)? as u32;
        let limits = Limits {
            header_read_timeout: Duration::from_secs(number("HEADER_READ_TIMEOUT_SECS", 10)?),
            request_timeout: Duration::from_secs(number("REQUEST_TIMEOUT_SECS", 60)?),
            max_concurrent_requests: number("MAX_CONCURRENT_REQUESTS", 512)? as usize,
            statement_timeout: Duration::from_secs(number("DATABASE_STATEMENT_TIMEOUT_SECS", 30)?),
        };

        let payments = payments(&lookup, env)?;
        let metrics_token = lookup("METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(ConfigError::Invalid(
                "METRICS_TOKEN",
                "must be at least 16 characters".into(),
            ));
        }
        let setup_token = lookup("SETUP_TOKEN");
        if setup_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(ConfigError::Invalid(
                "SETUP_TOKEN",
                "must be at least 16 characters".into(),
            ));
        }

        let media_storage = lookup("MEDIA_STORAGE").unwrap_or_else(|| "data/media".into());
        let segment_delivery = match lookup("MEDIA_DELIVERY").as_deref().map(str::trim) {
            None | Some("proxied") => SegmentDelivery::Proxied,
            Some("signed-urls") if media_storage.starts_with("s3://") => {
                SegmentDelivery::SignedUrls
            }
            Some("signed-urls") => {
                return Err(ConfigError::Invalid(
                    "MEDIA_DELIVERY",
                    "signed-urls needs an s3:// MEDIA_STORAGE".into(),
                ))
            }
            Some(other) => {
                return Err(ConfigError::Invalid(
                    "MEDIA_DELIVERY",
                    format!("{other:?} is neither proxied nor signed-urls"),
                ))
            }
        };

        Ok(Self {
            env,
            database_url,
            database_max_connections: max_connections,
            site_addr,
            site_root: lookup("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_url,
            session_secret,
            session_secret_previous,
            smtp_url,
            mail_folder: lookup("MAIL_FOLDER").unwrap_or_else(|| "data/mail".into()),
            email_from: lookup("EMAIL_FROM").unwrap_or_else(|| "Codex <no-reply@localhost>".into()),
            trusted_proxies,
            media_storage,
            segment_delivery,
            s3_settings: S3_SETTINGS
                .iter()
                .filter_map(|key| Some((key.to_string(), lookup(key)?)))
                .collect(),
            job_lease: std::time::Duration::from_secs(number("JOB_LEASE_SECS", 60)?.max(3)),
            playback_token_lifetime: time::Duration::seconds(
                number("PLAYBACK_TOKEN_SECS", 900)?.min(86_400) as i64,
            ),
            analytics_raw_days: number("ANALYTICS_RAW_DAYS", 30)?.clamp(2, 3650) as i32,
            email_send_rate: number("EMAIL_SEND_RATE", 600)?.clamp(1, 1_000_000) as u32,
            analytics_rollup_every: std::time::Duration::from_secs(
                number("ANALYTICS_ROLLUP_SECS", 300)?.max(5),
            ),
            run_workers: lookup("RUN_WORKERS")
                .map(|v| v != "false" && v != "0")
                .unwrap_or(true),
            outbound_allow_private: lookup("OUTBOUND_WEBHOOKS_ALLOW_PRIVATE")
                .map(|v| v == "true" || v == "1")
                .unwrap_or(!production),
            log_json: lookup("LOG_FORMAT")
                .map(|v| v == "json")
                .unwrap_or(production),
            payments,
            metrics_token,
            setup_token,
            limits,
        })
    }

    /// Cookies get `Secure` in production and whenever the site is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.env == AppEnv::Production || self.public_url.starts_with("https://")
    }

    /// The session cookie's name: with `Secure`, the `__Host-` prefix makes browsers refuse
    /// it unless it is secure, host-only and for `/`, so a sibling subdomain cannot plant or
    /// shadow it.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies() {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    /// The origin (`scheme://host[:port]`) of the public URL.
    pub fn public_origin(&self) -> String {
        url::Url::parse(&self.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }

    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}

fn parse_public_url(value: &str) -> Result<String, ConfigError> {
    let url =
        url::Url::parse(value).map_err(|e| ConfigError::Invalid("PUBLIC_URL", e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ConfigError::Invalid(
            "PUBLIC_URL",
            "must be an http(s) URL".into(),
        ));
    }
    Ok(value.trim_end_matches('/').to_string())
}

fn parse_proxies(value: &str) -> Result<Vec<IpNet>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    ConfigError::Invalid(
                        "TRUSTED_PROXIES",
                        format!("{s:?} is not an IP address or CIDR range"),
                    )
                })
        })
        .collect()
}

/// Stripe when `STRIPE_SECRET_KEY` is set; otherwise the local stand-in, which production
/// refuses. Production takes live keys (test keys only with `STRIPE_ALLOW_TEST_KEYS=true`,
/// for a rehearsal) and previews take test keys only, so that a preview can never charge a
/// card.
fn payments(
    lookup: &impl Fn(&str) -> Option<String>,
    env: AppEnv,
) -> Result<Payments, ConfigError> {
    let production = env == AppEnv::Production;
    let Some(secret_key) = lookup("STRIPE_SECRET_KEY") else {
        if production {
            return Err(ConfigError::Missing("STRIPE_SECRET_KEY"));
        }
        let addr = lookup("STRIPE_STANDIN_ADDR")
            .unwrap_or_else(|| "127.0.0.1:0".into())
            .parse()
            .map_err(|e| ConfigError::Invalid("STRIPE_STANDIN_ADDR", format!("{e}")))?;
        return Ok(Payments::Standin { addr });
    };
    let live = ["sk_live_", "rk_live_"]
        .iter()
        .any(|prefix| secret_key.starts_with(prefix));
    let test = ["sk_test_", "rk_test_"]
        .iter()
        .any(|prefix| secret_key.starts_with(prefix));
    if !live && !test {
        return Err(ConfigError::Invalid(
            "STRIPE_SECRET_KEY",
            "expected a Stripe secret key (sk_live_..., sk_test_... or a restricted rk_ key)"
                .into(),
        ));
    }
    let allow_test_keys = lookup("STRIPE_ALLOW_TEST_KEYS").is_some_and(|v| v == "true");
    if production && test && !allow_test_keys {
        return Err(ConfigError::Invalid(
            "STRIPE_SECRET_KEY",
            "production needs a live key (set STRIPE_ALLOW_TEST_KEYS=true to rehearse with a test key)"
                .into(),
        ));
    }
    if env == AppEnv::Preview && live {
        return Err(ConfigError::Invalid(
            "STRIPE_SECRET_KEY",
            "previews take test keys only, never a live key".into(),
        ));
    }
    let webhook_secret = match lookup("STRIPE_WEBHOOK_SECRET") {
        Some(secret) => secret,
        None => return Err(ConfigError::Missing("STRIPE_WEBHOOK_SECRET")),
    };
    let api_base = lookup("STRIPE_API_BASE");
    if production && api_base.is_some() {
        return Err(ConfigError::Invalid(
            "STRIPE_API_BASE",
            "production talks to Stripe itself; unset it".into(),
        ));
    }
    Ok(Payments::Stripe {
        secret_key,
        webhook_secret,
        previous_webhook_secret: lookup("STRIPE_WEBHOOK_SECRET_PREVIOUS"),
        api_base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn development_runs_on_embedded_defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.env, AppEnv::Development);
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(!c.secure_cookies());
        assert_eq!(c.session_cookie_name(), "codex_session");
    }

    #[test]
    fn segments_are_signed_by_the_store_only_on_s3() {
        assert_eq!(
            config(&[]).unwrap().segment_delivery,
            SegmentDelivery::Proxied
        );
        let signed = config(&[
            ("MEDIA_STORAGE", "s3://media"),
            ("MEDIA_DELIVERY", "signed-urls"),
            ("AWS_SECRET_ACCESS_KEY", "not-in-debug"),
        ])
        .unwrap();
        assert_eq!(signed.segment_delivery, SegmentDelivery::SignedUrls);
        assert!(!format!("{signed:?}").contains("not-in-debug"));
        assert!(matches!(
            config(&[("MEDIA_DELIVERY", "signed-urls")]),
            Err(ConfigError::Invalid("MEDIA_DELIVERY", _))
        ));
        assert!(matches!(
            config(&[("MEDIA_DELIVERY", "cdn")]),
            Err(ConfigError::Invalid("MEDIA_DELIVERY", _))
        ));
    }

    #[test]
    fn production_names_the_missing_variable() {
        assert_eq!(
            config(&[("APP_ENV", "production")]).unwrap_err(),
            ConfigError::Missing("DATABASE_URL")
        );
        let secret = "s".repeat(64);
        let err = config(&[
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://db/codex"),
            ("PUBLIC_URL", "https://videos.example.com"),
            ("SESSION_SECRET", &secret),
        ])
        .unwrap_err();
        assert_eq!(err, ConfigError::Missing("SMTP_URL"));
    }

    #[test]
    fn production_refuses_the_development_secret_and_short_secrets() {
        let base = [
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://db/codex"),
            ("PUBLIC_URL", "https://videos.example.com"),
            ("SMTP_URL", "smtp://localhost"),
            ("STRIPE_SECRET_KEY", "sk_live_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ];
        let mut vars = base.to_vec();
        vars.push(("SESSION_SECRET", DEV_SESSION_SECRET));
        assert!(matches!(
            config(&vars),
            Err(ConfigError::Invalid("SESSION_SECRET", _))
        ));
        let mut vars = base.to_vec();
        vars.push(("SESSION_SECRET", "short"));
        assert!(matches!(
            config(&vars),
            Err(ConfigError::Invalid("SESSION_SECRET", _))
        ));
        let secret = "x".repeat(64);
        let mut vars = base.to_vec();
        vars.push(("SESSION_SECRET", &secret));
        let c = config(&vars).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.session_cookie_name(), "__Host-codex_session");
        assert!(c.log_json);
    }

    #[test]
    fn payments_use_the_stand_in_until_a_stripe_key_is_set() {
        assert!(matches!(
            config(&[]).unwrap().payments,
            Payments::Standin { .. }
        ));
        let stripe = config(&[
            ("STRIPE_SECRET_KEY", "sk_test_123"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ])
        .unwrap();
        assert!(
            matches!(stripe.payments, Payments::Stripe { ref api_base, .. } if api_base.is_none())
        );
        assert_eq!(
            config(&[("STRIPE_SECRET_KEY", "sk_test_123")]).unwrap_err(),
            ConfigError::Missing("STRIPE_WEBHOOK_SECRET")
        );
        assert!(config(&[
            ("STRIPE_SECRET_KEY", "pk_test_123"),
            ("STRIPE_WEBHOOK_SECRET", "w")
        ])
        .is_err());
    }

    #[test]
    fn production_refuses_the_stand_in() {
        let secret = "x".repeat(64);
        let base = vec![
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://db/codex"),
            ("PUBLIC_URL", "https://videos.example.com"),
            ("SMTP_URL", "smtp://localhost"),
            ("SESSION_SECRET", secret.as_str()),
        ];
        assert_eq!(
            config(&base).unwrap_err(),
            ConfigError::Missing("STRIPE_SECRET_KEY")
        );
        let mut with_base = base.clone();
        with_base.extend([
            ("STRIPE_SECRET_KEY", "sk_live_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
            ("STRIPE_API_BASE", "http://127.0.0.1:12111/"),
        ]);
        assert!(matches!(
            config(&with_base),
            Err(ConfigError::Invalid("STRIPE_API_BASE", _))
        ));
    }

    #[test]
    fn keys_match_the_environment() {
        let secret = "x".repeat(64);
        let production = vec![
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://db/codex"),
            ("PUBLIC_URL", "https://videos.example.com"),
            ("SMTP_URL", "smtp://localhost"),
            ("SESSION_SECRET", secret.as_str()),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ];
        for key in ["sk_test_1", "rk_test_1"] {
            let mut vars = production.clone();
            vars.push(("STRIPE_SECRET_KEY", key));
            assert!(
                matches!(
                    config(&vars),
                    Err(ConfigError::Invalid("STRIPE_SECRET_KEY", _))
                ),
                "{key}"
            );
            vars.push(("STRIPE_ALLOW_TEST_KEYS", "true"));
            assert!(config(&vars).is_ok(), "{key} allowed explicitly");
        }
        for key in ["sk_live_1", "rk_live_1"] {
            let preview = [
                ("APP_ENV", "preview"),
                ("STRIPE_SECRET_KEY", key),
                ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
            ];
            assert!(
                matches!(
                    config(&preview),
                    Err(ConfigError::Invalid("STRIPE_SECRET_KEY", _))
                ),
                "{key}"
            );
        }
        let preview_test = [
            ("APP_ENV", "preview"),
            ("STRIPE_SECRET_KEY", "sk_test_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ];
        assert!(config(&preview_test).is_ok());
    }

    #[test]
    fn limits_have_defaults_and_refuse_nonsense() {
        let c = config(&[]).unwrap();
        assert_eq!(c.limits.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.limits.max_concurrent_requests, 512);
        let c = config(&[("REQUEST_TIMEOUT_SECS", "5")]).unwrap();
        assert_eq!(c.limits.request_timeout, Duration::from_secs(5));
        for bad in ["0", "-1", "soon"] {
            assert!(config(&[("REQUEST_TIMEOUT_SECS", bad)]).is_err(), "{bad}");
            assert!(config(&[("PLAYBACK_TOKEN_SECS", bad)]).is_err(), "{bad}");
        }
        assert_eq!(c.playback_token_lifetime, time::Duration::minutes(15));
        let c = config(&[("PLAYBACK_TOKEN_SECS", "30")]).unwrap();
        assert_eq!(c.playback_token_lifetime, time::Duration::seconds(30));
        let c = config(&[("PLAYBACK_TOKEN_SECS", "999999999")]).unwrap();
        assert_eq!(c.playback_token_lifetime, time::Duration::days(1));
        assert!(config(&[("METRICS_TOKEN", "short")]).is_err());
    }

    #[test]
    fn trusted_proxies_accept_addresses_and_ranges() {
        let c = config(&[("TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")]).unwrap();
        assert!(c.is_trusted_proxy("10.0.0.1".parse().unwrap()));
        assert!(c.is_trusted_proxy("192.168.4.2".parse().unwrap()));
        assert!(!c.is_trusted_proxy("10.0.0.2".parse().unwrap()));
        assert!(config(&[("TRUSTED_PROXIES", "nonsense")]).is_err());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = config(&[
            ("DATABASE_URL", "postgres://u:hunter2@db/codex"),
            ("SMTP_URL", "smtp://u:mailpass@mx"),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(
            !printed.contains("hunter2")
                && !printed.contains("mailpass")
                && !printed.contains(DEV_SESSION_SECRET)
        );
    }
}
