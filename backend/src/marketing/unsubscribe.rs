//! `POST /email/unsubscribe?token=…&email=…`: the one-click unsubscribe of RFC 8058, which a
//! mail client posts (`List-Unsubscribe=One-Click`) without cookies or a page. The signed
//! token is the only proof needed; a forged or altered one gets 400 and changes nothing.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::{consent, links};
use crate::error::{Answer, Error};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Link {
    token: String,
    email: Option<String>,
}

pub async fn one_click(
    State(state): State<AppState>,
    Query(link): Query<Link>,
) -> Result<StatusCode, Error> {
    let user =
        links::person(&state.link_key, &link.token).ok_or(Error::Answer(Answer::InvalidToken))?;
    let email = link
        .email
        .as_deref()
        .and_then(|id| Uuid::try_parse(id).ok());
    consent::unsubscribe(&state.pool, user, email).await?;
    Ok(StatusCode::OK)
}
