//! `GET /admin/purchases.csv`: the owner's purchase list with the page's filters, every row.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use tower_sessions::Session;

use super::service::{admin_rows, PurchaseFilter};
use crate::auth::caller::owner_of_session;
use crate::csv;
use crate::error::Error;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    status: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

pub async fn purchases_csv(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ExportQuery>,
) -> Result<Response, Error> {
    owner_of_session(&state.pool, &session).await?;
    let filter = PurchaseFilter {
        status: query.status,
        query: query.q,
        from: query.from,
        to: query.to,
        customer: None,
    };
    let rows = admin_rows(&state.pool, filter, i64::MAX).await?;
    let mut body = csv::row(&[
        "Date",
        "Customer email",
        "Customer name",
        "Item",
        "Amount (USD)",
        "Status",
        "Kind",
        "Payment id",
        "Refund reason",
    ]);
    for p in rows {
        body.push_str(&csv::row(&[
            p.created_at,
            p.customer_email,
            p.customer_name,
            p.title,
            csv::amount(i64::from(p.amount_cents)),
            p.status.label().to_string(),
            p.kind.as_str().to_string(),
            p.payment_id.unwrap_or_default(),
            p.refund_reason.unwrap_or_default(),
        ]));
    }
    Ok(csv::download("purchases.csv", body))
}
