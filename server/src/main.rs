//! The `server` binary: `serve` (default), `migrate`, `create-owner`, `seed-samples` and
//! `reconcile`.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::auth::NewAccount;
use server::config::{AppEnv, Config};
use server::{database, http_server, router, startup, telemetry, workers};

#[derive(Parser)]
#[command(
    name = "server",
    version,
    about = "Codex: sell video and audio to your customers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default). Development and previews create and migrate the database.
    Serve,
    /// Run only the background work (media processing, emails, webhooks, reconciliation,
    /// clean-up) and no site. Any number of workers share one database's jobs; servers run
    /// with `RUN_WORKERS=false` beside them.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the owner account. The password is read from standard input or a prompt.
    CreateOwner {
        /// The owner's email address.
        #[arg(long)]
        email: String,
        /// The owner's display name.
        #[arg(long)]
        name: String,
    },
    /// Publish sample content (short clips generated with ffmpeg) for the owner, once.
    SeedSamples,
    /// Compare Stripe's events and Checkout Sessions of the last 30 days with purchases and
    /// access, repair what webhooks missed, and print the figures (the worker does it daily).
    Reconcile,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            std::process::exit(2);
        }
    };
    telemetry::init(config.log_json);

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Worker => worker(config).await,
        Command::Migrate => {
            database::create_if_missing(&config.database_url).await.ok();
            let pool = database::connect(&config.database_url, 2).await?;
            database::migrate(&pool).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::CreateOwner { email, name } => create_owner(config, &email, &name).await,
        Command::SeedSamples => seed_samples(config).await,
        Command::Reconcile => reconcile(config).await,
    }
}

/// The serving pool; outside production the database is created and migrated first.
async fn serving_pool(config: &Config) -> anyhow::Result<sqlx::PgPool> {
    if config.env != AppEnv::Production {
        database::create_if_missing(&config.database_url).await?;
    }
    let pool = database::connect_for_serving(
        &config.database_url,
        config.database_max_connections,
        config.limits.statement_timeout,
    )
    .await?;
    if config.env != AppEnv::Production {
        database::migrate(&pool)
            .await
            .context("running migrations")?;
    }
    Ok(pool)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let pool = serving_pool(&config).await?;
    tracing::info!(?config, "starting codex");
    let addr = config.site_addr;
    let public_url = config.public_url.clone();
    let header_read_timeout = config.limits.header_read_timeout;
    let context = startup::context(config, pool).await?;
    let _workers = workers::spawn_all(&context);
    let app = router::build(context);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!("listening on http://{addr} (public URL {public_url})");
    http_server::serve(listener, app, header_read_timeout, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

async fn worker(mut config: Config) -> anyhow::Result<()> {
    config.run_workers = true;
    let pool = serving_pool(&config).await?;
    tracing::info!(?config, "starting a codex worker (no site)");
    let context = startup::context(config, pool).await?;
    let workers = workers::spawn_all(&context);
    shutdown_signal().await;
    // A media job cut here is taken over by another worker once its lease runs out.
    for task in workers {
        task.abort();
    }
    tracing::info!("worker stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}

async fn create_owner(config: Config, email: &str, name: &str) -> anyhow::Result<()> {
    let password = read_password()?;
    let account =
        NewAccount::parse(name, email, &password, &password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let pool = database::connect(&config.database_url, 2).await?;
    database::migrate(&pool).await?;
    let owner = backend::account::sign_in::create_owner(&pool, &account)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Owner {} <{}> created.", owner.name, owner.email);
    Ok(())
}

async fn seed_samples(config: Config) -> anyhow::Result<()> {
    let pool = database::connect(&config.database_url, 2).await?;
    database::migrate(&pool).await?;
    let owner = backend::auth::users::owner_id(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("there is no owner yet: run create-owner or open /setup first")?;
    let storage =
        backend::storage::MediaStorage::from_config(&config.media_storage, &config.s3_settings)
            .map_err(anyhow::Error::msg)?;
    let added = backend::content::samples::seed(&pool, &storage, owner)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match added {
        0 => println!("Sample content is already there."),
        n => println!("{n} sample items published."),
    }
    Ok(())
}

async fn reconcile(config: Config) -> anyhow::Result<()> {
    anyhow::ensure!(
        !matches!(config.payments, server::config::Payments::Standin { .. }),
        "the embedded Stripe stand-in keeps its events in the serving process, whose worker \
         reconciles daily; set STRIPE_SECRET_KEY (or STRIPE_API_BASE for a standalone stand-in)"
    );
    let pool = database::connect(&config.database_url, 4).await?;
    database::migrate(&pool).await?;
    let context = startup::context(config, pool).await?;
    let figures = backend::payments::reconcile::run(
        &context.app,
        backend::payments::reconcile::Trigger::Command,
    )
    .await
    .map_err(|e| anyhow::anyhow!("reconciliation failed: {e}"))?;
    println!("events checked: {}", figures.events_checked);
    println!("sessions checked: {}", figures.sessions_checked);
    println!("paid without access: {}", figures.paid_without_access);
    println!("access without payment: {}", figures.access_without_payment);
    println!("refunds not applied: {}", figures.refunds_applied);
    println!("disputes not applied: {}", figures.disputes_applied);
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Confirm password: ")?;
        anyhow::ensure!(first == second, "passwords do not match");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
