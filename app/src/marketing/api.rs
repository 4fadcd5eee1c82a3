//! The server functions of marketing email: a person's preferences (by the signed token of
//! an email's link, or signed in), and the owner's broadcasts and abandoned checkout email.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AbandonedCheckout, Broadcast, BroadcastSummary, Preferences, StepView};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    crate::{auth::guard, error::respond},
    backend::marketing::{abandoned, automations, broadcasts, consent, links},
    backend::Error,
    domain::error::Answer,
    domain::marketing::{BroadcastDraft, NewStep, Segment},
};

/// Whose preferences: the person of `token` (an email's link), else the one signed in.
#[cfg(feature = "ssr")]
async fn person(token: Option<String>) -> Result<(guard::Call, Uuid), Error> {
    let call = guard::call().await?;
    let person = match token.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => {
            links::person(&call.state.link_key, token).ok_or(Error::Answer(Answer::InvalidToken))?
        }
        None => call.caller.clone().signed_in()?.id,
    };
    Ok((call, person))
}

#[server(endpoint = "email_preferences")]
pub async fn email_preferences(
    #[server(default)] token: Option<String>,
) -> Result<Preferences, AppError> {
    respond(
        async {
            let (call, person) = person(token).await?;
            consent::preferences(&call.state.pool, person).await
        }
        .await,
    )
}

#[server(endpoint = "save_email_preferences")]
pub async fn save_email_preferences(
    #[server(default)] token: Option<String>,
    #[server(default)] news: Option<String>,
    #[server(default)] releases: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let (call, person) = person(token).await?;
            let mut conn = call.state.pool.acquire().await?;
            consent::set(&mut conn, person, news.is_some(), releases.is_some()).await
        }
        .await,
    )
}

/// `email`: the marketing email whose link opened the page, counted as the one unsubscribed
/// from.
#[server(endpoint = "unsubscribe")]
pub async fn unsubscribe(
    #[server(default)] token: Option<String>,
    #[server(default)] email: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let (call, person) = person(token).await?;
            let email = email.as_deref().and_then(|id| Uuid::try_parse(id).ok());
            consent::unsubscribe(&call.state.pool, person, email).await
        }
        .await,
    )
}

/// A customer's consent and marketing emails, for the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerEmailsView {
    pub preferences: Preferences,
    pub sends: Vec<super::SendLogEntry>,
}

#[server(endpoint = "customer_emails")]
pub async fn customer_emails(id: Uuid) -> Result<CustomerEmailsView, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            Ok::<_, Error>(CustomerEmailsView {
                preferences: consent::preferences(&call.state.pool, id).await?,
                sends: consent::send_log(&call.state.pool, &owner, id).await?,
            })
        }
        .await,
    )
}

/// What the broadcasts page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastsData {
    pub broadcasts: Vec<BroadcastSummary>,
    pub abandoned: AbandonedCheckout,
    /// The welcome, after-purchase and win-back sequences' emails.
    pub steps: Vec<StepView>,
    /// Customers who may get marketing email now.
    pub subscribers: i64,
}

#[server(endpoint = "broadcasts_overview")]
pub async fn broadcasts_overview() -> Result<BroadcastsData, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            let pool = &call.state.pool;
            let context = backend::settings::service::email_context(&call.state).await?;
            let mut abandoned = abandoned::settings(pool).await?;
            abandoned.recovered_cents = backend::revenue::recovered_by_email(pool).await?;
            Ok::<_, Error>(BroadcastsData {
                broadcasts: broadcasts::list(pool).await?,
                abandoned,
                steps: automations::steps(pool, &owner, &context).await?,
                subscribers: consent::subscribers(pool).await?,
            })
        }
        .await,
    )
}

/// The owner's new broadcast, saved as a draft; the browser goes to it.
#[server(endpoint = "create_broadcast")]
pub async fn create_broadcast(
    subject: String,
    body: String,
    category: String,
    segment: String,
    #[server(default)] items: Vec<String>,
    #[server(default)] tier: Option<String>,
    #[server(default)] days: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            let items: Vec<Uuid> = items
                .iter()
                .filter_map(|i| Uuid::try_parse(i).ok())
                .collect();
            let tier = tier.as_deref().and_then(|t| Uuid::try_parse(t).ok());
            let segment = Segment::parse(&segment, &items, tier, days.as_deref())?;
            let draft = BroadcastDraft::parse(&subject, &body, &category, segment)?;
            let id = broadcasts::create_draft(&call.state.pool, &owner, &draft).await?;
            leptos_axum::redirect(&domain::paths::admin_broadcast(id));
            Ok::<_, Error>(())
        }
        .await,
    )
}

/// A broadcast, with how many it reaches now and its email as they will get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastView {
    pub broadcast: Broadcast,
    pub segment: String,
    pub recipients: i64,
    pub preview_html: String,
    pub preview_text: String,
}

#[server(endpoint = "load_broadcast")]
pub async fn load_broadcast(id: Uuid) -> Result<BroadcastView, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            let broadcast = broadcasts::find(&call.state.pool, &owner, id).await?;
            let context = backend::settings::service::email_context(&call.state).await?;
            let preview = broadcasts::preview(&context, &broadcast.draft);
            let draft = &broadcast.draft;
            let recipients =
                broadcasts::count(&call.state.pool, draft.category, &draft.segment).await?;
            Ok::<_, Error>(BroadcastView {
                segment: format!("{} ({})", draft.segment.describe(), draft.category.label()),
                recipients,
                preview_html: preview.html,
                preview_text: preview.text,
                broadcast,
            })
        }
        .await,
    )
}

#[server(endpoint = "send_test_broadcast")]
pub async fn send_test_broadcast(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            let context = backend::settings::service::email_context(&call.state).await?;
            broadcasts::send_test(&call.state, &owner, &context, id).await
        }
        .await,
    )
}

/// Sends the draft now, or at `send_at` (`YYYY-MM-DDTHH:MM` in the platform's timezone).
#[server(endpoint = "send_broadcast")]
pub async fn send_broadcast(
    id: Uuid,
    #[server(default)] send_at: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            let at = match send_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(local) => {
                    Some(backend::marketing::broadcasts::local_time(&call.state.pool, local).await?)
                }
                None => None,
            };
            broadcasts::send(&call.state.pool, &owner, id, at).await
        }
        .await,
    )
}

#[server(endpoint = "delete_broadcast")]
pub async fn delete_broadcast(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            broadcasts::delete_draft(&call.state.pool, &owner, id).await?;
            leptos_axum::redirect(domain::paths::ADMIN_BROADCASTS);
            Ok::<_, Error>(())
        }
        .await,
    )
}

#[server(endpoint = "save_abandoned_checkout")]
pub async fn save_abandoned_checkout(
    #[server(default)] enabled: Option<String>,
    delay_hours: String,
    #[server(default)] discount_code: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            let hours = delay_hours
                .trim()
                .parse::<i32>()
                .map_err(|_| Error::validation("Send after must be a whole number of hours."))?;
            abandoned::save(
                &call.state.pool,
                &owner,
                enabled.is_some(),
                hours,
                &discount_code,
            )
            .await
        }
        .await,
    )
}

/// Adds an email to a sequence (`content_id`: the item, for an after-purchase sequence).
#[server(endpoint = "add_automation_step")]
pub async fn add_automation_step(
    automation: String,
    #[server(default)] content_id: Option<String>,
    delay_days: String,
    subject: String,
    body: String,
) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            let content = content_id
                .as_deref()
                .and_then(|id| Uuid::try_parse(id).ok());
            let step = NewStep::parse(&automation, content, &delay_days, &subject, &body)?;
            automations::add_step(&call.state.pool, &owner, &step)
                .await
                .map(|_| ())
        }
        .await,
    )
}

#[server(endpoint = "delete_automation_step")]
pub async fn delete_automation_step(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.clone().owner()?;
            automations::delete_step(&call.state.pool, &owner, id).await
        }
        .await,
    )
}

/// Category names for the form.
pub fn categories() -> [(&'static str, &'static str); 2] {
    [
        (
            super::Category::News.as_str(),
            super::Category::News.label(),
        ),
        (
            super::Category::Releases.as_str(),
            super::Category::Releases.label(),
        ),
    ]
}
