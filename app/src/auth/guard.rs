//! Who is calling a server function. Server functions are public HTTP endpoints: each one
//! starts from [`call`], and the backend operation it runs takes the checked caller
//! (`call.caller.owner()?`, `call.caller.signed_in()?`) as a value.

use std::sync::Arc;

use backend::auth::sign_ins::Client;
use backend::auth::Caller;
use backend::client_ip::ClientIp;
use backend::{AppState, Error};
use leptos::prelude::use_context;
use tokio::sync::OnceCell;
use tower_sessions::Session;

/// What a server function call brings: the state, the session and who is calling.
pub struct Call {
    pub state: AppState,
    pub session: Session,
    pub caller: Caller,
}

/// Who is calling, found once per request: a page's render calls several server functions
/// (the header's, the page's), and each would otherwise look the caller up again. The
/// server provides one per request (page or server function call).
#[derive(Clone, Default)]
pub struct RequestCaller(Arc<OnceCell<Caller>>);

pub async fn call() -> Result<Call, Error> {
    let state = crate::state::app_state()?;
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|e| backend::error::internal("session missing from request", e.to_string()))?;
    let caller = match use_context::<RequestCaller>() {
        Some(RequestCaller(once)) => once
            .get_or_try_init(|| Caller::of_session(&state.pool, &session))
            .await?
            .clone(),
        None => Caller::of_session(&state.pool, &session).await?,
    };
    Ok(Call {
        state,
        session,
        caller,
    })
}

/// Where the request comes from: its user agent and the address the server resolved (for
/// naming a sign-in's or a stream's device and network).
pub async fn client() -> Client {
    let headers: http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let user_agent = headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(512)
        .collect();
    let ip = leptos_axum::extract::<axum::Extension<ClientIp>>()
        .await
        .ok()
        .map(|axum::Extension(ClientIp(ip))| ip);
    Client { user_agent, ip }
}
