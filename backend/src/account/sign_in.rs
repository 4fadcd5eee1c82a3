//! Becoming and being a signed-in user, behind the auth server functions: first-run setup,
//! registration, log in and out, email verification, password reset. Who is calling, and
//! the sessions, passwords and tokens these flows use, are `crate::auth`.

use std::time::Duration;

use domain::paths;
use sqlx::PgPool;
use tokio::time::Instant;
use tower_sessions::Session;

use crate::auth::password::{hash_password, verify_password};
use crate::auth::session;
use crate::auth::sign_ins::Client;
use crate::auth::tokens::{self, NewToken, TokenPurpose};
use crate::auth::users::{self, NewUser, UserRecord};
use crate::auth::{Caller, SignedIn};
use crate::email::context::EmailContext;
use crate::email::{outbox, templates};
use crate::error::{Answer, Error};
use crate::rate_limit;
use crate::settings::service::email_context;
use crate::state::{AppState, FirstRun};
use domain::auth::{
    safe_redirect, Email, NewAccount, NewPassword, Role, UserView, MAX_PASSWORD_LEN,
};

pub async fn current_user(caller: &Caller) -> Result<Option<UserView>, Error> {
    let user = caller.user().cloned();
    Ok(user.map(|u| u.view()))
}

pub async fn owner_exists(state: &AppState) -> Result<bool, Error> {
    users::owner_exists(&state.pool).await
}

/// Creates the one owner account (first-run setup and the `create-owner` command).
pub async fn create_owner(pool: &PgPool, account: &NewAccount) -> Result<UserRecord, Error> {
    if users::owner_exists(pool).await? {
        return Err(Error::conflict("Setup is already complete."));
    }
    let password_hash = hash_password(account.password.expose().to_string()).await?;
    // The unique index on the owner role settles a race between two setups.
    let owner = users::insert(
        &mut *pool.acquire().await?,
        NewUser {
            email: &account.email,
            name: &account.name,
            password_hash: &password_hash,
            role: Role::Owner,
            verified: true,
        },
    )
    .await?;
    tracing::info!(user_id = %owner.id, "owner account created");
    Ok(owner)
}

/// Whether `/setup` asks for the one-time setup token.
pub fn setup_needs_token(state: &AppState) -> bool {
    !matches!(state.first_run, FirstRun::Open)
}

fn check_setup_token(first_run: &FirstRun, given: Option<&str>) -> Result<(), Error> {
    use subtle::ConstantTimeEq;
    match first_run {
        FirstRun::Open => Ok(()),
        FirstRun::Closed => Err(Error::conflict(
            "Setup on the web is off: create the owner with `server create-owner`.",
        )),
        FirstRun::Token(token) => {
            let given = given.unwrap_or_default().trim();
            if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
                Ok(())
            } else {
                tracing::warn!("first-run setup refused: wrong setup token");
                Err(Error::validation("The setup token is not correct."))
            }
        }
    }
}

/// The first-run form as typed.
#[derive(Debug, Clone, Copy)]
pub struct OwnerSetup<'a> {
    pub setup_token: Option<&'a str>,
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub confirm_password: &'a str,
    pub with_samples: bool,
}

/// Creates the owner account and signs them in; the setup token is checked before anything
/// typed is looked at.
pub async fn setup_owner(
    state: &AppState,
    session: &Session,
    form: OwnerSetup<'_>,
    client: &Client,
) -> Result<(), Error> {
    check_setup_token(&state.first_run, form.setup_token)?;
    let account = NewAccount::parse(form.name, form.email, form.password, form.confirm_password)?;
    let with_samples = form.with_samples;
    let owner = create_owner(&state.pool, &account).await?;
    session::sign_in(&state.pool, session, &owner, false, client).await?;
    if with_samples {
        // Encoding takes a little while: a worker publishes them, and they appear when ready.
        crate::content::samples::request(&state.pool, owner.id).await?;
    }
    Ok(())
}

/// The least time registration and forgotten-password requests take to answer, whether or
/// not the address has an account, so that the time does not tell either.
const EQUAL_ANSWER_TIME: Duration = Duration::from_millis(500);

async fn answer_no_sooner(started: Instant) {
    tokio::time::sleep_until(started + EQUAL_ANSWER_TIME).await;
}

/// Registers a customer and signs them in. An address that already has an account gets
/// the same answer (its owner is emailed instead, and nobody is signed in), so that the
/// page tells nobody which addresses have accounts. `news`: they ticked "Send me news and
/// new releases" (an existing account's choices are not changed by it).
pub async fn register(
    state: &AppState,
    session: &Session,
    account: &NewAccount,
    news: bool,
    client: &Client,
) -> Result<(), Error> {
    let started = Instant::now();
    let password_hash = hash_password(account.password.expose().to_string()).await?;

    let emails = email_context(state).await?;
    let mut tx = state.pool.begin().await?;
    if let Some(existing) = users::find_by_email(&mut *tx, &account.email).await? {
        tell_account_exists(state, &mut tx, &emails, &existing).await?;
        tx.commit().await?;
        tracing::info!(user_id = %existing.id, "registration with an existing address");
        answer_no_sooner(started).await;
        return Ok(());
    }
    let user = users::insert(
        &mut tx,
        NewUser {
            email: &account.email,
            name: &account.name,
            password_hash: &password_hash,
            role: Role::Customer,
            verified: false,
        },
    )
    .await?;
    if news {
        crate::marketing::consent::opt_in(&mut tx, user.id).await?;
    }
    queue_verification(
        &mut tx,
        state,
        &emails,
        AddressToVerify {
            user: &user,
            email: &user.email,
        },
    )
    .await?;
    let welcome = templates::welcome(
        emails.addressed(&user.email, &user.name),
        &state.public_url.link(paths::LIBRARY),
        &emails.welcome_text,
    );
    outbox::enqueue(&mut tx, &emails, &welcome).await?;
    tx.commit().await?;

    tracing::info!(user_id = %user.id, "customer registered");
    session::sign_in(&state.pool, session, &user, false, client).await?;
    answer_no_sooner(started).await;
    Ok(())
}

/// Emails the owner of an address that someone tried to register again (once an hour at
/// most, so registrations cannot flood their inbox).
async fn tell_account_exists(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    emails: &EmailContext,
    existing: &UserRecord,
) -> Result<(), Error> {
    let limit = rate_limit::hit(
        &mut *tx,
        rate_limit::ACCOUNT_EXISTS_NOTICE,
        &existing.id.to_string(),
    )
    .await?;
    if !limit.allowed {
        return Ok(());
    }
    let notice = templates::account_exists(
        emails.addressed(&existing.email, &existing.name),
        &state.public_url.link(paths::LOGIN),
        &state.public_url.link(paths::FORGOT_PASSWORD),
    );
    outbox::enqueue(tx, emails, &notice).await?;
    Ok(())
}

/// An address to verify: the user's own, or the one they are changing to.
pub(crate) struct AddressToVerify<'a> {
    pub user: &'a UserRecord,
    pub email: &'a str,
}

/// Issues a verification token for the address and writes the email to the outbox.
pub(crate) async fn queue_verification(
    conn: &mut sqlx::PgConnection,
    state: &AppState,
    emails: &EmailContext,
    address: AddressToVerify<'_>,
) -> Result<(), Error> {
    let AddressToVerify { user, email } = address;
    let token = tokens::issue(conn, &state.link_key, user.id, NewToken::VerifyEmail(email)).await?;
    let link = state
        .public_url
        .link(&paths::verify_email(tokens::TOKEN_SLOT));
    let message = templates::verify_email(emails.addressed(email, &user.name), &link)
        .with_one_time_link(token);
    outbox::enqueue(conn, emails, &message).await?;
    Ok(())
}

/// Checks the length of a password typed at login without revealing the rules.
fn check_login_password(input: &str) -> Result<(), Error> {
    if input.is_empty() {
        return Err(Error::validation("Password is required."));
    }
    if input.chars().count() > MAX_PASSWORD_LEN {
        return Err(Error::Answer(Answer::InvalidCredentials));
    }
    Ok(())
}

/// A login form, its address parsed.
pub struct LogIn {
    pub email: Email,
    pub password: String,
    /// "Remember me": the session outlives the browser.
    pub remember: bool,
    /// The page that asked for the login.
    pub redirect: Option<String>,
}

/// Signs the user in; where their browser goes next.
pub async fn login(
    state: &AppState,
    session: &Session,
    form: LogIn,
    client: &Client,
) -> Result<String, Error> {
    let LogIn {
        email,
        password,
        remember,
        redirect,
    } = form;
    check_login_password(&password)?;
    let user = users::find_by_email(&state.pool, &email).await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let user = match (verify_password(password, stored_hash).await?, user) {
        (true, Some(user)) => user,
        _ => return Err(Error::Answer(Answer::InvalidCredentials)),
    };
    session::sign_in(&state.pool, session, &user, remember, client).await?;
    tracing::info!(user_id = %user.id, "signed in");
    // Where the browser goes next: the page that asked for the login, or the role's home.
    Ok(safe_redirect(redirect.as_deref()).unwrap_or_else(|| user.role().home_path().to_string()))
}

pub async fn logout(state: &AppState, session: &Session) -> Result<(), Error> {
    session::sign_out(&state.pool, session).await
}

/// Returns the page the customer was on when they were asked to verify, if any.
pub async fn verify_email(
    state: &AppState,
    session: &Session,
    token: String,
) -> Result<Option<String>, Error> {
    let mut tx = state.pool.begin().await?;
    let consumed = tokens::consume(&mut tx, &token, TokenPurpose::VerifyEmail).await?;
    let email = consumed.email.ok_or(Error::Answer(Answer::InvalidToken))?;
    if !users::mark_verified(&mut tx, consumed.user_id, &email).await? {
        // The user changed their address after this link was sent.
        return Err(Error::Answer(Answer::InvalidToken));
    }
    let welcome = domain::marketing::Automation::Welcome;
    crate::marketing::automations::enrol(&mut tx, welcome, consumed.user_id, None).await?;
    tx.commit().await?;
    tracing::info!(user_id = %consumed.user_id, "email verified");
    session::take_after_verify(session).await
}

pub async fn resend_verification(state: &AppState, user: &SignedIn) -> Result<(), Error> {
    if user.email_verified_at.is_some() {
        return Ok(());
    }
    let emails = email_context(state).await?;
    let mut tx = state.pool.begin().await?;
    queue_verification(
        &mut tx,
        state,
        &emails,
        AddressToVerify {
            user,
            email: &user.email,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Always answers the same, in the same time, whether or not the email belongs to an
/// account.
pub async fn forgot_password(state: &AppState, email: String) -> Result<(), Error> {
    let started = Instant::now();
    let email = Email::parse(&email)?;
    if let Some(user) = users::find_by_email(&state.pool, &email).await? {
        let emails = email_context(state).await?;
        let mut tx = state.pool.begin().await?;
        let token =
            tokens::issue(&mut tx, &state.link_key, user.id, NewToken::ResetPassword).await?;
        let link = state
            .public_url
            .link(&paths::reset_password(tokens::TOKEN_SLOT));
        let message = templates::password_reset(emails.addressed(&user.email, &user.name), &link)
            .with_one_time_link(token);
        outbox::enqueue(&mut tx, &emails, &message).await?;
        tx.commit().await?;
    }
    answer_no_sooner(started).await;
    Ok(())
}

pub async fn reset_password(
    state: &AppState,
    token: String,
    password: String,
    confirm_password: String,
) -> Result<(), Error> {
    let password = NewPassword::parse_confirmed(&password, &confirm_password)?;
    // A made-up or used token is refused before the (deliberately slow) hash is computed.
    tokens::check(
        &mut *state.pool.acquire().await?,
        &token,
        TokenPurpose::ResetPassword,
    )
    .await?;
    let password_hash = hash_password(password.expose().to_string()).await?;

    let emails = email_context(state).await?;
    let mut tx = state.pool.begin().await?;
    let consumed = tokens::consume(&mut tx, &token, TokenPurpose::ResetPassword).await?;
    let user = users::find_by_id(&mut *tx, consumed.user_id)
        .await?
        .ok_or(Error::Answer(Answer::InvalidToken))?;
    // Bumping the epoch ends every session of the user, this one included.
    users::set_password(&mut tx, user.id, &password_hash).await?;
    // The link arrived by email, which proves the address.
    users::mark_verified(&mut tx, user.id, &user.email).await?;
    queue_password_changed(&mut tx, &emails, &user).await?;
    tx.commit().await?;

    tracing::info!(user_id = %user.id, "password reset");
    Ok(())
}

pub(crate) async fn queue_password_changed(
    conn: &mut sqlx::PgConnection,
    emails: &EmailContext,
    user: &UserRecord,
) -> Result<(), Error> {
    let message = templates::password_changed(
        emails.addressed(&user.email, &user.name),
        &emails.link(paths::FORGOT_PASSWORD),
    );
    outbox::enqueue(conn, emails, &message).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_tokens() {
        assert!(check_setup_token(&FirstRun::Open, None).is_ok());
        assert!(matches!(
            check_setup_token(&FirstRun::Closed, Some("anything")),
            Err(Error::Answer(Answer::Conflict(_)))
        ));
        let first_run = FirstRun::Token("a-long-one-time-token".into());
        assert!(check_setup_token(&first_run, Some("a-long-one-time-token")).is_ok());
        assert!(check_setup_token(&first_run, Some(" a-long-one-time-token\n")).is_ok());
        for wrong in [None, Some(""), Some("a-long-one-time-toke"), Some("x")] {
            assert!(
                matches!(
                    check_setup_token(&first_run, wrong),
                    Err(Error::Answer(Answer::Validation(_)))
                ),
                "{wrong:?}"
            );
        }
    }
}
