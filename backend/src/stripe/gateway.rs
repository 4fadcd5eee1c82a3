//! Every call Codex makes to Stripe (or to the local stand-in, which answers the same way).

use std::collections::HashMap;
use std::time::Duration;

use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAutomaticTax, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionLineItemsPriceDataRecurring,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionSubscriptionData, ProductData, RetrieveCheckoutSession,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::CheckoutSessionMode;
use stripe_types::Currency;
use uuid::Uuid;

use super::session::SessionFacts;
use super::subscription::SubscriptionFacts;
use crate::error::{internal, Error};
use domain::memberships::Interval;
use domain::purchases::CHECKOUT_LIFETIME;

/// The Stripe connection and the endpoint secrets webhooks are signed with.
pub struct Gateway {
    client: Client,
    /// For the list endpoints reconciliation reads (raw JSON, read like events).
    http: reqwest::Client,
    api_base: String,
    secret_key: String,
    /// The current endpoint secret, then the previous one while it is being rolled.
    webhook_secrets: Vec<String>,
    /// True with a test key or the stand-in: the site shows a "Test mode" banner.
    pub test_mode: bool,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("test_mode", &self.test_mode)
            .finish_non_exhaustive()
    }
}

/// What a Checkout Session sells: a purchase (payment mode) or a membership (subscription
/// mode, billed every `interval`). Its id goes in the metadata, the client reference and
/// the idempotency key, so a retried request never makes a second session for one row, and
/// every event about the session (and the subscription) finds the row.
#[derive(Debug, Clone, Copy)]
pub enum Sells {
    Purchase(Uuid),
    Membership { id: Uuid, interval: Interval },
}

/// What Codex asks of a Checkout Session.
#[derive(Debug, Clone)]
pub struct SessionRequest<'a> {
    pub sells: Sells,
    pub title: &'a str,
    pub amount_cents: i64,
    pub customer_email: &'a str,
    pub success_url: String,
    pub cancel_url: String,
    /// Stripe Tax computes and adds the tax (the owner's setting).
    pub automatic_tax: bool,
}

fn failed(what: &str, error: StripeError) -> Error {
    tracing::error!(%error, "Stripe: {what} failed");
    Error::validation("The payment service is not answering. Please try again in a moment.")
}

impl Gateway {
    /// `api_base`: `None` for api.stripe.com, or the stand-in's address. `webhook_secrets`:
    /// the current endpoint secret first, then any previous one still accepted.
    pub fn new(
        secret_key: &str,
        api_base: Option<&str>,
        webhook_secrets: &[&str],
    ) -> Result<Self, String> {
        // Several TLS crypto providers are linked in (through different crates); the Stripe
        // client needs a process default chosen. An error only means one is set already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = ClientBuilder::new(secret_key)
            .timeout(Duration::from_secs(20))
            .app_info("Codex", Some(env!("CARGO_PKG_VERSION").into()), None);
        if let Some(base) = api_base {
            builder = builder.url(base);
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            client: builder.build().map_err(|e| e.to_string())?,
            http,
            api_base: api_base
                .unwrap_or("https://api.stripe.com/")
                .trim_end_matches('/')
                .to_string(),
            secret_key: secret_key.to_string(),
            webhook_secrets: webhook_secrets
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string())
                .collect(),
            test_mode: api_base.is_some()
                || secret_key.starts_with("sk_test_")
                || secret_key.starts_with("rk_test_"),
        })
    }

    /// Whether an event of this mode belongs here. A test event at a live endpoint (or the
    /// reverse) is a misconfiguration and must not grant anything.
    pub fn same_mode(&self, livemode: bool) -> bool {
        livemode != self.test_mode
    }

    pub fn webhook_secrets(&self) -> Vec<&str> {
        self.webhook_secrets.iter().map(String::as_str).collect()
    }

    /// Creates the session for what it `sells`, once per purchase or membership row.
    pub async fn create_session(
        &self,
        request: SessionRequest<'_>,
    ) -> Result<(String, String), Error> {
        // The key of a purchase keeps its `checkout-` prefix, so keys already used still match.
        let (mode, metadata_key, key_prefix, id, recurring) = match request.sells {
            Sells::Purchase(id) => (
                CheckoutSessionMode::Payment,
                "purchase_id",
                "checkout",
                id,
                None,
            ),
            Sells::Membership { id, interval } => {
                let interval = match interval {
                    Interval::Month => {
                        CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Month
                    }
                    Interval::Year => {
                        CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Year
                    }
                };
                let recurring = CreateCheckoutSessionLineItemsPriceDataRecurring::new(interval);
                (
                    CheckoutSessionMode::Subscription,
                    "membership_id",
                    "membership",
                    id,
                    Some(recurring),
                )
            }
        };
        let line_item = CreateCheckoutSessionLineItems {
            price_data: Some(CreateCheckoutSessionLineItemsPriceData {
                product_data: Some(ProductData::new(request.title)),
                unit_amount: Some(request.amount_cents),
                recurring,
                ..CreateCheckoutSessionLineItemsPriceData::new(Currency::USD)
            }),
            quantity: Some(1),
            ..CreateCheckoutSessionLineItems::new()
        };
        let key = IdempotencyKey::new(format!("{key_prefix}-{id}"))
            .map_err(|e| internal("idempotency key", e))?;
        let metadata = HashMap::from([(metadata_key.to_string(), id.to_string())]);
        let mut session = CreateCheckoutSession::new();
        if request.automatic_tax {
            session = session.automatic_tax(CreateCheckoutSessionAutomaticTax::new(true));
        }
        if mode == CheckoutSessionMode::Subscription {
            session = session.subscription_data(CreateCheckoutSessionSubscriptionData {
                metadata: Some(metadata.clone()),
                ..CreateCheckoutSessionSubscriptionData::new()
            });
        }
        let session = session
            .mode(mode)
            .currency(Currency::USD)
            .line_items(vec![line_item])
            .customer_email(request.customer_email)
            .client_reference_id(id.to_string())
            .metadata(metadata)
            .success_url(request.success_url)
            .cancel_url(request.cancel_url)
            .expires_at((time::OffsetDateTime::now_utc() + CHECKOUT_LIFETIME).unix_timestamp())
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(|e| failed("creating a checkout session", e))?;
        let url = session.url.clone().ok_or_else(|| {
            internal(
                "checkout session",
                "Stripe returned a session without a URL",
            )
        })?;
        Ok((session.id.as_str().to_string(), url))
    }

    /// A Checkout Session's subscription, if it has one yet.
    pub async fn session_subscription(&self, session_id: &str) -> Result<Option<String>, Error> {
        let session = RetrieveCheckoutSession::new(session_id)
            .send(&self.client)
            .await
            .map_err(|e| failed("retrieving a checkout session", e))?;
        Ok(session.subscription.map(|s| s.id().as_str().to_string()))
    }

    /// A subscription as Stripe has it now; `None` when Stripe has no such subscription, or
    /// answers with one Codex cannot read (logged with what failed): neither is worth a
    /// retry. An error only when Stripe could not be asked (a retry may do).
    pub async fn retrieve_subscription(
        &self,
        id: &str,
    ) -> Result<Option<SubscriptionFacts>, Error> {
        if !id.starts_with("sub_") || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            tracing::warn!(subscription = %id, "Stripe: not a subscription id; ignored");
            return Ok(None);
        }
        let response = self
            .http
            .get(format!("{}/v1/subscriptions/{id}", self.api_base))
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|e| internal("retrieving a subscription", e))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            tracing::warn!(subscription = %id, "Stripe has no such subscription");
            return Ok(None);
        }
        let body = response
            .error_for_status()
            .map_err(|e| internal("retrieving a subscription", e))?
            .bytes()
            .await
            .map_err(|e| internal("retrieving a subscription", e))?;
        match serde_json::from_slice(&body).and_then(SubscriptionFacts::from_json) {
            Ok(facts) => Ok(Some(facts)),
            Err(error) => {
                tracing::error!(subscription = %id, %error, "Stripe: a subscription that does not read; ignored");
                Ok(None)
            }
        }
    }

    /// A customer portal session for `customer`, returning to `return_url`; its URL.
    pub async fn portal_session(&self, customer: &str, return_url: &str) -> Result<String, Error> {
        #[derive(serde::Deserialize)]
        struct Portal {
            url: String,
        }
        let response = self
            .http
            .post(format!("{}/v1/billing_portal/sessions", self.api_base))
            .bearer_auth(&self.secret_key)
            .form(&[("customer", customer), ("return_url", return_url)])
            .send()
            .await
            .and_then(|r| r.error_for_status());
        let portal: Portal = match response {
            Ok(response) => response
                .json()
                .await
                .map_err(|e| internal("reading a portal session", e))?,
            Err(error) => {
                tracing::error!(%error, "Stripe: creating a portal session failed");
                return Err(Error::validation(
                    "The payment service is not answering. Please try again in a moment.",
                ));
            }
        };
        Ok(portal.url)
    }

    pub async fn retrieve_session(&self, session_id: &str) -> Result<SessionFacts, Error> {
        let session = RetrieveCheckoutSession::new(session_id)
            .send(&self.client)
            .await
            .map_err(|e| failed("retrieving a checkout session", e))?;
        Ok(SessionFacts::of(&session))
    }

    /// Refunds a payment in full, once: the key makes a retry return the first refund.
    pub async fn refund(&self, payment_intent: &str, purchase_id: Uuid) -> Result<String, Error> {
        let key = IdempotencyKey::new(format!("refund-{purchase_id}"))
            .map_err(|e| internal("idempotency key", e))?;
        let refund = CreateRefund::new()
            .payment_intent(payment_intent)
            .metadata(HashMap::from([(
                "purchase_id".to_string(),
                purchase_id.to_string(),
            )]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(|e| failed("refunding a payment", e))?;
        Ok(refund.id.as_str().to_string())
    }

    /// Every object of a list endpoint (`/v1/events`, `/v1/checkout/sessions`) created since
    /// `since` (unix time), newest first, page by page, at most `cap` of them.
    pub async fn list_since(
        &self,
        path: &str,
        since: i64,
        extra: &[(&str, &str)],
        cap: usize,
    ) -> Result<Vec<serde_json::Value>, Error> {
        #[derive(serde::Deserialize)]
        struct Page {
            data: Vec<serde_json::Value>,
            has_more: bool,
        }
        let mut all: Vec<serde_json::Value> = Vec::new();
        let since = since.to_string();
        loop {
            let mut query: Vec<(&str, &str)> = vec![("created[gte]", &since), ("limit", "100")];
            query.extend_from_slice(extra);
            let last = all
                .last()
                .and_then(|o| o["id"].as_str())
                .map(str::to_string);
            if let Some(last) = &last {
                query.push(("starting_after", last));
            }
            let response = self
                .http
                .get(format!("{}{path}", self.api_base))
                .bearer_auth(&self.secret_key)
                .query(&query)
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| internal("listing from Stripe", e))?;
            let page: Page = response
                .json()
                .await
                .map_err(|e| internal("reading a Stripe list", e))?;
            let more = page.has_more && !page.data.is_empty();
            all.extend(page.data);
            if !more || all.len() >= cap {
                all.truncate(cap);
                return Ok(all);
            }
        }
    }
}
