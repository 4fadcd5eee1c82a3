//! Background tasks started with the server.

use std::time::Duration;

use backend::content::samples::SeedSamples;
use backend::email::delivery::{self, Delivery, Mailer, Transport};
use backend::jobs::{Job, PruneFinishedJobs, Runner};
use backend::media::processing::ProcessMedia;
use backend::media::upload::RemoveAbandonedUploads;
use backend::purchases::reconcile::DailyReconciliation;
use backend::rate_limit::PruneRateLimits;
use backend::security_log::PruneSecurityLog;
use backend::AppState;
use tokio::task::JoinHandle;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::AppContext;

const HOURLY: Duration = Duration::from_secs(3600);

/// The periodic job that deletes expired sessions from the session store.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DeleteExpiredSessions;

impl Job for DeleteExpiredSessions {
    const KIND: &'static str = "delete_expired_sessions";

    async fn run(&self, state: &AppState) -> backend::Result<()> {
        PostgresStore::new(state.pool.clone())
            .delete_expired()
            .await
            .map_err(|e| backend::error::internal("deleting expired sessions", e))
    }
}

pub fn spawn_all(ctx: &AppContext) -> Vec<JoinHandle<()>> {
    let (config, pool) = (&ctx.config, &ctx.app.pool);
    let mut tasks = Vec::new();
    if !config.run_workers {
        return tasks;
    }
    let transport = match config.smtp_url.as_deref() {
        Some(url) => match Mailer::new(url, &config.email_from) {
            Ok(mailer) => Some(Transport::Smtp(Box::new(mailer))),
            Err(error) => {
                tracing::error!(%error, "email delivery disabled");
                None
            }
        },
        // Production requires SMTP_URL; elsewhere emails become files a developer can open.
        None => {
            tracing::info!(folder = %config.mail_folder, "SMTP_URL not set: emails are delivered as files");
            Some(Transport::Folder(config.mail_folder.clone().into()))
        }
    };
    if let Some(transport) = transport {
        let delivery = Delivery {
            transport,
            link_key: ctx.app.link_key.clone(),
        };
        tasks.push(tokio::spawn(delivery::run(pool.clone(), delivery)));
    }

    tasks.push(tokio::spawn(backend::outbound::delivery::run(
        pool.clone(),
        ctx.app.link_key.clone(),
        ctx.app.outbound_targets,
    )));

    // The one job queue, taken by two runners: media apart, so that a long encode never
    // holds up the rest. Periodic jobs run once across instances, whichever gets there first.
    let runner = |name: &str| {
        let mut runner = Runner::new(ctx.app.clone()).named(format!(
            "{name}:{}:{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        runner.lease = config.job_lease;
        runner
    };
    let media = runner("media").register::<ProcessMedia>();
    let general = runner("general")
        .register::<SeedSamples>()
        .every::<DailyReconciliation>(HOURLY)
        .every::<DeleteExpiredSessions>(HOURLY)
        .every::<RemoveAbandonedUploads>(HOURLY)
        .every::<PruneRateLimits>(HOURLY)
        .every::<PruneSecurityLog>(HOURLY)
        .every::<PruneFinishedJobs>(HOURLY);
    tasks.push(tokio::spawn(media.run()));
    tasks.push(tokio::spawn(general.run()));
    tasks
}
