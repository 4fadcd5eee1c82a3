//! `GET /admin/customers.csv?q=`: the (filtered) customer list, every row.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use tower_sessions::Session;

use super::service::{rows, search_term, Customers};
use crate::auth::caller::owner_of_session;
use crate::csv;
use crate::error::Error;
use crate::query::Window;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    q: Option<String>,
}

pub async fn customers_csv(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ExportQuery>,
) -> Result<Response, Error> {
    owner_of_session(&state.pool, &session).await?;
    let term = search_term(query.q);
    let customers = rows(
        &state.pool,
        Customers::Matching(term.as_deref()),
        Window::ALL,
    )
    .await?;
    let mut body = csv::row(&[
        "Email",
        "Name",
        "Joined",
        "Verified",
        "Purchases",
        "Total spent (USD)",
    ]);
    for c in customers {
        body.push_str(&csv::row(&[
            c.email,
            c.name,
            c.joined_on,
            if c.verified { "yes" } else { "no" }.to_string(),
            c.purchases.to_string(),
            csv::amount(c.total_spent_cents),
        ]));
    }
    Ok(csv::download("customers.csv", body))
}
