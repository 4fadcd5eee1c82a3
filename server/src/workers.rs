//! Background tasks started with the server.

use std::time::Duration;

use backend::email::delivery::{self, Delivery, Mailer, Transport};
use tokio::task::JoinHandle;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::AppContext;

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

    tasks.push(tokio::spawn(backend::media::processing::run(
        pool.clone(),
        ctx.app.storage.clone(),
        config.media_job_lease,
    )));

    tasks.push(tokio::spawn(backend::content::samples::run(
        pool.clone(),
        ctx.app.storage.clone(),
    )));

    // Reconciliation with Stripe, daily (checked hourly; one run a day across instances, as
    // the last run's start is read from the database).
    let app = ctx.app.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            if let Err(error) = backend::purchases::reconcile::run_if_due(&app).await {
                tracing::warn!(?error, "daily reconciliation failed");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }));

    let store = PostgresStore::new(pool.clone());
    tasks.push(tokio::spawn(async move {
        if let Err(error) = store
            .continuously_delete_expired(Duration::from_secs(3600))
            .await
        {
            tracing::error!(%error, "expired session cleanup stopped");
        }
    }));

    let app = ctx.app.clone();
    let pool = pool.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            if let Err(error) = backend::media::upload::remove_abandoned(&app).await {
                tracing::warn!(?error, "removing abandoned uploads failed");
            }
            if let Err(error) = backend::rate_limit::prune(&pool).await {
                tracing::warn!(?error, "rate limit pruning failed");
            }
            if let Err(error) = backend::security_log::prune(&pool).await {
                tracing::warn!(?error, "security log pruning failed");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }));
    tasks
}
