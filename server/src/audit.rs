//! Writes the security log (`backend::security_log`): failed logins, refused requests and
//! every state change the owner makes, with who, from where, what and how it was answered.
//! Only named ids and reasons are taken from a form (never a password or a token), read with
//! a deadline and never on upload paths; entries about requests nobody signed in made are
//! bounded per address, a customer's per person, and repeats are counted on one entry.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use backend::rate_limit;
use backend::security_log::{self, NewEvent};
use domain::security::SecurityEventKind;
use leptos::server_fn::ServerFn;
use tower_sessions::Session;
use uuid::Uuid;

use crate::client_ip::ClientIp;
use crate::security::is_state_changing;
use crate::surface::Rules;
use crate::AppContext;

/// Form fields worth keeping in the log: what was acted on, and why.
const DETAIL_FIELDS: [&str; 10] = [
    "id",
    "content_id",
    "purchase_id",
    "media_id",
    "user_id",
    "customer_id",
    "reason",
    "intent",
    "status",
    "email",
];
/// Forms larger than this are not read for the log (uploads, long descriptions).
const MAX_READ_FORM: usize = 16 * 1024;
/// How long a form may take to arrive for the log: read before anyone is authenticated, so
/// a client trickling it must not hold the request (and its slot) longer.
const FORM_READ_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);
const MAX_TEXT: usize = 300;

fn truncated(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

/// The kept fields of a small url-encoded form, and the request to pass on unchanged.
async fn form_detail(request: Request) -> (Request, String) {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let small = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n <= MAX_READ_FORM);
    if !is_form || !small || Rules::of(&request).long_upload {
        return (request, String::new());
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(
        FORM_READ_DEADLINE,
        axum::body::to_bytes(body, MAX_READ_FORM),
    );
    let Ok(Ok(bytes)) = read.await else {
        // Too slow, or broken off: the handler gets an empty body and answers for itself.
        return (Request::from_parts(parts, Body::empty()), String::new());
    };
    let detail = url::form_urlencoded::parse(&bytes)
        .filter(|(name, _)| DETAIL_FIELDS.contains(&name.as_ref()))
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(", ");
    (
        Request::from_parts(parts, Body::from(bytes)),
        truncated(&detail),
    )
}

/// What a request was, for the log, from how it was answered: a failed login, a refusal,
/// a change (an owner action if the owner made it), or nothing worth logging.
fn classify(path: &str, state_changing: bool, status: StatusCode) -> Option<SecurityEventKind> {
    use app::auth::api::Login;
    if path == Login::PATH && status == StatusCode::UNAUTHORIZED {
        return Some(SecurityEventKind::LoginFailed);
    }
    if status == StatusCode::FORBIDDEN || (state_changing && status == StatusCode::UNAUTHORIZED) {
        return Some(SecurityEventKind::AccessRefused);
    }
    let done = status.is_success() || status.is_redirection();
    (state_changing && done).then_some(SecurityEventKind::OwnerAction)
}

async fn is_owner(ctx: &AppContext, user: Option<Uuid>) -> bool {
    let Some(user) = user else { return false };
    matches!(
        backend::auth::users::find_by_id(&ctx.app.pool, user).await,
        Ok(Some(record)) if record.view().is_owner()
    )
}

pub async fn audit(State(ctx): State<AppContext>, request: Request, next: Next) -> Response {
    let state_changing = is_state_changing(request.method());
    let path = request.uri().path().to_owned();
    let ip = ClientIp::text_of(&request);
    let session = request.extensions().get::<Session>().cloned();
    let actor = match &session {
        Some(session) => backend::auth::session::claimed_user_id(session).await,
        None => None,
    };
    let (request, detail) = if state_changing {
        form_detail(request).await
    } else {
        (request, String::new())
    };
    let response = next.run(request).await;

    let status = response.status();
    let Some(kind) = classify(&path, state_changing, status) else {
        return response;
    };
    // Only the owner's changes are logged; the role is looked up for successful changes only.
    if kind == SecurityEventKind::OwnerAction && !is_owner(&ctx, actor).await {
        return response;
    }
    // Entries nobody signed in caused are bounded per address, a customer's per person; the
    // owner's own actions are always written.
    let bound = match actor {
        None => Some(ip.clone()),
        Some(user) if kind != SecurityEventKind::OwnerAction => Some(format!("user:{user}")),
        Some(_) => None,
    };
    if let Some(key) = bound {
        let allowed = rate_limit::hit(&ctx.app.pool, rate_limit::SECURITY_LOG, &key)
            .await
            .is_ok_and(|d| d.allowed);
        if !allowed {
            tracing::warn!(%ip, kind = kind.as_str(), "security log: too many entries from this address or person; not recorded");
            return response;
        }
    }
    let event = NewEvent {
        kind,
        actor,
        ip: &ip,
        action: &truncated(&path),
        status: status.as_u16(),
        detail: &detail,
    };
    if let Err(error) = security_log::record(&ctx.app.pool, &event).await {
        error.log();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_logged() {
        use SecurityEventKind::*;
        let ok = StatusCode::OK;
        assert_eq!(
            classify("/api/login", true, StatusCode::UNAUTHORIZED),
            Some(LoginFailed)
        );
        assert_eq!(classify("/api/login", true, ok), Some(OwnerAction));
        assert_eq!(
            classify("/admin", false, StatusCode::FORBIDDEN),
            Some(AccessRefused)
        );
        assert_eq!(
            classify("/api/list_outbox", true, StatusCode::UNAUTHORIZED),
            Some(AccessRefused)
        );
        assert_eq!(classify("/library", false, StatusCode::UNAUTHORIZED), None);
        assert_eq!(classify("/library", false, ok), None);
        assert_eq!(
            classify("/api/refund_purchase", true, ok),
            Some(OwnerAction)
        );
        assert_eq!(
            classify("/api/save_settings", true, StatusCode::BAD_REQUEST),
            None
        );
    }
}
