//! Subscriptions: made when a subscription-mode Checkout is paid, read with
//! `GET /v1/subscriptions/{id}`, changed with `POST /v1/subscriptions/{id}`
//! (`cancel_at_period_end`) or in the customer portal (`POST /v1/billing_portal/sessions`),
//! and moved through their life by the stand-in's own test helpers (Stripe's test clocks do
//! this on Stripe): `POST /v1/test_helpers/subscriptions/{id}/renew` (the period ends and the
//! renewal is paid, or the subscription ends if it was cancelled at period end),
//! `/fail_renewal` (the period ends and the renewal's payment fails: `past_due`) and
//! `/cancel` (ended now, as when Stripe gives up retrying) and `/switch_price` (`unit_amount`,
//! `interval`: a plan switched in Stripe's portal or dashboard) and `/dispute` (the bank
//! disputes the latest invoice's payment; `POST /v1/disputes/{id}` closes it). Each change
//! sends the events Stripe sends: `customer.subscription.created/updated/deleted`,
//! `charge.succeeded`, `invoice.paid`, `invoice_payment.paid`, `invoice.payment_failed`,
//! `charge.dispute.created`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::api::{authorized, form, invalid, not_found, respond};
use crate::objects::{self, PortalSession, Status, Subscription};
use crate::{new_id, now, webhooks, Shared};

/// Pays a subscription-mode session: a customer and an active subscription for one period,
/// its first invoice paid; sends `checkout.session.completed`,
/// `customer.subscription.created` and `invoice.paid`. `None` when the session is not open.
pub(crate) fn start(shared: &Shared, session_id: &str) -> Option<String> {
    let (session_json, subscription, invoice, success_url) = {
        let mut store = shared.store.lock().unwrap();
        let session = store.sessions.get_mut(session_id)?;
        if session.status != Status::Open {
            return None;
        }
        let created = now();
        let id = new_id("sub");
        let invoice = new_id("in");
        let interval = session.recurring.clone().unwrap_or_else(|| "month".into());
        let subscription = Subscription {
            id: id.clone(),
            customer: new_id("cus"),
            customer_email: session.customer_email.clone(),
            created,
            amount: session.amount,
            tax: session.tax,
            currency: session.currency.clone(),
            product_name: session.product_name.clone(),
            status: "active".into(),
            current_period_start: created,
            current_period_end: created + objects::period_secs(&interval),
            interval,
            cancel_at_period_end: false,
            canceled_at: None,
            metadata: session.subscription_metadata.clone(),
            latest_invoice: invoice.clone(),
        };
        session.status = Status::Complete;
        session.subscription = Some(id.clone());
        session.customer = Some(subscription.customer.clone());
        let session = session.clone();
        store.subscriptions.insert(id, subscription.clone());
        let paid = pay_invoice(&mut store, &subscription, &invoice, "subscription_create");
        (
            session.to_json(&shared.base_url),
            subscription.clone(),
            paid,
            session
                .success_url
                .replace("{CHECKOUT_SESSION_ID}", session_id),
        )
    };
    webhooks::deliver(
        shared,
        objects::event_json("checkout.session.completed", session_json),
    );
    webhooks::deliver(
        shared,
        objects::event_json("customer.subscription.created", subscription.to_json()),
    );
    for (kind, object) in invoice {
        webhooks::deliver(shared, objects::event_json(kind, object));
    }
    Some(success_url)
}

/// Takes the payment of a subscription's invoice: its charge and its invoice payment are
/// kept (for refunds and disputes). Gives the events Stripe sends for it: the charge, the
/// paid invoice, then the invoice payment.
fn pay_invoice(
    store: &mut crate::Store,
    subscription: &Subscription,
    invoice: &str,
    reason: &str,
) -> Vec<(&'static str, Value)> {
    let charged = objects::Charged {
        payment: objects::Payment {
            payment_intent: new_id("pi"),
            charge: new_id("ch"),
            created: now(),
            last4: "4242".into(),
        },
        amount: subscription.amount + subscription.tax,
        currency: subscription.currency.clone(),
        customer_email: subscription.customer_email.clone(),
    };
    let paid = objects::InvoicePayment {
        id: new_id("inpay"),
        invoice: invoice.to_string(),
        charged,
    };
    store
        .invoice_payments
        .insert(paid.charged.payment.payment_intent.clone(), paid.clone());
    vec![
        ("charge.succeeded", paid.charged.charge_json(0)),
        (
            "invoice.paid",
            subscription.invoice_json(invoice, true, reason),
        ),
        ("invoice_payment.paid", paid.to_json()),
    ]
}

pub async fn retrieve(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let store = shared.store.lock().unwrap();
    respond(match store.subscriptions.get(&id) {
        Some(subscription) => (StatusCode::OK, subscription.to_json()),
        None => not_found(&format!("subscription: '{id}'")),
    })
}

/// `cancel_at_period_end=true|false`, the one change Codex makes.
pub async fn update(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let params = form(&body);
    let cancel = match params.get("cancel_at_period_end").map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        _ => return respond(invalid("cancel_at_period_end: `true` or `false`")),
    };
    respond(match set_cancel_at_period_end(&shared, &id, cancel) {
        Some(json) => (StatusCode::OK, json),
        None => not_found(&format!("subscription: '{id}'")),
    })
}

/// Cancels at period end (or takes that back) and sends `customer.subscription.updated`.
/// `None` for an unknown subscription; an ended one is left as it is.
pub(crate) fn set_cancel_at_period_end(shared: &Shared, id: &str, cancel: bool) -> Option<Value> {
    let json = {
        let mut store = shared.store.lock().unwrap();
        let subscription = store.subscriptions.get_mut(id)?;
        if subscription.status == "canceled" || subscription.cancel_at_period_end == cancel {
            return Some(subscription.to_json());
        }
        subscription.cancel_at_period_end = cancel;
        subscription.canceled_at = cancel.then(now);
        subscription.to_json()
    };
    webhooks::deliver(
        shared,
        objects::event_json("customer.subscription.updated", json.clone()),
    );
    Some(json)
}

pub async fn create_portal_session(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let params = form(&body);
    let (Some(customer), Some(return_url)) = (params.get("customer"), params.get("return_url"))
    else {
        return respond(invalid("customer and return_url are required"));
    };
    let mut store = shared.store.lock().unwrap();
    if !store
        .subscriptions
        .values()
        .any(|s| &s.customer == customer)
    {
        return respond(not_found(&format!("customer: '{customer}'")));
    }
    let portal = PortalSession {
        id: new_id("bps"),
        customer: customer.clone(),
        return_url: return_url.clone(),
        created: now(),
    };
    let json = portal.to_json(&shared.base_url);
    store.portal_sessions.insert(portal.id.clone(), portal);
    respond((StatusCode::OK, json))
}

/// What a test helper does to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Renew,
    FailRenewal,
    Cancel,
    /// The buyer's bank disputes the payment of the latest invoice.
    Dispute,
    /// A plan switched in Stripe's own portal or dashboard: another price from now on.
    SwitchPrice {
        unit_amount: i64,
        interval: String,
    },
}

pub async fn test_helper(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(answer) = authorized(&headers) {
        return respond(answer);
    }
    let params = form(&body);
    let step = match action.as_str() {
        "renew" => Step::Renew,
        "fail_renewal" => Step::FailRenewal,
        "cancel" => Step::Cancel,
        "dispute" => Step::Dispute,
        "switch_price" => {
            let unit_amount = params.get("unit_amount").and_then(|v| v.parse().ok());
            let interval = params
                .get("interval")
                .filter(|v| *v == "month" || *v == "year");
            match (unit_amount, interval) {
                (Some(unit_amount), Some(interval)) if unit_amount > 0 => Step::SwitchPrice {
                    unit_amount,
                    interval: interval.clone(),
                },
                _ => return respond(invalid("unit_amount (cents) and interval (month or year)")),
            }
        }
        _ => return respond(not_found(&format!("test helper: '{action}'"))),
    };
    let (json, events) = {
        let mut store = shared.store.lock().unwrap();
        let Some(subscription) = store.subscriptions.get_mut(&id) else {
            return respond(not_found(&format!("subscription: '{id}'")));
        };
        if subscription.status == "canceled" {
            return respond(invalid("This subscription has ended."));
        }
        let mut events: Vec<(&str, Value)> = Vec::new();
        if step == Step::Dispute {
            let latest = subscription.latest_invoice.clone();
            let Some(paid) = store
                .invoice_payments
                .values()
                .find(|p| p.invoice == latest)
                .cloned()
            else {
                return respond(invalid(
                    "The latest invoice of this subscription is not paid.",
                ));
            };
            let dispute = objects::Dispute {
                id: new_id("dp"),
                payment_intent: paid.charged.payment.payment_intent.clone(),
                charge: paid.charged.payment.charge.clone(),
                amount: paid.charged.amount,
                currency: paid.charged.currency.clone(),
                created: now(),
                status: "needs_response".into(),
            };
            store.disputes.insert(dispute.id.clone(), dispute.clone());
            drop(store);
            let json = dispute.to_json();
            webhooks::deliver(
                &shared,
                objects::event_json("charge.dispute.created", json.clone()),
            );
            return respond((StatusCode::OK, json));
        }
        if let Step::SwitchPrice {
            unit_amount,
            interval,
        } = &step
        {
            subscription.amount = *unit_amount;
            subscription.interval = interval.clone();
            events.push(("customer.subscription.updated", subscription.to_json()));
            let json = subscription.to_json();
            drop(store);
            for (kind, object) in events {
                webhooks::deliver(&shared, objects::event_json(kind, object));
            }
            return respond((StatusCode::OK, json));
        }
        let ends =
            step == Step::Cancel || (step == Step::Renew && subscription.cancel_at_period_end);
        let now_is = if ends {
            subscription.status = "canceled".into();
            subscription.canceled_at = Some(subscription.canceled_at.unwrap_or_else(now));
            events.push(("customer.subscription.deleted", subscription.to_json()));
            subscription.clone()
        } else {
            // The next period starts where this one ends (as if a test clock jumped there).
            let length = subscription.period_secs();
            subscription.current_period_start = subscription.current_period_end;
            subscription.current_period_end += length;
            let invoice = new_id("in");
            subscription.latest_invoice = invoice.clone();
            let paid = step == Step::Renew;
            subscription.status = if paid { "active" } else { "past_due" }.into();
            events.push(("customer.subscription.updated", subscription.to_json()));
            let renewed = subscription.clone();
            if paid {
                events.extend(pay_invoice(
                    &mut store,
                    &renewed,
                    &invoice,
                    "subscription_cycle",
                ));
            } else {
                events.push((
                    "invoice.payment_failed",
                    renewed.invoice_json(&invoice, false, "subscription_cycle"),
                ));
            }
            renewed
        };
        (now_is.to_json(), events)
    };
    for (kind, object) in events {
        webhooks::deliver(&shared, objects::event_json(kind, object));
    }
    respond((StatusCode::OK, json))
}

/// The subscriptions of a portal session's customer, for its page.
pub(crate) fn of_portal(
    shared: &Shared,
    portal: &str,
) -> Option<(PortalSession, Vec<Subscription>)> {
    let store = shared.store.lock().unwrap();
    let portal = store.portal_sessions.get(portal)?.clone();
    let mut subscriptions: Vec<Subscription> = store
        .subscriptions
        .values()
        .filter(|s| s.customer == portal.customer)
        .cloned()
        .collect();
    subscriptions.sort_by_key(|s| s.created);
    Some((portal, subscriptions))
}

/// The subscription `id` if it belongs to the portal session's customer.
pub(crate) fn belongs(shared: &Shared, portal: &str, id: &str) -> bool {
    of_portal(shared, portal).is_some_and(|(_, subs)| subs.iter().any(|s| s.id == id))
}
