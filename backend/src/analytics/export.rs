//! `GET /admin/analytics/export.csv?table=days|items|retention|quality|sources&range=…`: every
//! table of the analytics pages as CSV (an item's tables with `&item=<id>`), the same
//! figures the pages show.

use axum::extract::{Query, State};
use axum::response::Response;
use domain::analytics::{basis_points_label, permille_label, ItemFigures};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::report::{self, Asked};
use crate::auth::caller::owner_of_session;
use crate::csv;
use crate::error::Error;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    table: String,
    item: Option<Uuid>,
    #[serde(flatten)]
    asked: Asked,
}

const ITEM_COLUMNS: [&str; 11] = [
    "Item",
    "Views",
    "Viewers",
    "Minutes watched",
    "Average watched",
    "Completions",
    "Page views",
    "Checkouts",
    "Paid",
    "Conversion",
    "Revenue (USD)",
];

fn item_row(item: &ItemFigures) -> String {
    csv::row(&[
        item.title.clone(),
        item.views.to_string(),
        item.viewers.to_string(),
        (item.watch_seconds / 60).to_string(),
        permille_label(item.average_watched_permille),
        item.completions.to_string(),
        item.page_views.to_string(),
        item.checkouts.to_string(),
        item.paid.to_string(),
        item.conversion_basis_points()
            .map_or(String::new(), basis_points_label),
        csv::amount(item.revenue_cents),
    ])
}

pub async fn analytics_csv(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ExportQuery>,
) -> Result<Response, Error> {
    let owner = owner_of_session(&state.pool, &session).await?;
    let item = || {
        query
            .item
            .ok_or_else(|| Error::validation("Choose an item."))
    };
    let (name, body) = match query.table.as_str() {
        "days" => {
            let overview = report::overview(&state, &owner, &query.asked).await?;
            let mut body = csv::row(&["Day", "Views", "Minutes watched", "Revenue (USD)"]);
            for day in &overview.days {
                body.push_str(&csv::row(&[
                    day.day.clone(),
                    day.views.to_string(),
                    (day.watch_seconds / 60).to_string(),
                    csv::amount(day.revenue_cents),
                ]));
            }
            ("analytics-days.csv", body)
        }
        "items" => {
            let overview = report::overview(&state, &owner, &query.asked).await?;
            let mut body = csv::row(&ITEM_COLUMNS);
            for item in &overview.items {
                body.push_str(&item_row(item));
            }
            ("analytics-items.csv", body)
        }
        "retention" => {
            let report = report::item_report(&state, &owner, item()?, &query.asked).await?;
            let mut body = csv::row(&["Point of the item", "Still watching"]);
            for (bucket, permille) in report.retention_permille.iter().enumerate() {
                body.push_str(&csv::row(&[
                    format!("{bucket}%"),
                    permille_label(*permille),
                ]));
            }
            ("analytics-retention.csv", body)
        }
        "quality" => {
            let q = report::item_report(&state, &owner, item()?, &query.asked)
                .await?
                .quality;
            let ms = |v: Option<i32>| v.map_or(String::new(), |v| v.to_string());
            let mut body = csv::row(&["Figure", "Value"]);
            for (name, value) in [
                ("Startup p50 (ms)", ms(q.startup_p50_ms)),
                ("Startup p75 (ms)", ms(q.startup_p75_ms)),
                ("Startup p95 (ms)", ms(q.startup_p95_ms)),
                ("Rebuffering", basis_points_label(q.rebuffer_basis_points)),
                (
                    "Playback failures",
                    basis_points_label(q.failure_basis_points),
                ),
                ("Exits before start", q.exits_before_start.to_string()),
                ("Sessions", q.sessions.to_string()),
            ] {
                body.push_str(&csv::row(&[name.to_string(), value]));
            }
            ("analytics-quality.csv", body)
        }
        "sources" => {
            let report = report::item_report(&state, &owner, item()?, &query.asked).await?;
            let mut body = csv::row(&["Source", "Visits", "Checkouts", "Paid"]);
            for source in &report.sources {
                body.push_str(&csv::row(&[
                    source.source.clone(),
                    source.visits.to_string(),
                    source.checkouts.to_string(),
                    source.paid.to_string(),
                ]));
            }
            ("analytics-sources.csv", body)
        }
        _ => return Err(Error::validation("Choose a table to export.")),
    };
    Ok(csv::download(name, body))
}
