//! The stand-in's objects and their JSON in Stripe's shapes (the fields async-stripe
//! requires, and the ones Codex reads).

use std::collections::HashMap;

use serde_json::{json, Value};

/// The API version events are rendered with (the one async-stripe 1.0 is generated from).
pub const API_VERSION: &str = "2026-09-30.endive";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Complete,
    Expired,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    /// Before tax.
    pub amount: i64,
    /// Added by "Stripe Tax" when the session asked for `automatic_tax` (10 % here).
    pub tax: i64,
    pub automatic_tax: bool,
    pub currency: String,
    pub product_name: String,
    pub customer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: HashMap<String, String>,
    pub success_url: String,
    pub cancel_url: String,
    pub status: Status,
    /// Set once the session is paid, with the charge made for it.
    pub payment: Option<Payment>,
    /// `Some(interval)` for a subscription-mode session (`month` or `year`).
    pub recurring: Option<String>,
    /// `subscription_data[metadata]`: copied onto the subscription.
    pub subscription_metadata: HashMap<String, String>,
    /// The subscription (and its customer) made when a subscription session is paid.
    pub subscription: Option<String>,
    pub customer: Option<String>,
}

/// The length of a billing period of `interval`, in seconds (30 days a month, 365 a year).
pub fn period_secs(interval: &str) -> i64 {
    if interval == "year" {
        365 * 24 * 3600
    } else {
        30 * 24 * 3600
    }
}

/// A subscription made by a subscription-mode Checkout.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub customer: String,
    pub customer_email: Option<String>,
    pub created: i64,
    /// The price of a period, before tax (the price's `unit_amount`).
    pub amount: i64,
    /// The tax Stripe Tax adds to each invoice.
    pub tax: i64,
    pub currency: String,
    pub product_name: String,
    /// `month` or `year`.
    pub interval: String,
    /// `active`, `past_due` or `canceled`.
    pub status: String,
    pub current_period_start: i64,
    pub current_period_end: i64,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    pub metadata: HashMap<String, String>,
    pub latest_invoice: String,
}

impl Subscription {
    /// The length of one period, in seconds.
    pub fn period_secs(&self) -> i64 {
        period_secs(&self.interval)
    }

    /// The period fields both where API versions before 2025-03-31 have them (on the
    /// subscription) and where later ones do (on its item).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "subscription",
            "billing_cycle_anchor": self.created,
            "cancel_at": if self.cancel_at_period_end { json!(self.current_period_end) } else { Value::Null },
            "cancel_at_period_end": self.cancel_at_period_end,
            "canceled_at": self.canceled_at,
            "collection_method": "charge_automatically",
            "created": self.created,
            "currency": self.currency,
            "current_period_start": self.current_period_start,
            "current_period_end": self.current_period_end,
            "customer": self.customer,
            "ended_at": if self.status == "canceled" { json!(self.canceled_at) } else { Value::Null },
            "items": {
                "object": "list",
                "data": [{
                    "id": format!("si_{}", &self.id[4..]),
                    "object": "subscription_item",
                    "current_period_start": self.current_period_start,
                    "current_period_end": self.current_period_end,
                    "price": {
                        "id": format!("price_{}", &self.id[4..]),
                        "object": "price",
                        "currency": self.currency,
                        "product": format!("prod_{}", &self.id[4..]),
                        "recurring": { "interval": self.interval, "interval_count": 1 },
                        "type": "recurring",
                        "unit_amount": self.amount,
                    },
                    "quantity": 1,
                }],
                "has_more": false,
                "url": format!("/v1/subscription_items?subscription={}", self.id),
            },
            "latest_invoice": self.latest_invoice,
            "livemode": false,
            "metadata": self.metadata,
            "start_date": self.created,
            "status": self.status,
        })
    }

    /// The invoice of the current period, paid or not.
    pub fn invoice_json(&self, id: &str, paid: bool, reason: &str) -> Value {
        json!({
            "id": id,
            "object": "invoice",
            "amount_due": self.amount + self.tax,
            "amount_paid": if paid { self.amount + self.tax } else { 0 },
            "amount_remaining": if paid { 0 } else { self.amount + self.tax },
            "attempt_count": 1,
            "billing_reason": reason,
            "created": crate::now(),
            "currency": self.currency,
            "customer": self.customer,
            "customer_email": self.customer_email,
            "livemode": false,
            "parent": {
                "type": "subscription_details",
                "subscription_details": { "subscription": self.id, "metadata": self.metadata }
            },
            "period_start": self.current_period_start,
            "period_end": self.current_period_end,
            "status": if paid { "paid" } else { "open" },
            "status_transitions": { "paid_at": if paid { json!(crate::now()) } else { Value::Null } },
            "subscription": self.id,
            "total_taxes": if self.tax > 0 {
                json!([{ "amount": self.tax, "tax_behavior": "exclusive", "taxability_reason": "standard_rated", "type": "tax_rate_details" }])
            } else {
                json!([])
            },
        })
    }
}

/// A customer portal session: a page where the customer manages their subscriptions.
#[derive(Debug, Clone)]
pub struct PortalSession {
    pub id: String,
    pub customer: String,
    pub return_url: String,
    pub created: i64,
}

impl PortalSession {
    pub fn to_json(&self, base_url: &str) -> Value {
        json!({
            "id": self.id,
            "object": "billing_portal.session",
            "created": self.created,
            "customer": self.customer,
            "livemode": false,
            "return_url": self.return_url,
            "url": format!("{base_url}/portal/{}", self.id),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub payment_intent: String,
    pub charge: String,
    pub created: i64,
    /// The last 4 digits of the card that paid.
    pub last4: String,
}

/// A dispute the buyer's bank opened over a payment.
#[derive(Debug, Clone)]
pub struct Dispute {
    pub id: String,
    pub payment_intent: String,
    pub charge: String,
    pub amount: i64,
    pub currency: String,
    pub created: i64,
    /// `needs_response`, then `won` or `lost`.
    pub status: String,
}

impl Dispute {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "dispute",
            "amount": self.amount,
            "balance_transactions": [],
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "evidence": {},
            "evidence_details": { "due_by": self.created + 7 * 24 * 3600, "has_evidence": false, "past_due": false, "submission_count": 0 },
            "is_charge_refundable": false,
            "livemode": false,
            "metadata": {},
            "payment_intent": self.payment_intent,
            "reason": "fraudulent",
            "status": self.status,
        })
    }
}

impl Session {
    pub fn to_json(&self, base_url: &str) -> Value {
        let status = match self.status {
            Status::Open => "open",
            Status::Complete => "complete",
            Status::Expired => "expired",
        };
        json!({
            "id": self.id,
            "object": "checkout.session",
            "amount_subtotal": self.amount,
            "amount_total": self.amount + self.tax,
            "automatic_tax": {
                "enabled": self.automatic_tax, "liability": null, "provider": null,
                "status": if self.automatic_tax { json!("complete") } else { Value::Null }
            },
            "cancel_url": self.cancel_url,
            "client_reference_id": self.client_reference_id,
            "created": self.created,
            "currency": self.currency,
            "custom_fields": [],
            "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
            "customer_details": self.customer_email.as_ref().map(|email| json!({
                "address": null, "email": email, "name": null, "phone": null,
                "tax_exempt": "none", "tax_ids": []
            })),
            "customer_email": self.customer_email,
            "expires_at": self.expires_at,
            "livemode": false,
            "metadata": self.metadata,
            "mode": if self.recurring.is_some() { "subscription" } else { "payment" },
            "payment_intent": self.payment.as_ref().map(|p| p.payment_intent.clone()),
            "payment_method_types": ["card"],
            "payment_status": if self.payment.is_some() || self.subscription.is_some() { "paid" } else { "unpaid" },
            "subscription": self.subscription,
            "customer": self.customer,
            "shipping_options": [],
            "status": status,
            "success_url": self.success_url,
            "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": self.tax },
            "url": (self.status == Status::Open).then(|| format!("{base_url}/pay/{}", self.id)),
        })
    }

    /// What a paid session took, and how.
    pub fn charged(&self) -> Option<Charged> {
        Some(Charged {
            payment: self.payment.clone()?,
            amount: self.amount + self.tax,
            currency: self.currency.clone(),
            customer_email: self.customer_email.clone(),
        })
    }

    /// The charge of a paid session, after `refunded` cents went back.
    pub fn charge_json(&self, refunded: i64) -> Option<Value> {
        Some(self.charged()?.charge_json(refunded))
    }
}

/// A payment the stand-in took (a session's or an invoice's): what, in which currency, how.
#[derive(Debug, Clone)]
pub struct Charged {
    pub payment: Payment,
    /// Tax included.
    pub amount: i64,
    pub currency: String,
    pub customer_email: Option<String>,
}

impl Charged {
    /// Its charge, after `refunded` cents went back.
    pub fn charge_json(&self, refunded: i64) -> Value {
        let payment = &self.payment;
        json!({
            "id": payment.charge,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount,
            "amount_refunded": refunded,
            "billing_details": { "address": null, "email": self.customer_email, "name": null, "phone": null, "tax_id": null },
            "captured": true,
            "created": payment.created,
            "currency": self.currency,
            "disputed": false,
            "livemode": false,
            "metadata": {},
            "paid": true,
            "payment_intent": payment.payment_intent,
            "payment_method_details": {
                "type": "card",
                "card": { "brand": "visa", "last4": payment.last4, "exp_month": 12, "exp_year": 2034, "funding": "credit", "country": "US" }
            },
            "receipt_url": format!("https://pay.stripe.com/receipts/{}", payment.charge),
            "refunded": refunded >= self.amount,
            "status": "succeeded",
        })
    }
}

/// The payment that paid a subscription's invoice (API versions since 2025-03-31 link the
/// two only through this object).
#[derive(Debug, Clone)]
pub struct InvoicePayment {
    pub id: String,
    pub invoice: String,
    pub charged: Charged,
}

impl InvoicePayment {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "invoice_payment",
            "amount_paid": self.charged.amount,
            "amount_requested": self.charged.amount,
            "created": self.charged.payment.created,
            "currency": self.charged.currency,
            "invoice": self.invoice,
            "is_default": true,
            "livemode": false,
            "payment": { "type": "payment_intent", "payment_intent": self.charged.payment.payment_intent },
            "status": "paid",
            "status_transitions": { "canceled_at": null, "paid_at": self.charged.payment.created },
        })
    }
}

pub fn refund_json(
    id: &str,
    amount: i64,
    currency: &str,
    payment: &Payment,
    reason: Option<&str>,
    metadata: &HashMap<String, String>,
) -> Value {
    json!({
        "id": id,
        "object": "refund",
        "amount": amount,
        "charge": payment.charge,
        "created": crate::now(),
        "currency": currency,
        "metadata": metadata,
        "payment_intent": payment.payment_intent,
        "reason": reason,
        "status": "succeeded",
    })
}

pub fn event_json(kind: &str, object: Value) -> Value {
    json!({
        "id": crate::new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": crate::now(),
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    })
}

/// Stripe's error body.
pub fn error_json(kind: &str, code: Option<&str>, message: &str) -> Value {
    json!({ "error": { "type": kind, "code": code, "message": message } })
}
