//! Fixed-window rate limits with the counters in PostgreSQL, so every app server shares
//! them. Windows are measured on the database clock for the same reason.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub limit: i32,
    pub window_secs: i64,
}

pub const LOGIN: Rule = Rule {
    name: "login",
    limit: 5,
    window_secs: 15 * 60,
};
/// A broadcast's test goes to the owner's own address; the limit keeps a stuck button (or
/// a stolen session) from filling their inbox and the mail provider's quota.
pub const SEND_TEST_BROADCAST: Rule = Rule {
    name: "send_test_broadcast",
    limit: 20,
    window_secs: 3600,
};
pub const REGISTER: Rule = Rule {
    name: "register",
    limit: 3,
    window_secs: 3600,
};
pub const FORGOT_PASSWORD: Rule = Rule {
    name: "forgot_password",
    limit: 3,
    window_secs: 3600,
};
pub const RESEND_VERIFICATION: Rule = Rule {
    name: "resend_verification",
    limit: 5,
    window_secs: 3600,
};
/// First-run setup (which may ask for the setup token).
pub const SETUP_OWNER: Rule = Rule {
    name: "setup_owner",
    limit: 10,
    window_secs: 3600,
};
/// Setting a new password from an emailed link (the link's token is checked first).
pub const RESET_PASSWORD: Rule = Rule {
    name: "reset_password",
    limit: 10,
    window_secs: 15 * 60,
};
/// Account changes that check the current password: per IP and per account.
pub const CHANGE_PASSWORD: Rule = Rule {
    name: "change_password",
    limit: 5,
    window_secs: 15 * 60,
};
pub const CHANGE_EMAIL: Rule = Rule {
    name: "change_email",
    limit: 5,
    window_secs: 3600,
};
pub const UPDATE_NAME: Rule = Rule {
    name: "update_name",
    limit: 20,
    window_secs: 3600,
};
/// "You already have an account" emails to one address (registrations with it).
pub const ACCOUNT_EXISTS_NOTICE: Rule = Rule {
    name: "account_exists_notice",
    limit: 1,
    window_secs: 3600,
};
/// Security log entries about requests of one address that nobody signed in made (refused
/// requests, failed logins): beyond this, they are only counted in the process log.
pub const SECURITY_LOG: Rule = Rule {
    name: "security_log",
    limit: 60,
    window_secs: 3600,
};
/// Webhook deliveries whose signature was refused, per address. Only refusals count: Stripe's
/// correctly signed bursts (hundreds of events at once) are never limited.
pub const WEBHOOK_REFUSED: Rule = Rule {
    name: "webhook_refused",
    limit: 30,
    window_secs: 600,
};
/// Discount codes tried (on an item page or at checkout), per address: enough for a person,
/// too few to guess codes.
pub const DISCOUNT_CODE: Rule = Rule {
    name: "discount_code",
    limit: 30,
    window_secs: 3600,
};
/// Tries of one code, from every address together (a code tried from many addresses).
pub const DISCOUNT_CODE_TRIED: Rule = Rule {
    name: "discount_code_tried",
    limit: 300,
    window_secs: 3600,
};
/// Checkout Sessions one customer starts ("Buy now", "Rent" and "Subscribe" together): each
/// is a call to Stripe and, with a limited code, a use held for 30 minutes.
pub const CHECKOUT_SESSIONS: Rule = Rule {
    name: "checkout_sessions",
    limit: 20,
    window_secs: 3600,
};
/// Calls to Stripe a customer's membership pages make (a subscription Checkout, a portal
/// session, reading their subscriptions again), per customer.
pub const MEMBERSHIP_STRIPE: Rule = Rule {
    name: "membership_stripe",
    limit: 30,
    window_secs: 3600,
};
pub const UPLOAD: Rule = Rule {
    name: "upload",
    limit: 10,
    window_secs: 3600,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: i32,
    pub remaining: i32,
    /// When the current window ends.
    pub reset_at: OffsetDateTime,
    /// Seconds until the window ends (at least 1).
    pub retry_after: i64,
}

/// Counts one request of `subject` (an IP address or a user id) against `rule`. A window
/// starts at the subject's first request and lasts `window_secs`; the next request after it
/// ends starts a new one. (Windows aligned to the clock would let a burst around a boundary
/// through twice.)
pub async fn hit(db: impl PgExecutor<'_>, rule: Rule, subject: &str) -> Result<Decision, Error> {
    let bucket = format!("{}:{}", rule.name, subject);
    let row = sqlx::query!(
        r#"INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, now(), 1)
           ON CONFLICT (bucket) DO UPDATE SET
               window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2::bigint)
                                   THEN now() ELSE rate_limits.window_start END,
               hits = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2::bigint)
                           THEN 1 ELSE rate_limits.hits + 1 END
           RETURNING hits, window_start, now() AS "now!""#,
        bucket,
        rule.window_secs
    )
    .fetch_one(db)
    .await?;
    let reset_at = row.window_start + time::Duration::seconds(rule.window_secs);
    let retry_after = (reset_at - row.now).whole_seconds().max(1);
    Ok(Decision {
        allowed: row.hits <= rule.limit,
        limit: rule.limit,
        remaining: (rule.limit - row.hits).max(0),
        reset_at,
        retry_after,
    })
}

impl Decision {
    /// The decision of two limits on one request (per IP and per account): refused if
    /// either refuses, and reporting the one closer to its end.
    pub fn stricter(self, other: Decision) -> Decision {
        let key = |d: &Decision| (d.allowed, d.remaining);
        if key(&other) < key(&self) {
            other
        } else {
            self
        }
    }
}

/// The periodic job that drops old counters (`prune`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PruneRateLimits;

impl crate::jobs::Job for PruneRateLimits {
    const KIND: &'static str = "prune_rate_limits";

    async fn run(&self, state: &crate::state::AppState) -> Result<(), Error> {
        prune(&state.pool).await.map(|_| ())
    }
}

/// Drops counters of windows that ended long ago.
pub async fn prune(db: impl PgExecutor<'_>) -> Result<u64, Error> {
    let result =
        sqlx::query!("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
            .execute(db)
            .await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(allowed: bool, remaining: i32) -> Decision {
        Decision {
            allowed,
            limit: 5,
            remaining,
            reset_at: OffsetDateTime::UNIX_EPOCH,
            retry_after: 1,
        }
    }

    #[test]
    fn the_stricter_decision_wins() {
        let open = decision(true, 4);
        let last = decision(true, 0);
        let refused = decision(false, 0);
        assert_eq!(open.stricter(last), last);
        assert_eq!(last.stricter(open), last);
        assert_eq!(open.stricter(refused), refused);
        assert_eq!(refused.stricter(open), refused);
    }
}
