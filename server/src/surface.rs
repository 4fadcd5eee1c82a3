//! The HTTP surface in one place: which pages are guarded and how, and which server
//! functions are rate-limited. The page components are routed in `app::App`; the plain
//! handlers in `backend::routes`; the middleware that applies these tables is
//! `page_guard` and `rate_limit_layer`.

use app::account::api::{ChangeEmail, ChangePassword, UpdateName};
use app::auth::api::{
    ForgotPassword, Login, Register, ResendVerification, ResetPassword, SetupOwner,
};
use backend::rate_limit::{self, Rule};
use leptos::server_fn::ServerFn;

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
const LIMITED_FUNCTIONS: [(&str, Rule, Scope); 9] = [
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
