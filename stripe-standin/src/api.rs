//! The REST endpoints: form-encoded requests in, Stripe-shaped JSON out.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::objects::{self, Session, Status};
use crate::{new_id, now, webhooks, Shared};

/// A day, as on Stripe.
const SESSION_LIFETIME_SECS: i64 = 24 * 3600;

type Answer = (StatusCode, Value);

pub(crate) fn invalid(message: &str) -> Answer {
    (
        StatusCode::BAD_REQUEST,
        objects::error_json("invalid_request_error", Some("parameter_invalid"), message),
    )
}

pub(crate) fn not_found(what: &str) -> Answer {
    (
        StatusCode::NOT_FOUND,
        objects::error_json(
            "invalid_request_error",
            Some("resource_missing"),
            &format!("No such {what}"),
        ),
    )
}

/// Every request carries `Authorization: Bearer <secret key>`.
pub(crate) fn authorized(headers: &HeaderMap) -> Result<(), Answer> {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if key.starts_with("sk_") {
        Ok(())
    } else {
        Err((
            StatusCode::UNAUTHORIZED,
            objects::error_json(
                "invalid_request_error",
                None,
                "Invalid API Key provided. Use a key that starts with sk_.",
            ),
        ))
    }
}

pub(crate) fn form(body: &Bytes) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Answers a POST once per `Idempotency-Key`: a retry with the same key gets the first answer
/// and changes nothing.
fn idempotent(
    shared: &Shared,
    headers: &HeaderMap,
    scope: &str,
    run: impl FnOnce() -> Answer,
) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("{scope}:{k}"));
    if let Some(key) = &key {
        if let Some((status, body)) = shared.store.lock().unwrap().idempotent.get(key).cloned() {
            return respond((StatusCode::from_u16(status).unwrap(), body));
        }
    }
    let (status, body) = run();
    if let Some(key) = key {
        if status.is_success() {
            shared
                .store
                .lock()
                .unwrap()
                .idempotent
                .insert(key, (status.as_u16(), body.clone()));
        }
    }
    respond((status, body))
}

pub(crate) fn respond((status, body): Answer) -> Response {
    (status, Json(body)).into_response()
}

pub async fn create_session(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let params = form(&body);
    idempotent(
        &shared,
        &headers,
        "checkout.session",
        || match new_session(&params) {
            Ok(session) => {
                let json = session.to_json(&shared.base_url);
                let mut store = shared.store.lock().unwrap();
                store.session_order.push(session.id.clone());
                store.sessions.insert(session.id.clone(), session);
                (StatusCode::OK, json)
            }
            Err(message) => invalid(&message),
        },
    )
}

/// The `prefix[name]` parameters, as a map of `name` to value.
pub(crate) fn metadata(params: &HashMap<String, String>, prefix: &str) -> HashMap<String, String> {
    params
        .iter()
        .filter_map(|(key, value)| {
            let name = key
                .strip_prefix(prefix)?
                .strip_prefix('[')?
                .strip_suffix(']')?;
            Some((name.to_string(), value.clone()))
        })
        .collect()
}

/// A session from the create parameters: payment or subscription mode, one line item with
/// inline price data (recurring, monthly or yearly, in subscription mode).
fn new_session(params: &HashMap<String, String>) -> Result<Session, String> {
    let get = |key: &str| params.get(key).cloned();
    let item = "line_items[0]";
    let recurring = match get("mode").as_deref() {
        Some("payment") => None,
        Some("subscription") => Some(
            get(&format!("{item}[price_data][recurring][interval]"))
                .filter(|i| i == "month" || i == "year")
                .ok_or("line_items[0][price_data][recurring][interval]: `month` or `year` is required in subscription mode")?,
        ),
        _ => return Err("mode: only `payment` and `subscription` are supported".into()),
    };
    let amount: i64 = get(&format!("{item}[price_data][unit_amount]"))
        .and_then(|v| v.parse().ok())
        .filter(|amount| *amount >= 50)
        .ok_or("line_items[0][price_data][unit_amount]: an amount of at least 50 is required")?;
    let quantity: i64 = get(&format!("{item}[quantity]"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let currency = get(&format!("{item}[price_data][currency]"))
        .ok_or("line_items[0][price_data][currency] is required")?;
    let product_name = get(&format!("{item}[price_data][product_data][name]"))
        .ok_or("line_items[0][price_data][product_data][name] is required")?;
    let success_url = get("success_url").ok_or("success_url is required")?;
    let cancel_url = get("cancel_url").ok_or("cancel_url is required")?;
    let created = now();
    let amount = amount * quantity;
    let automatic_tax = get("automatic_tax[enabled]").as_deref() == Some("true");
    Ok(Session {
        id: new_id("cs_test"),
        created,
        expires_at: get("expires_at")
            .and_then(|v| v.parse().ok())
            .unwrap_or(created + SESSION_LIFETIME_SECS),
        amount,
        tax: if automatic_tax { (amount + 5) / 10 } else { 0 },
        automatic_tax,
        currency: currency.to_ascii_lowercase(),
        product_name,
        customer_email: get("customer_email"),
        client_reference_id: get("client_reference_id"),
        metadata: metadata(params, "metadata"),
        success_url,
        cancel_url,
        status: Status::Open,
        payment: None,
        recurring,
        subscription_metadata: metadata(params, "subscription_data[metadata]"),
        subscription: None,
        customer: None,
    })
}

pub async fn retrieve_session(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let store = shared.store.lock().unwrap();
    respond(match store.sessions.get(&id) {
        Some(session) => (StatusCode::OK, session.to_json(&shared.base_url)),
        None => not_found(&format!("checkout.session: '{id}'")),
    })
}

pub async fn expire_session(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let answer = {
        let mut store = shared.store.lock().unwrap();
        match store.sessions.get_mut(&id) {
            None => Err(not_found(&format!("checkout.session: '{id}'"))),
            Some(session) if session.status != Status::Open => Err(invalid(
                "Only Checkout Sessions with a status of `open` can be expired.",
            )),
            Some(session) => {
                session.status = Status::Expired;
                Ok(session.to_json(&shared.base_url))
            }
        }
    };
    match answer {
        Ok(json) => {
            webhooks::deliver(
                &shared,
                objects::event_json("checkout.session.expired", json.clone()),
            );
            respond((StatusCode::OK, json))
        }
        Err(answer) => respond(answer),
    }
}

pub async fn create_refund(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let params = form(&body);
    idempotent(&shared, &headers, "refund", || {
        match refund(&shared, &params) {
            Ok((refund, charge)) => {
                webhooks::deliver(&shared, objects::event_json("charge.refunded", charge));
                (StatusCode::OK, refund)
            }
            Err(answer) => answer,
        }
    })
}

/// Refunds all that is left of a payment (or `amount` of it); gives the refund and the
/// charge after it.
fn refund(shared: &Shared, params: &HashMap<String, String>) -> Result<(Value, Value), Answer> {
    let target = params
        .get("payment_intent")
        .or_else(|| params.get("charge"))
        .ok_or_else(|| invalid("payment_intent or charge is required"))?;
    let mut store = shared.store.lock().unwrap();
    let charged = store
        .sessions
        .values()
        .filter_map(objects::Session::charged)
        .chain(store.invoice_payments.values().map(|p| p.charged.clone()))
        .find(|c| &c.payment.payment_intent == target || &c.payment.charge == target)
        .ok_or_else(|| not_found(&format!("payment_intent: '{target}'")))?;
    let payment = charged.payment.clone();
    let already = store
        .refunded
        .get(&payment.payment_intent)
        .copied()
        .unwrap_or(0);
    let left = charged.amount - already;
    if left <= 0 {
        return Err((
            StatusCode::BAD_REQUEST,
            objects::error_json(
                "invalid_request_error",
                Some("charge_already_refunded"),
                &format!("Charge {} has already been refunded.", payment.charge),
            ),
        ));
    }
    let amount = match params.get("amount") {
        Some(value) => value
            .parse::<i64>()
            .ok()
            .filter(|a| *a > 0 && *a <= left)
            .ok_or_else(|| invalid("amount: must be positive and at most what is left"))?,
        None => left,
    };
    store
        .refunded
        .insert(payment.payment_intent.clone(), already + amount);
    let metadata = metadata(params, "metadata");
    let refund = objects::refund_json(
        &new_id("re"),
        amount,
        &charged.currency,
        &payment,
        params.get("reason").map(String::as_str),
        &metadata,
    );
    let charge = charged.charge_json(already + amount);
    Ok((refund, charge))
}

/// Marks a session paid by the card ending `last4` and sends `charge.succeeded` and
/// `checkout.session.completed`, as Stripe does; `None` when it is not open. The dispute
/// card (4000 0000 0000 0259) also has its payment disputed right after, as on Stripe.
pub(crate) fn complete(shared: &Shared, id: &str, last4: &str, disputed: bool) -> Option<String> {
    let (json, charge, success_url, dispute) = {
        let mut store = shared.store.lock().unwrap();
        let session = store.sessions.get_mut(id)?;
        if session.status != Status::Open {
            return None;
        }
        if session.recurring.is_some() {
            drop(store);
            return crate::subscriptions::start(shared, id);
        }
        session.status = Status::Complete;
        let payment = objects::Payment {
            payment_intent: new_id("pi"),
            charge: new_id("ch"),
            created: now(),
            last4: last4.to_string(),
        };
        session.payment = Some(payment.clone());
        let session = session.clone();
        let dispute = disputed.then(|| objects::Dispute {
            id: new_id("dp"),
            payment_intent: payment.payment_intent.clone(),
            charge: payment.charge.clone(),
            amount: session.amount + session.tax,
            currency: session.currency.clone(),
            created: now(),
            status: "needs_response".into(),
        });
        if let Some(dispute) = &dispute {
            store.disputes.insert(dispute.id.clone(), dispute.clone());
        }
        (
            session.to_json(&shared.base_url),
            session.charge_json(0).expect("paid"),
            session.success_url.replace("{CHECKOUT_SESSION_ID}", id),
            dispute,
        )
    };
    webhooks::deliver(shared, objects::event_json("charge.succeeded", charge));
    webhooks::deliver(
        shared,
        objects::event_json("checkout.session.completed", json),
    );
    if let Some(dispute) = dispute {
        webhooks::deliver(
            shared,
            objects::event_json("charge.dispute.created", dispute.to_json()),
        );
    }
    Some(success_url)
}

/// `GET /v1/events` and `GET /v1/checkout/sessions`: newest first, `created[gte]`,
/// `types[]` (events), `limit` (up to 100) and `starting_after`, as Stripe pages them.
fn page(objects: Vec<Value>, query: &[(String, String)]) -> Value {
    let get = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let since: i64 = get("created[gte]")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let types: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "types[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let limit: usize = get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let mut matching: Vec<Value> = objects
        .into_iter()
        .rev()
        .filter(|o| o["created"].as_i64().unwrap_or(0) >= since)
        .filter(|o| types.is_empty() || types.contains(&o["type"].as_str().unwrap_or("")))
        .collect();
    if let Some(after) = get("starting_after") {
        let position = matching.iter().position(|o| o["id"] == after);
        matching = match position {
            Some(at) => matching.split_off(at + 1),
            None => Vec::new(),
        };
    }
    let has_more = matching.len() > limit;
    matching.truncate(limit);
    serde_json::json!({ "object": "list", "data": matching, "has_more": has_more, "url": "/v1/list" })
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

pub async fn list_events(
    State(shared): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let events = shared.store.lock().unwrap().events.clone();
    respond((StatusCode::OK, page(events, &query_pairs(uri.query()))))
}

pub async fn list_sessions(
    State(shared): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let sessions = {
        let store = shared.store.lock().unwrap();
        store
            .session_order
            .iter()
            .filter_map(|id| store.sessions.get(id))
            .map(|s| s.to_json(&shared.base_url))
            .collect()
    };
    respond((StatusCode::OK, page(sessions, &query_pairs(uri.query()))))
}

/// `GET /v1/disputes?payment_intent=pi_…`.
pub async fn list_disputes(
    State(shared): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let query = query_pairs(uri.query());
    let payment = query
        .iter()
        .find(|(k, _)| k == "payment_intent")
        .map(|(_, v)| v.clone());
    let disputes: Vec<Value> = shared
        .store
        .lock()
        .unwrap()
        .disputes
        .values()
        .filter(|d| payment.as_ref().is_none_or(|p| &d.payment_intent == p))
        .map(objects::Dispute::to_json)
        .collect();
    respond((
        StatusCode::OK,
        serde_json::json!({ "object": "list", "data": disputes, "has_more": false, "url": "/v1/disputes" }),
    ))
}

/// `POST /v1/disputes/{id}` with `evidence[uncategorized_text]`: as in Stripe's test mode,
/// `winning_evidence` closes the dispute as won and `losing_evidence` as lost, with
/// `charge.dispute.closed`.
pub async fn update_dispute(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let params = form(&body);
    let outcome = match params
        .get("evidence[uncategorized_text]")
        .map(String::as_str)
    {
        Some("winning_evidence") => "won",
        Some("losing_evidence") => "lost",
        _ => {
            return respond(invalid(
                "evidence[uncategorized_text]: winning_evidence or losing_evidence",
            ))
        }
    };
    let json = {
        let mut store = shared.store.lock().unwrap();
        let Some(dispute) = store.disputes.get_mut(&id) else {
            return respond(not_found(&format!("dispute: '{id}'")));
        };
        if dispute.status != "needs_response" {
            return respond(invalid("This dispute is already closed."));
        }
        dispute.status = outcome.into();
        dispute.to_json()
    };
    webhooks::deliver(
        &shared,
        objects::event_json("charge.dispute.closed", json.clone()),
    );
    respond((StatusCode::OK, json))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn valid() -> HashMap<String, String> {
        params(&[
            ("mode", "payment"),
            ("line_items[0][price_data][unit_amount]", "1299"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][product_data][name]", "A film"),
            ("line_items[0][quantity]", "1"),
            (
                "success_url",
                "http://app/checkout/success?session_id={CHECKOUT_SESSION_ID}",
            ),
            ("cancel_url", "http://app/content/a-film"),
            ("metadata[purchase_id]", "p1"),
            ("customer_email", "ann@example.com"),
        ])
    }

    #[test]
    fn a_subscription_session_and_its_subscription_parse_as_async_stripes() {
        let mut params = valid();
        params.insert("mode".into(), "subscription".into());
        assert!(new_session(&params).is_err(), "an interval is required");
        params.insert(
            "line_items[0][price_data][recurring][interval]".into(),
            "year".into(),
        );
        params.insert(
            "subscription_data[metadata][membership_id]".into(),
            "m1".into(),
        );
        let mut session = new_session(&params).unwrap();
        assert_eq!(session.subscription_metadata["membership_id"], "m1");
        assert!(!session.metadata.contains_key("membership_id"));
        session.status = Status::Complete;
        session.subscription = Some("sub_123456789012345678901234".into());
        session.customer = Some("cus_1".into());
        let json = session.to_json("http://standin").to_string();
        let parsed: stripe_shared::CheckoutSession = miniserde::json::from_str(&json).unwrap();
        assert_eq!(
            parsed.subscription.map(|s| s.id().as_str().to_string()),
            Some("sub_123456789012345678901234".to_string())
        );
        let subscription = objects::Subscription {
            id: "sub_123456789012345678901234".into(),
            customer: "cus_1".into(),
            customer_email: None,
            created: 1,
            amount: 5000,
            tax: 0,
            currency: "usd".into(),
            product_name: "Gold".into(),
            interval: "year".into(),
            status: "active".into(),
            current_period_start: 1,
            current_period_end: 1 + 365 * 24 * 3600,
            cancel_at_period_end: false,
            canceled_at: None,
            metadata: session.subscription_metadata.clone(),
            latest_invoice: "in_1".into(),
        };
        // Codex reads subscriptions with its own reader of the fields it uses (Stripe's full
        // subscription type requires its plan and price objects whole, which this omits).
        let json = subscription.to_json();
        assert_eq!(json["metadata"]["membership_id"], "m1");
        assert_eq!(json["status"], "active");
        for period in [&json, &json["items"]["data"][0]] {
            assert_eq!(period["current_period_end"], 1 + 365 * 24 * 3600);
        }
        let invoice = subscription.invoice_json("in_1", false, "subscription_cycle");
        assert_eq!(invoice["status"], "open");
        assert_eq!(
            invoice["parent"]["subscription_details"]["subscription"],
            "sub_123456789012345678901234"
        );
    }

    #[test]
    fn a_session_parses_as_async_stripes_checkout_session() {
        let mut session = new_session(&valid()).unwrap();
        let json = session.to_json("http://standin").to_string();
        let parsed: stripe_shared::CheckoutSession = miniserde::json::from_str(&json).unwrap();
        assert_eq!(parsed.amount_total, Some(1299));
        assert_eq!(parsed.metadata.unwrap()["purchase_id"], "p1");
        assert!(parsed
            .url
            .unwrap()
            .starts_with("http://standin/pay/cs_test_"));

        session.status = Status::Complete;
        session.payment = Some(objects::Payment {
            payment_intent: "pi_1".into(),
            charge: "ch_1".into(),
            created: 1,
            last4: "4242".into(),
        });
        let charge = session.charge_json(1299).unwrap().to_string();
        let parsed: stripe_shared::Charge = miniserde::json::from_str(&charge).unwrap();
        assert!(parsed.refunded);
        let refund = objects::refund_json(
            "re_1",
            1299,
            "usd",
            session.payment.as_ref().unwrap(),
            Some("requested_by_customer"),
            &HashMap::new(),
        )
        .to_string();
        let parsed: stripe_shared::Refund = miniserde::json::from_str(&refund).unwrap();
        assert_eq!(parsed.amount, 1299);
    }

    #[test]
    fn events_verify_and_parse_with_stripe_webhook() {
        let session = new_session(&valid()).unwrap();
        let event = objects::event_json(
            "checkout.session.completed",
            session.to_json("http://standin"),
        )
        .to_string();
        let header = webhooks::sign(&event, "whsec_x", now());
        let parsed = stripe_webhook::Webhook::construct_event(&event, &header, "whsec_x").unwrap();
        assert!(matches!(
            parsed.data.object,
            stripe_webhook::EventObject::CheckoutSessionCompleted(_)
        ));
    }

    #[test]
    fn sessions_need_payment_mode_an_amount_and_urls() {
        let mut missing_amount = valid();
        missing_amount.remove("line_items[0][price_data][unit_amount]");
        assert!(new_session(&missing_amount).is_err());
        let mut subscription = valid();
        subscription.insert("mode".into(), "subscription".into());
        assert!(new_session(&subscription).is_err());
        let mut no_success = valid();
        no_success.remove("success_url");
        assert!(new_session(&no_success).is_err());
    }
}
