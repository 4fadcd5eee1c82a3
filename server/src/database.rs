//! The connection pool, database creation and migrations.

use std::time::Duration;

use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};

use crate::config::redact_url;

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(database_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(database_url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to the database at {}: {e}",
                redact_url(database_url)
            )
        })
}

/// Creates the database when it does not exist yet (development and previews).
pub async fn create_if_missing(database_url: &str) -> anyhow::Result<()> {
    if !Postgres::database_exists(database_url).await? {
        tracing::info!(database = %redact_url(database_url), "creating database");
        Postgres::create_database(database_url).await?;
    }
    Ok(())
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}
