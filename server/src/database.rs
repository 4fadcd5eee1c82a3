//! The connection pool, database creation and migrations.

use std::time::Duration;

use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::config::redact_url;

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(database_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    connect_with(database_url, max_connections, None).await
}

/// The serving pool: every statement on it is cut off after `statement_timeout`, so one slow
/// query cannot hold a connection (and the requests queued behind it) for ever.
pub async fn connect_for_serving(
    database_url: &str,
    max_connections: u32,
    statement_timeout: Duration,
) -> anyhow::Result<PgPool> {
    connect_with(database_url, max_connections, Some(statement_timeout)).await
}

async fn connect_with(
    database_url: &str,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> anyhow::Result<PgPool> {
    let unreachable = |e: sqlx::Error| {
        anyhow::anyhow!(
            "cannot connect to the database at {}: {e}",
            redact_url(database_url)
        )
    };
    let mut options: PgConnectOptions = database_url.parse().map_err(unreachable)?;
    if let Some(timeout) = statement_timeout {
        options = options.options([("statement_timeout", format!("{}ms", timeout.as_millis()))]);
    }
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(unreachable)
}

/// Creates the database when it does not exist yet (development and previews).
pub async fn create_if_missing(database_url: &str) -> anyhow::Result<()> {
    if !Postgres::database_exists(database_url).await? {
        tracing::info!(database = %redact_url(database_url), "creating database");
        Postgres::create_database(database_url).await?;
    }
    Ok(())
}

/// A new, migrated database `name` on the server of `admin_url` (a benchmark's: one left
/// from an earlier run is dropped first).
pub async fn fresh(admin_url: &str, name: &str) -> anyhow::Result<PgPool> {
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));
    if Postgres::database_exists(url.as_str()).await? {
        Postgres::force_drop_database(url.as_str()).await?;
    }
    Postgres::create_database(url.as_str()).await?;
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .connect(url.as_str())
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}
