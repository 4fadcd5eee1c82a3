//! The server binary's subcommands, run as a process against a fresh database.

use std::io::Write;
use std::process::{Command, Stdio};

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, PgPool};

fn database_url(pool: &PgPool) -> String {
    let options = pool.connect_options();
    let options: &PgConnectOptions = options.as_ref();
    options.to_url_lossy().to_string()
}

fn server(database_url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("APP_ENV", "test")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn create_owner_reads_the_password_from_stdin_and_refuses_a_second_owner(pool: PgPool) {
    let url = database_url(&pool);
    let output = server(
        &url,
        &[
            "create-owner",
            "--email",
            "Boss@Example.com",
            "--name",
            "The Boss",
        ],
        "Owner1pass\n",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("boss@example.com"));
    let (role, hash, verified): (String, String, bool) =
        sqlx::query_as("SELECT role, password_hash, email_verified_at IS NOT NULL FROM users")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(role, "owner");
    assert!(hash.starts_with("$argon2id$"));
    assert!(verified);

    let again = server(
        &url,
        &[
            "create-owner",
            "--email",
            "other@example.com",
            "--name",
            "Other",
        ],
        "Owner1pass\n",
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("Setup is already complete"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn create_owner_refuses_a_weak_password(pool: PgPool) {
    let output = server(
        &database_url(&pool),
        &["create-owner", "--email", "a@example.com", "--name", "A"],
        "weak\n",
    );
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("Password must be at least 8 characters")
    );
    let owners: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(owners, 0);
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["create-owner", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn production_without_secrets_names_the_missing_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env_clear()
        .env("APP_ENV", "production")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("DATABASE_URL must be set in production")
    );
}
