//! Background tasks started with the server.

use std::time::Duration;

use backend::email::delivery::{self, Mailer};
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
    match config.smtp_url.as_deref() {
        Some(url) => match Mailer::new(url, &config.email_from) {
            Ok(mailer) => tasks.push(tokio::spawn(delivery::run(pool.clone(), mailer))),
            Err(error) => tracing::error!(%error, "email delivery disabled"),
        },
        None => tracing::info!("SMTP_URL not set: emails stay in the outbox (see /admin/emails)"),
    }

    tasks.push(tokio::spawn(backend::media::processing::run(
        pool.clone(),
        ctx.app.storage.clone(),
    )));

    tasks.push(tokio::spawn(backend::content::samples::run(
        pool.clone(),
        ctx.app.storage.clone(),
    )));

    let store = PostgresStore::new(pool.clone());
    tasks.push(tokio::spawn(async move {
        if let Err(error) = store
            .continuously_delete_expired(Duration::from_secs(3600))
            .await
        {
            tracing::error!(%error, "expired session cleanup stopped");
        }
    }));

    let pool = pool.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            if let Err(error) = backend::rate_limit::prune(&pool).await {
                tracing::warn!(?error, "rate limit pruning failed");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }));
    tasks
}
