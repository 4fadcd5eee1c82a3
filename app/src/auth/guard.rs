//! Who is calling a server function. Server functions are public HTTP endpoints: each one
//! starts from [`call`], and the backend operation it runs takes the checked caller
//! (`call.caller.owner()?`, `call.caller.signed_in()?`) as a value.

use backend::auth::Caller;
use backend::{AppState, Error};
use tower_sessions::Session;

/// What a server function call brings: the state, the session and who is calling.
pub struct Call {
    pub state: AppState,
    pub session: Session,
    pub caller: Caller,
}

pub async fn call() -> Result<Call, Error> {
    let state = crate::state::app_state()?;
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|e| backend::error::internal("session missing from request", e.to_string()))?;
    let caller = Caller::of_session(&state.pool, &session).await?;
    Ok(Call {
        state,
        session,
        caller,
    })
}
