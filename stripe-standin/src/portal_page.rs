//! The customer portal page: the customer's subscriptions, each with "Cancel membership"
//! (at the end of the period, as Stripe's portal does by default) or, once cancelled,
//! "Keep membership"; and a link back to the seller.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::checkout_page::{escape, money, page};
use crate::objects::Subscription;
use crate::{subscriptions, Shared};

fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[day padding:none] [month repr:short] [year]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

fn row(portal: &str, subscription: &Subscription) -> String {
    let price = format!(
        "{}/{}",
        money(subscription.amount, &subscription.currency),
        subscription.interval
    );
    let (state, action, label) = match subscription.status.as_str() {
        "canceled" => ("Ended".to_string(), None, ""),
        _ if subscription.cancel_at_period_end => (
            format!("Cancels on {}", date(subscription.current_period_end)),
            Some("resume"),
            "Keep membership",
        ),
        "past_due" => (
            "Payment failed: the card will be tried again".to_string(),
            Some("cancel"),
            "Cancel membership",
        ),
        _ => (
            format!("Renews on {}", date(subscription.current_period_end)),
            Some("cancel"),
            "Cancel membership",
        ),
    };
    let button = action
        .map(|action| {
            format!(
                r#"<form method="post" action="/portal/{portal}/{id}/{action}"><button type="submit">{label}</button></form>"#,
                portal = escape(portal),
                id = escape(&subscription.id),
            )
        })
        .unwrap_or_default();
    format!(
        r#"<section><h2>{name}</h2><p>{price}</p><p role="status">{state}</p>{button}</section>"#,
        name = escape(&subscription.product_name),
    )
}

pub async fn show(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let Some((portal, subscriptions)) = subscriptions::of_portal(&shared, &id) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", r#"<p role="alert">This link has expired.</p>"#),
        )
            .into_response();
    };
    let rows: String = subscriptions.iter().map(|s| row(&id, s)).collect();
    let html: Html<String> = page(
        "Manage your membership",
        &format!(
            r#"<p><span class="test">TEST MODE</span></p><h1>Manage your membership</h1>{rows}
<p><a href="{back}">Return to the site</a></p>"#,
            back = escape(&portal.return_url),
        ),
    );
    html.into_response()
}

pub async fn change(
    State(shared): State<Shared>,
    Path((portal, subscription, action)): Path<(String, String, String)>,
) -> Response {
    let cancel = match action.as_str() {
        "cancel" => true,
        "resume" => false,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    if !subscriptions::belongs(&shared, &portal, &subscription) {
        return StatusCode::NOT_FOUND.into_response();
    }
    subscriptions::set_cancel_at_period_end(&shared, &subscription, cancel);
    Redirect::to(&format!("/portal/{portal}")).into_response()
}
