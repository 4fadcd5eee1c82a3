//! Background tasks started with the server.

use std::time::Duration;

use backend::analytics::rollup::RollUpAnalytics;
use backend::content::samples::SeedSamples;
use backend::email::delivery::DeliverEmail;
use backend::jobs::{Job, PruneFinishedJobs, Runner};
use backend::marketing::broadcasts::QueueBroadcasts;
use backend::marketing::sending::SendMarketingEmails;
use backend::media::processing::ProcessMedia;
use backend::media::upload::RemoveAbandonedUploads;
use backend::outbound::delivery::DeliverWebhook;
use backend::payments::reconcile::DailyReconciliation;
use backend::rate_limit::PruneRateLimits;
use backend::security_log::PruneSecurityLog;
use backend::streams::PruneStreamLeases;
use backend::AppState;
use tokio::task::JoinHandle;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::AppContext;

const HOURLY: Duration = Duration::from_secs(3600);
/// How often the marketing runner looks for broadcasts and automation emails come due.
const MARKETING_ROUND: Duration = Duration::from_secs(30);

/// The periodic job that deletes expired sessions from the session store, and sign-ins a
/// month after they ended.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DeleteExpiredSessions;

impl Job for DeleteExpiredSessions {
    const KIND: &'static str = "delete_expired_sessions";

    async fn run(&self, state: &AppState) -> backend::Result<()> {
        PostgresStore::new(state.pool.clone())
            .delete_expired()
            .await
            .map_err(|e| backend::error::internal("deleting expired sessions", e))?;
        backend::auth::sign_ins::prune(&state.pool).await
    }
}

pub fn spawn_all(ctx: &AppContext) -> Vec<JoinHandle<()>> {
    let config = &ctx.config;
    let mut tasks = Vec::new();
    if !config.run_workers {
        return tasks;
    }
    // The one job queue, taken by two runners: media apart, so that a long encode never
    // holds up the rest (emails, webhooks). Periodic jobs run once across instances, whichever gets there first.
    let runner = |name: &str| {
        let mut runner = Runner::new(ctx.app.clone()).named(format!(
            "{name}:{}:{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        runner.lease = config.job_lease;
        runner
    };
    // Sample content is encoded too.
    let media = runner("media")
        .register::<ProcessMedia>()
        .register::<SeedSamples>();
    let mut general = runner("general")
        .register::<DeliverWebhook>()
        .every::<DailyReconciliation>(HOURLY)
        .every::<RollUpAnalytics>(config.analytics_rollup_every)
        .every::<DeleteExpiredSessions>(HOURLY)
        .every::<RemoveAbandonedUploads>(HOURLY)
        .every::<PruneRateLimits>(HOURLY)
        .every::<PruneSecurityLog>(HOURLY)
        .every::<PruneFinishedJobs>(HOURLY)
        .every::<PruneStreamLeases>(HOURLY);
    if ctx.app.mail.is_some() {
        general = general.register::<DeliverEmail>();
    }
    // Marketing email apart too: a broadcast to thousands, sent at EMAIL_SEND_RATE, never
    // holds up a receipt.
    let marketing = runner("marketing")
        .every::<SendMarketingEmails>(MARKETING_ROUND)
        .every::<QueueBroadcasts>(MARKETING_ROUND);
    tasks.push(tokio::spawn(marketing.run()));
    tasks.push(tokio::spawn(media.run()));
    tasks.push(tokio::spawn(general.run()));
    tasks
}
