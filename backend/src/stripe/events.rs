//! Stripe's events, read from their JSON: only the fields Codex uses, so an event of a newer
//! API version or with fields we do not know still reads, and an event we do not use is
//! acknowledged rather than refused. The webhook and reconciliation both come through here.

use serde::Deserialize;

use super::session::SessionFacts;
use super::Reference;
use domain::purchases::DisputeState;

/// An event's envelope.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub livemode: bool,
    #[serde(default)]
    pub created: i64,
    pub data: Data,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Data {
    pub object: serde_json::Value,
}

/// What an event means to Codex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripeEvent {
    /// `checkout.session.completed` or `.async_payment_succeeded`.
    SessionPaid(SessionFacts),
    /// `checkout.session.expired` or `.async_payment_failed`, with the failure reason.
    SessionEnded { session_id: String, reason: String },
    /// `charge.succeeded`, `charge.updated`, `charge.refunded`: the charge as it now is.
    Charge(ChargeFacts),
    /// `charge.dispute.*`.
    Dispute(DisputeFacts),
    /// Something changed about this subscription (`customer.subscription.*`, `invoice.paid`,
    /// `invoice.payment_failed`, a subscription Checkout completed): read it from Stripe. A
    /// paid invoice's payment is read by `InvoiceFacts::of_paid_invoice`.
    Subscription(String),
    /// `invoice_payment.paid` (API versions since 2025-03-31): which payment paid an invoice.
    InvoicePayment(InvoicePaymentFacts),
    /// A type Codex does not act on.
    Ignored,
}

/// The event types Codex acts on (reconciliation asks Stripe for these).
pub const HANDLED_TYPES: [&str; 16] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.expired",
    "checkout.session.async_payment_failed",
    "charge.succeeded",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_reinstated",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice_payment.paid",
];

/// What a charge says about its payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeFacts {
    pub charge_id: String,
    pub payment_intent: String,
    pub amount_refunded: i64,
    pub fully_refunded: bool,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub receipt_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeFacts {
    pub dispute_id: String,
    pub payment_intent: String,
    pub state: DisputeState,
    pub reason: Option<String>,
    pub amount: i64,
}

/// A paid invoice of a subscription: what it took, and the payment that paid it when the
/// invoice says (API versions before 2025-03-31 name it; later ones only when `payments` is
/// expanded, else `invoice_payment.paid` tells).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFacts {
    pub invoice_id: String,
    pub subscription_id: String,
    /// With tax.
    pub amount_paid: i64,
    pub tax: i64,
    pub currency: String,
    pub payment_intent: Option<String>,
    /// Unix seconds.
    pub paid_at: i64,
}

/// An invoice payment: the payment intent that paid (part of) an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePaymentFacts {
    pub invoice_id: String,
    pub payment_intent: String,
    pub amount_paid: i64,
    pub currency: String,
}

#[derive(Debug, Deserialize)]
struct ChargeObject {
    id: String,
    payment_intent: Option<Reference>,
    #[serde(default)]
    amount_refunded: i64,
    #[serde(default)]
    refunded: bool,
    receipt_url: Option<String>,
    payment_method_details: Option<PaymentMethodDetails>,
}

#[derive(Debug, Deserialize)]
struct PaymentMethodDetails {
    card: Option<Card>,
}

#[derive(Debug, Deserialize)]
struct Card {
    brand: Option<String>,
    last4: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DisputeObject {
    id: String,
    status: String,
    payment_intent: Option<Reference>,
    reason: Option<String>,
    #[serde(default)]
    amount: i64,
}

#[derive(Debug, Deserialize)]
struct InvoiceObject {
    id: String,
    #[serde(default)]
    amount_paid: i64,
    currency: String,
    /// Before 2025-03-31.
    tax: Option<i64>,
    /// Since 2025-03-31.
    #[serde(default)]
    total_taxes: Option<Vec<Amount>>,
    payment_intent: Option<Reference>,
    payments: Option<InvoicePayments>,
    status_transitions: Option<StatusTransitions>,
}

#[derive(Debug, Deserialize)]
struct Amount {
    #[serde(default)]
    amount: i64,
}

#[derive(Debug, Deserialize)]
struct InvoicePayments {
    #[serde(default)]
    data: Vec<InvoicePaymentObject>,
}

#[derive(Debug, Deserialize)]
struct InvoicePaymentObject {
    invoice: Option<Reference>,
    #[serde(default)]
    amount_paid: Option<i64>,
    currency: Option<String>,
    status: Option<String>,
    payment: PaymentOfInvoice,
}

#[derive(Debug, Deserialize)]
struct PaymentOfInvoice {
    payment_intent: Option<Reference>,
}

#[derive(Debug, Deserialize)]
struct StatusTransitions {
    paid_at: Option<i64>,
}

impl InvoiceFacts {
    /// The payment of `invoice.paid` / `invoice.payment_succeeded`, read as
    /// `StripeEvent::Subscription(subscription_id)`; `None` for any other event or an
    /// invoice that does not read (its subscription is still looked at again).
    pub fn of_paid_invoice(envelope: &Envelope, subscription_id: &str) -> Option<Self> {
        if !matches!(
            envelope.kind.as_str(),
            "invoice.paid" | "invoice.payment_succeeded"
        ) {
            return None;
        }
        let subscription_id = subscription_id.to_string();
        let invoice: InvoiceObject = serde_json::from_value(envelope.data.object.clone())
            .map_err(|error| tracing::warn!(event = %envelope.id, %error, "a paid invoice does not read"))
            .ok()?;
        let tax = invoice
            .tax
            .unwrap_or_else(|| invoice.total_taxes.iter().flatten().map(|t| t.amount).sum());
        let expanded = invoice
            .payments
            .into_iter()
            .flat_map(|p| p.data)
            .filter(|p| p.status.as_deref().is_none_or(|s| s == "paid"))
            .find_map(|p| p.payment.payment_intent.map(Reference::id));
        Some(Self {
            invoice_id: invoice.id,
            subscription_id,
            amount_paid: invoice.amount_paid,
            tax,
            currency: invoice.currency.to_ascii_lowercase(),
            payment_intent: invoice.payment_intent.map(Reference::id).or(expanded),
            paid_at: invoice
                .status_transitions
                .and_then(|t| t.paid_at)
                .unwrap_or(envelope.created),
        })
    }
}

/// An id, or the id of the object expanded in its place.
fn reference(value: &serde_json::Value) -> Option<String> {
    Reference::deserialize(value).ok().map(Reference::id)
}

/// Why an event of a type we act on could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {source}")]
pub struct Unreadable {
    kind: String,
    source: serde_json::Error,
}

impl StripeEvent {
    /// What `envelope` means. A type we act on whose object lacks what we need is an
    /// error (logged and acknowledged by the webhook; reconciliation finds it later).
    pub fn read(envelope: &Envelope) -> Result<Self, Unreadable> {
        let object = || envelope.data.object.clone();
        let unreadable = |source| Unreadable {
            kind: envelope.kind.clone(),
            source,
        };
        let object_ref = &envelope.data.object;
        if envelope.kind.starts_with("checkout.session.") && object_ref["mode"] == "subscription" {
            // A membership's Checkout: its subscription says the rest.
            return Ok(match reference(&object_ref["subscription"]) {
                Some(id) if envelope.kind == "checkout.session.completed" => Self::Subscription(id),
                _ => Self::Ignored,
            });
        }
        Ok(match envelope.kind.as_str() {
            kind if kind.starts_with("customer.subscription.") => {
                match reference(&object_ref["id"]) {
                    Some(id) => Self::Subscription(id),
                    None => {
                        return Err(unreadable(serde::de::Error::missing_field("id")));
                    }
                }
            }
            "invoice.paid" | "invoice.payment_failed" | "invoice.payment_succeeded" => {
                let subscription = reference(&object_ref["subscription"]).or_else(|| {
                    reference(&object_ref["parent"]["subscription_details"]["subscription"])
                });
                // An invoice of no subscription is not a membership's.
                subscription.map_or(Self::Ignored, Self::Subscription)
            }
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                Self::SessionPaid(SessionFacts::from_json(object()).map_err(unreadable)?)
            }
            "checkout.session.expired" | "checkout.session.async_payment_failed" => {
                let session = SessionFacts::from_json(object()).map_err(unreadable)?;
                let reason = if envelope.kind.ends_with("expired") {
                    "expired"
                } else {
                    "payment_failed"
                };
                Self::SessionEnded {
                    session_id: session.session_id,
                    reason: reason.to_string(),
                }
            }
            "charge.succeeded" | "charge.updated" | "charge.refunded" => {
                let charge: ChargeObject = serde_json::from_value(object()).map_err(unreadable)?;
                let Some(payment_intent) = charge.payment_intent.map(Reference::id) else {
                    // A charge made outside a PaymentIntent is not one of Codex's.
                    return Ok(Self::Ignored);
                };
                let card = charge.payment_method_details.and_then(|d| d.card);
                Self::Charge(ChargeFacts {
                    charge_id: charge.id,
                    payment_intent,
                    amount_refunded: charge.amount_refunded,
                    fully_refunded: charge.refunded,
                    card_brand: card.as_ref().and_then(|c| c.brand.clone()),
                    card_last4: card.and_then(|c| c.last4),
                    receipt_url: charge.receipt_url,
                })
            }
            "invoice_payment.paid" => {
                let paid: InvoicePaymentObject =
                    serde_json::from_value(object()).map_err(unreadable)?;
                match (paid.invoice.map(Reference::id), paid.payment.payment_intent) {
                    (Some(invoice_id), Some(payment_intent)) => {
                        Self::InvoicePayment(InvoicePaymentFacts {
                            invoice_id,
                            payment_intent: payment_intent.id(),
                            amount_paid: paid.amount_paid.unwrap_or(0),
                            currency: paid.currency.unwrap_or_default().to_ascii_lowercase(),
                        })
                    }
                    // Paid by a bare charge or out of band: no payment of ours to follow.
                    _ => Self::Ignored,
                }
            }
            kind if kind.starts_with("charge.dispute.") => {
                let dispute: DisputeObject =
                    serde_json::from_value(object()).map_err(unreadable)?;
                let Some(payment_intent) = dispute.payment_intent.map(Reference::id) else {
                    return Ok(Self::Ignored);
                };
                Self::Dispute(DisputeFacts {
                    dispute_id: dispute.id,
                    payment_intent,
                    state: DisputeState::from_stripe(&dispute.status),
                    reason: dispute.reason,
                    amount: dispute.amount,
                })
            }
            _ => Self::Ignored,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(kind: &str, object: serde_json::Value) -> Envelope {
        serde_json::from_value(json!({
            "id": "evt_1", "type": kind, "livemode": false, "created": 1,
            "data": { "object": object }, "api_version": "2099-01-01.future"
        }))
        .unwrap()
    }

    #[test]
    fn a_paid_session_reads_with_only_the_fields_we_use() {
        let event = envelope(
            "checkout.session.completed",
            json!({
                "id": "cs_1", "payment_status": "paid", "amount_total": 1429,
                "amount_subtotal": 1299, "currency": "USD",
                "payment_intent": { "id": "pi_1", "object": "payment_intent" },
                "metadata": { "purchase_id": "6f1c2f0e-3c3a-4d6e-9a43-0c5e1e0b6a11" },
                "total_details": { "amount_tax": 130 }, "something_new": [1, 2]
            }),
        );
        let StripeEvent::SessionPaid(facts) = StripeEvent::read(&event).unwrap() else {
            panic!("a paid session");
        };
        assert!(facts.paid);
        assert_eq!(facts.payment_intent.as_deref(), Some("pi_1"));
        assert_eq!(facts.currency.as_deref(), Some("usd"));
        assert_eq!(facts.amount_tax, Some(130));
        assert!(facts.purchase_id.is_some());
    }

    #[test]
    fn charges_and_disputes_name_their_payment() {
        let charge = envelope(
            "charge.refunded",
            json!({
                "id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 1299, "refunded": true,
                "receipt_url": "https://pay.stripe.com/receipts/x",
                "payment_method_details": { "type": "card", "card": { "brand": "visa", "last4": "4242" } }
            }),
        );
        let StripeEvent::Charge(facts) = StripeEvent::read(&charge).unwrap() else {
            panic!("a charge");
        };
        assert!(facts.fully_refunded);
        assert_eq!(facts.card_last4.as_deref(), Some("4242"));
        let dispute = envelope(
            "charge.dispute.closed",
            json!({ "id": "dp_1", "status": "lost", "payment_intent": "pi_1", "charge": "ch_1", "amount": 1299 }),
        );
        let StripeEvent::Dispute(facts) = StripeEvent::read(&dispute).unwrap() else {
            panic!("a dispute");
        };
        assert_eq!(facts.state, DisputeState::Lost);
    }

    #[test]
    fn subscription_events_name_their_subscription() {
        let cases = [
            (
                "customer.subscription.deleted",
                json!({ "id": "sub_1", "status": "canceled" }),
            ),
            (
                "invoice.paid",
                json!({ "id": "in_1", "subscription": "sub_1" }),
            ),
            (
                "invoice.payment_failed",
                json!({ "id": "in_1", "parent": { "subscription_details": { "subscription": "sub_1" } } }),
            ),
            (
                "checkout.session.completed",
                json!({ "id": "cs_1", "mode": "subscription", "subscription": { "id": "sub_1" }, "payment_status": "paid" }),
            ),
        ];
        for (kind, object) in cases {
            assert_eq!(
                StripeEvent::read(&envelope(kind, object)).unwrap(),
                StripeEvent::Subscription("sub_1".into()),
                "{kind}"
            );
        }
        let one_off = envelope("invoice.paid", json!({ "id": "in_2" }));
        assert_eq!(StripeEvent::read(&one_off).unwrap(), StripeEvent::Ignored);
        // Invoices as API versions since 2025-03-31 write them: no top-level subscription, a
        // typed parent (a subscription's, a quote's, or none at all).
        let invoice = |parent: serde_json::Value| {
            json!({
                "id": "in_3", "object": "invoice", "amount_paid": 2000, "currency": "usd",
                "customer": "cus_1", "status": "paid", "lines": { "object": "list", "data": [] },
                "metadata": null, "parent": parent
            })
        };
        let newer = envelope(
            "invoice.paid",
            invoice(json!({
                "type": "subscription_details", "quote_details": null,
                "subscription_details": { "metadata": {}, "subscription": "sub_1" }
            })),
        );
        assert_eq!(
            StripeEvent::read(&newer).unwrap(),
            StripeEvent::Subscription("sub_1".into())
        );
        for parent in [
            json!(null),
            json!({ "type": "quote_details", "quote_details": { "quote": "qt_1" }, "subscription_details": null }),
        ] {
            let event = envelope("invoice.payment_failed", invoice(parent));
            assert_eq!(StripeEvent::read(&event).unwrap(), StripeEvent::Ignored);
        }
        let no_id = envelope(
            "customer.subscription.updated",
            json!({ "status": "active" }),
        );
        assert!(StripeEvent::read(&no_id).is_err());
    }

    #[test]
    fn a_paid_invoice_names_its_payment_in_either_api_version() {
        let older = envelope(
            "invoice.paid",
            json!({
                "id": "in_1", "subscription": "sub_1", "amount_paid": 550, "tax": 50,
                "currency": "USD", "payment_intent": "pi_1", "charge": "ch_1",
                "status_transitions": { "paid_at": 1_800_000_000 }
            }),
        );
        let facts = InvoiceFacts::of_paid_invoice(&older, "sub_1").unwrap();
        assert_eq!(
            facts,
            InvoiceFacts {
                invoice_id: "in_1".into(),
                subscription_id: "sub_1".into(),
                amount_paid: 550,
                tax: 50,
                currency: "usd".into(),
                payment_intent: Some("pi_1".into()),
                paid_at: 1_800_000_000,
            }
        );
        // Since 2025-03-31: taxes in `total_taxes`, the payment only in expanded `payments`.
        let newer = envelope(
            "invoice.paid",
            json!({
                "id": "in_2", "amount_paid": 550, "currency": "usd",
                "total_taxes": [{ "amount": 30 }, { "amount": 20 }],
                "parent": { "subscription_details": { "subscription": "sub_1" } },
                "payments": { "object": "list", "data": [
                    { "invoice": "in_2", "status": "canceled", "payment": { "type": "payment_intent", "payment_intent": "pi_old" } },
                    { "invoice": "in_2", "status": "paid", "payment": { "type": "payment_intent", "payment_intent": { "id": "pi_2" } } }
                ] }
            }),
        );
        let facts = InvoiceFacts::of_paid_invoice(&newer, "sub_1").unwrap();
        assert_eq!((facts.tax, facts.paid_at), (50, 1));
        assert_eq!(facts.payment_intent.as_deref(), Some("pi_2"));
        let unexpanded = envelope(
            "invoice.paid",
            json!({ "id": "in_3", "amount_paid": 500, "currency": "usd", "subscription": "sub_1" }),
        );
        assert_eq!(
            InvoiceFacts::of_paid_invoice(&unexpanded, "sub_1")
                .unwrap()
                .payment_intent,
            None
        );
        let failed = envelope(
            "invoice.payment_failed",
            json!({ "id": "in_4", "amount_paid": 0, "currency": "usd", "subscription": "sub_1" }),
        );
        assert_eq!(InvoiceFacts::of_paid_invoice(&failed, "sub_1"), None);

        let linked = envelope(
            "invoice_payment.paid",
            json!({
                "id": "inpay_1", "object": "invoice_payment", "invoice": "in_2",
                "amount_paid": 550, "currency": "usd", "status": "paid",
                "payment": { "type": "payment_intent", "payment_intent": "pi_2" }
            }),
        );
        assert_eq!(
            StripeEvent::read(&linked).unwrap(),
            StripeEvent::InvoicePayment(InvoicePaymentFacts {
                invoice_id: "in_2".into(),
                payment_intent: "pi_2".into(),
                amount_paid: 550,
                currency: "usd".into(),
            })
        );
        let by_charge = envelope(
            "invoice_payment.paid",
            json!({ "id": "inpay_2", "invoice": "in_2", "payment": { "type": "charge", "charge": "ch_1" } }),
        );
        assert_eq!(StripeEvent::read(&by_charge).unwrap(), StripeEvent::Ignored);
    }

    #[test]
    fn unknown_types_are_ignored_and_bad_shapes_are_errors() {
        let other = envelope("customer.created", json!({ "id": "cus_1" }));
        assert_eq!(StripeEvent::read(&other).unwrap(), StripeEvent::Ignored);
        let bad = envelope("checkout.session.completed", json!({ "id": 5 }));
        assert!(StripeEvent::read(&bad).is_err());
        let no_payment = envelope("charge.refunded", json!({ "id": "ch_1" }));
        assert_eq!(
            StripeEvent::read(&no_payment).unwrap(),
            StripeEvent::Ignored
        );
    }
}
