//! `GET /receipt/{purchase}`: the durable link in every receipt email (as Gumroad's receipt
//! links). It opens the purchase's entry in the customer's library, or its receipt when the
//! item can no longer be played (refunded, rental over). It signs nobody in: a visitor is
//! sent to log in and comes back here; someone signed in to another account is told so,
//! and learns nothing about the purchase or whose it is.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::paths;
use tower_sessions::Session;
use uuid::Uuid;

use crate::access::{self, Target};
use crate::auth::session;
use crate::error::Error;
use crate::state::AppState;

/// Where the library page says the link belongs to another account.
pub const OTHER_ACCOUNT: &str = "/library?receipt=other-account";

pub async fn open(
    State(state): State<AppState>,
    session: Session,
    Path(purchase): Path<String>,
) -> Result<Response, Error> {
    // Anything but a purchase id is treated as someone else's purchase: same answer.
    let purchase = Uuid::try_parse(&purchase).ok();
    let Some(user) = session::current_user(&state.pool, &session).await? else {
        let back = purchase.map_or_else(|| paths::LIBRARY.to_string(), paths::receipt_link);
        return Ok(Redirect::to(&paths::login_then(&back)).into_response());
    };
    let found = match purchase {
        Some(id) => sqlx::query!(
            "SELECT p.id, p.content_id, c.slug FROM purchases p JOIN content c ON c.id = p.content_id
             WHERE p.id = $1 AND p.user_id = $2",
            id,
            user.id
        )
        .fetch_optional(&state.pool)
        .await?,
        None => None,
    };
    let Some(found) = found else {
        return Ok(Redirect::to(OTHER_ACCOUNT).into_response());
    };
    let to = if access::may_play(&state.pool, user.id, Target::Content(found.content_id)).await? {
        paths::library_entry(&found.slug)
    } else {
        paths::purchase_receipt(found.id)
    };
    Ok(Redirect::to(&to).into_response())
}
