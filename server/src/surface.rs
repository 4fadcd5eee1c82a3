//! The HTTP surface in one table: every plain route with its handler, body limit and
//! whether it is a probe or a long upload; which pages are guarded and how; which server
//! functions are rate-limited (keyed by each function's `PATH`). The page components are
//! routed in `app::App` and server functions under `/api/`; `router` builds the plain
//! routes from this table, and the middleware (`request_limits`, `audit`, `page_guard`,
//! `rate_limit_layer`) reads its rules here, by the route the request matched.

use app::account::api::{ChangeEmail, ChangePassword, UpdateName};
use app::auth::api::{
    ForgotPassword, Login, Register, ResendVerification, ResetPassword, SetupOwner,
};
use app::marketing::api::SendTestBroadcast;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::routing::{get, post, put, MethodRouter};
use backend::rate_limit::{self, Rule};
use backend::{
    account, analytics, content, customers, marketing, media, memberships, payments, podcast,
    purchases, selling, settings,
};
use leptos::server_fn::ServerFn;

use crate::{ops, AppContext};

/// What the layers around a plain route must know of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The largest body its handler reads whole (axum's default, 2 MB, when `None`).
    pub body_limit: Option<usize>,
    /// A load balancer's probe: never refused for being busy.
    pub probe: bool,
    /// An upload its handler streams (parts, files for buyers): nothing before the handler
    /// reads its body, and once the handler knows the caller is the owner it may outlast
    /// the request timeout (`LongRequest`).
    pub long_upload: bool,
}

impl Rules {
    const PLAIN: Rules = Rules {
        body_limit: None,
        probe: false,
        long_upload: false,
    };
    const PROBE: Rules = Rules {
        probe: true,
        ..Rules::PLAIN
    };
    const LONG_UPLOAD: Rules = Rules {
        long_upload: true,
        ..Rules::PLAIN
    };
    const fn body_limit(limit: usize) -> Rules {
        Rules {
            body_limit: Some(limit),
            ..Rules::PLAIN
        }
    }

    /// The rules of the route `request` matched; pages, server functions and unknown paths
    /// have the plain ones.
    pub fn of(request: &Request) -> Rules {
        request
            .extensions()
            .get::<MatchedPath>()
            .and_then(|matched| rules_for(matched.as_str()))
            .unwrap_or(Rules::PLAIN)
    }
}

/// A plain route: axum's path pattern, its rules, and its handlers.
pub struct PlainRoute {
    pub path: &'static str,
    pub rules: Rules,
    pub handlers: fn() -> MethodRouter<AppContext>,
}

/// Every route that is neither a page nor a server function.
pub const PLAIN_ROUTES: &[PlainRoute] = &[
    PlainRoute {
        path: "/health",
        rules: Rules::PROBE,
        handlers: || get(ops::health),
    },
    PlainRoute {
        path: "/ready",
        rules: Rules::PROBE,
        handlers: || get(ops::ready),
    },
    PlainRoute {
        path: "/metrics",
        rules: Rules::PLAIN,
        handlers: || get(ops::metrics),
    },
    PlainRoute {
        path: "/media/{id}/thumbnail.jpg",
        rules: Rules::PLAIN,
        handlers: || get(media::frame_thumbnail::thumbnail),
    },
    PlainRoute {
        path: "/media/{id}/thumbnail-480.jpg",
        rules: Rules::PLAIN,
        handlers: || get(media::frame_thumbnail::small_thumbnail),
    },
    PlainRoute {
        path: "/media/{id}/hls/{*path}",
        rules: Rules::PLAIN,
        handlers: || get(media::hls::serve),
    },
    // Reads no more than the part's own size, once the caller and the upload are checked.
    PlainRoute {
        path: "/media/uploads/{id}/parts/{index}",
        rules: Rules::LONG_UPLOAD,
        handlers: || put(media::upload::put_part),
    },
    PlainRoute {
        path: "/content/{id}/thumbnail",
        rules: Rules::PLAIN,
        handlers: || get(content::cover_image::serve),
    },
    PlainRoute {
        path: "/content/{id}/captions/{file}",
        rules: Rules::PLAIN,
        handlers: || get(content::captions::serve),
    },
    PlainRoute {
        path: "/content/{id}/downloads/{file}",
        rules: Rules::PLAIN,
        handlers: || get(content::downloads::open),
    },
    PlainRoute {
        path: "/downloads/{file}",
        rules: Rules::PLAIN,
        handlers: || get(content::downloads::serve),
    },
    // Streamed to a temporary file as it arrives, never held in memory.
    PlainRoute {
        path: "/admin/content/{id}/downloads",
        rules: Rules {
            body_limit: Some(content::downloads::DOWNLOADS_BODY_LIMIT),
            ..Rules::LONG_UPLOAD
        },
        handlers: || post(content::downloads::upload),
    },
    PlainRoute {
        path: "/admin/content/{id}/captions",
        rules: Rules::body_limit(content::captions::CAPTIONS_BODY_LIMIT),
        handlers: || post(content::captions::upload),
    },
    PlainRoute {
        path: "/admin/content/{id}/thumbnail",
        rules: Rules::body_limit(content::cover_image::THUMBNAIL_BODY_LIMIT),
        handlers: || post(content::cover_image::upload),
    },
    PlainRoute {
        path: "/webhooks/stripe",
        rules: Rules::PLAIN,
        handlers: || post(payments::webhook::receive),
    },
    PlainRoute {
        path: "/checkout/start",
        rules: Rules::PLAIN,
        handlers: || post(payments::buy::start),
    },
    PlainRoute {
        path: "/memberships/checkout",
        rules: Rules::PLAIN,
        handlers: || post(payments::subscribe::checkout),
    },
    PlainRoute {
        path: "/memberships/welcome",
        rules: Rules::PLAIN,
        handlers: || get(memberships::portal::welcome),
    },
    PlainRoute {
        path: "/memberships/portal",
        rules: Rules::PLAIN,
        handlers: || post(memberships::portal::portal),
    },
    PlainRoute {
        path: "/memberships/return",
        rules: Rules::PLAIN,
        handlers: || get(memberships::portal::portal_return),
    },
    PlainRoute {
        path: "/receipt/{purchase}",
        rules: Rules::PLAIN,
        handlers: || get(selling::receipt_link::open),
    },
    PlainRoute {
        path: "/admin/purchases.csv",
        rules: Rules::PLAIN,
        handlers: || get(purchases::export::purchases_csv),
    },
    PlainRoute {
        path: "/admin/customers.csv",
        rules: Rules::PLAIN,
        handlers: || get(customers::export::customers_csv),
    },
    PlainRoute {
        path: "/analytics/viewing",
        rules: Rules::body_limit(analytics::viewing::BEACON_BODY_LIMIT),
        handlers: || post(analytics::viewing::receive),
    },
    PlainRoute {
        path: "/admin/analytics/export.csv",
        rules: Rules::PLAIN,
        handlers: || get(analytics::export::analytics_csv),
    },
    // A customer's private podcast feed and its episodes: the URL is the credential.
    PlainRoute {
        path: "/feeds/{token}",
        rules: Rules::PLAIN,
        handlers: || get(podcast::routes::feed),
    },
    PlainRoute {
        path: "/feeds/{token}/{file}",
        rules: Rules::PLAIN,
        handlers: || get(podcast::routes::episode),
    },
    // RFC 8058's one-click unsubscribe: its body is `List-Unsubscribe=One-Click`.
    PlainRoute {
        path: "/email/unsubscribe",
        rules: Rules::body_limit(1024),
        handlers: || post(marketing::unsubscribe::one_click),
    },
    PlainRoute {
        path: "/site/logo",
        rules: Rules::PLAIN,
        handlers: || get(settings::logo::serve),
    },
    PlainRoute {
        path: "/admin/settings/logo",
        rules: Rules::body_limit(settings::logo::LOGO_BODY_LIMIT),
        handlers: || post(settings::logo::upload),
    },
    PlainRoute {
        path: "/account/avatar",
        rules: Rules::body_limit(account::avatar::AVATAR_BODY_LIMIT),
        handlers: || post(account::avatar::upload),
    },
    PlainRoute {
        path: "/account/avatar/{user}",
        rules: Rules::PLAIN,
        handlers: || get(account::avatar::serve),
    },
];

impl PlainRoute {
    /// The route's handlers with its body limit applied.
    pub fn method_router(&self) -> MethodRouter<AppContext> {
        let handlers = (self.handlers)();
        match self.rules.body_limit {
            Some(limit) => handlers.layer(DefaultBodyLimit::max(limit)),
            None => handlers,
        }
    }
}

/// The rules of the plain route whose pattern is `path`.
fn rules_for(path: &str) -> Option<Rules> {
    PLAIN_ROUTES
        .iter()
        .find(|route| route.path == path)
        .map(|route| route.rules)
}

/// Who may open a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Signed-in users; visitors are sent to log in.
    SignedIn,
    /// The owner; customers get 403.
    Owner,
    /// Only while no owner exists (first-run setup).
    SetupOnly,
}

/// Guarded pages: a path and everything under it.
const GUARDED_PAGES: [(&str, Guard); 6] = [
    ("/admin", Guard::Owner),
    ("/account", Guard::SignedIn),
    ("/library", Guard::SignedIn),
    ("/watch", Guard::SignedIn),
    ("/checkout", Guard::SignedIn),
    ("/setup", Guard::SetupOnly),
];

/// Whether the page at `path` with `query` is kept rendered for visitors (`page_cache`): the
/// catalog and the items' pages are the same for everyone without a session, until the
/// catalog or the settings change. A discount code (`?code=`) is quoted with the item, and
/// its uses and expiry are not the catalog's: such a page is rendered every time.
pub fn kept_for_visitors(path: &str, query: Option<&str>) -> bool {
    let item = path
        .strip_prefix("/content/")
        .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'));
    let quotes_a_code = query.is_some_and(|query| {
        url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "code")
    });
    (path == "/" || item) && !quotes_a_code
}

/// Whom a limit counts: the client's IP address, or that and the signed-in account too
/// (so that many addresses cannot take turns at one account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Ip,
    IpAndAccount,
}

/// The limits of server functions (DESIGN.md section 2, and every function that checks a
/// password or a token), keyed by each function's own path, so renaming one cannot drop
/// its limit.
const LIMITED_FUNCTIONS: [(&str, Rule, Scope); 10] = [
    (Login::PATH, rate_limit::LOGIN, Scope::Ip),
    (Register::PATH, rate_limit::REGISTER, Scope::Ip),
    (ForgotPassword::PATH, rate_limit::FORGOT_PASSWORD, Scope::Ip),
    (
        ResendVerification::PATH,
        rate_limit::RESEND_VERIFICATION,
        Scope::Ip,
    ),
    (ResetPassword::PATH, rate_limit::RESET_PASSWORD, Scope::Ip),
    (SetupOwner::PATH, rate_limit::SETUP_OWNER, Scope::Ip),
    (
        ChangePassword::PATH,
        rate_limit::CHANGE_PASSWORD,
        Scope::IpAndAccount,
    ),
    (
        ChangeEmail::PATH,
        rate_limit::CHANGE_EMAIL,
        Scope::IpAndAccount,
    ),
    (
        UpdateName::PATH,
        rate_limit::UPDATE_NAME,
        Scope::IpAndAccount,
    ),
    (
        SendTestBroadcast::PATH,
        rate_limit::SEND_TEST_BROADCAST,
        Scope::IpAndAccount,
    ),
];

/// The guard of the page at `path`, if any. `/setup` is guarded alone, not what is under it.
pub fn guard_for(path: &str) -> Option<Guard> {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    GUARDED_PAGES.iter().find_map(|&(prefix, guard)| {
        let matches = match guard {
            Guard::SetupOnly => path == prefix,
            _ => under(prefix),
        };
        matches.then_some(guard)
    })
}

/// The rate limit of a server function called at `path` (a POST), if any.
pub fn limit_for(path: &str) -> Option<(Rule, Scope)> {
    LIMITED_FUNCTIONS
        .iter()
        .find_map(|&(limited, rule, scope)| (limited == path).then_some((rule, scope)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_routes_are_listed_once() {
        let mut paths: Vec<_> = PLAIN_ROUTES.iter().map(|route| route.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), PLAIN_ROUTES.len());
    }

    #[test]
    fn rules_follow_the_matched_route() {
        assert_eq!(rules_for("/health").map(|r| r.probe), Some(true));
        assert_eq!(rules_for("/metrics").map(|r| r.probe), Some(false));
        let part = rules_for("/media/uploads/{id}/parts/{index}").unwrap();
        assert!(part.long_upload);
        let downloads = rules_for("/admin/content/{id}/downloads").unwrap();
        assert!(downloads.long_upload);
        assert_eq!(
            downloads.body_limit,
            Some(content::downloads::DOWNLOADS_BODY_LIMIT)
        );
        let captions = rules_for("/admin/content/{id}/captions").unwrap();
        assert!(!captions.long_upload);
        assert_eq!(rules_for("/admin/content/{id}"), None);
    }

    #[test]
    fn guards_by_path() {
        assert_eq!(guard_for("/admin"), Some(Guard::Owner));
        assert_eq!(guard_for("/admin/emails"), Some(Guard::Owner));
        assert_eq!(guard_for("/administrator"), None);
        assert_eq!(guard_for("/account/purchases"), Some(Guard::SignedIn));
        assert_eq!(guard_for("/library"), Some(Guard::SignedIn));
        assert_eq!(guard_for("/setup"), Some(Guard::SetupOnly));
        assert_eq!(guard_for("/setup/x"), None);
        assert_eq!(guard_for("/"), None);
        assert_eq!(guard_for("/login"), None);
    }

    #[test]
    fn visitors_catalog_and_item_pages_are_kept() {
        assert!(kept_for_visitors("/", None));
        assert!(kept_for_visitors("/", Some("q=film&page=2")));
        assert!(kept_for_visitors("/content/a-film", None));
        assert!(!kept_for_visitors("/content/a-film", Some("code=SPRING")));
        assert!(!kept_for_visitors("/content/a-film", Some("x=1&code=")));
        assert!(!kept_for_visitors("/content/", None));
        assert!(!kept_for_visitors("/content/a/b", None));
        assert!(!kept_for_visitors("/library", None));
        assert!(!kept_for_visitors("/pricing", None));
    }

    #[test]
    fn limits_follow_the_functions_paths() {
        assert_eq!(
            limit_for("/api/login"),
            Some((rate_limit::LOGIN, Scope::Ip))
        );
        assert_eq!(
            limit_for("/api/register"),
            Some((rate_limit::REGISTER, Scope::Ip))
        );
        assert_eq!(
            limit_for("/api/reset_password"),
            Some((rate_limit::RESET_PASSWORD, Scope::Ip))
        );
        assert_eq!(
            limit_for("/api/change_password"),
            Some((rate_limit::CHANGE_PASSWORD, Scope::IpAndAccount))
        );
        assert_eq!(limit_for("/api/logout"), None);
    }
}
