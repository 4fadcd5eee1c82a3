//! The hosted checkout page: a card form that takes Stripe's test cards.

use std::collections::HashMap;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::objects::{Session, Status};
use crate::{api, Shared};

const PAYING_CARD: &str = "4242424242424242";
const DECLINED_CARD: &str = "4000000000000002";
/// Pays, then the buyer's bank disputes the payment.
const DISPUTED_CARD: &str = "4000000000000259";

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn money(cents: i64, currency: &str) -> String {
    let symbol = if currency == "usd" { "$" } else { "" };
    format!("{symbol}{}.{:02}", cents / 100, cents % 100)
}

pub(crate) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;background:#f6f9fc;color:#1a1f36;margin:0;padding:2rem 1rem}}
main{{max-width:26rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 2px 8px #0002}}
.test{{background:#ffde92;color:#5c3b00;padding:.25rem .5rem;border-radius:4px;font-size:.8rem;font-weight:600}}
label{{display:block;margin:1rem 0 .25rem;font-weight:600}}
input{{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8792a2;border-radius:4px}}
button{{width:100%;margin-top:1rem;padding:.7rem;font-size:1rem;border:0;border-radius:4px;background:#635bff;color:#fff;cursor:pointer}}
button.secondary{{background:none;color:#3c4257;text-decoration:underline}}
[role=alert]{{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px;margin-top:1rem}}
small{{color:#4f566b}}
</style></head><body><main>{body}</main></body></html>"#
    ))
}

fn checkout_form(session: &Session, error: Option<&str>) -> Html<String> {
    let amount = money(session.amount, &session.currency);
    let alert = error
        .map(|message| format!(r#"<p role="alert">{}</p>"#, escape(message)))
        .unwrap_or_default();
    let email = session
        .customer_email
        .as_deref()
        .map(|e| format!("<p><small>Paying as {}</small></p>", escape(e)))
        .unwrap_or_default();
    page(
        &format!("Pay {amount}"),
        &format!(
            r#"<p><span class="test">TEST MODE</span></p>
<h1>{name}</h1><p><strong>{amount}</strong></p>{email}{alert}
<form method="post" action="/pay/{id}">
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>
<button type="submit">Pay {amount}</button>
</form>
<form method="post" action="/pay/{id}/cancel"><button type="submit" class="secondary">Cancel and return</button></form>
<p><small>Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 0259 pays and is disputed.</small></p>"#,
            name = escape(&session.product_name),
            id = escape(&session.id),
        ),
    )
}

fn closed(session: &Session) -> Response {
    let message = match session.status {
        Status::Complete => "This checkout is already paid.",
        _ => "This checkout has expired.",
    };
    (
        StatusCode::GONE,
        page(
            "Checkout closed",
            &format!(
                r#"<p role="alert">{message}</p><p><a href="{}">Return</a></p>"#,
                escape(&session.cancel_url)
            ),
        ),
    )
        .into_response()
}

fn session(shared: &Shared, id: &str) -> Option<Session> {
    shared.store.lock().unwrap().sessions.get(id).cloned()
}

fn unknown() -> Response {
    (
        StatusCode::NOT_FOUND,
        page(
            "Not found",
            r#"<p role="alert">This checkout does not exist.</p>"#,
        ),
    )
        .into_response()
}

pub async fn show(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    match session(&shared, &id) {
        None => unknown(),
        Some(s) if s.status != Status::Open => closed(&s),
        Some(s) => checkout_form(&s, None).into_response(),
    }
}

pub async fn pay(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(current) = session(&shared, &id) else {
        return unknown();
    };
    if current.status != Status::Open {
        return closed(&current);
    }
    let card: String = form
        .get("card")
        .map(|c| c.chars().filter(char::is_ascii_digit).collect())
        .unwrap_or_default();
    match card.as_str() {
        PAYING_CARD | DISPUTED_CARD => match api::complete(
            &shared,
            &id,
            &card[card.len() - 4..],
            card == DISPUTED_CARD,
        ) {
            Some(success_url) => Redirect::to(&success_url).into_response(),
            None => closed(&current),
        },
        DECLINED_CARD => (
            StatusCode::PAYMENT_REQUIRED,
            checkout_form(
                &current,
                Some("Your card was declined. Try another card or cancel."),
            ),
        )
            .into_response(),
        _ => (
            StatusCode::BAD_REQUEST,
            checkout_form(
                &current,
                Some("Use a test card: 4242 4242 4242 4242, 4000 0000 0000 0002 or 4000 0000 0000 0259."),
            ),
        )
            .into_response(),
    }
}

/// Back to the seller; the session stays open until it expires, as on Stripe.
pub async fn cancel(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    match session(&shared, &id) {
        None => unknown(),
        Some(s) => Redirect::to(&s.cancel_url).into_response(),
    }
}
