//! Webhook endpoints: the owner's URLs, and their signing secrets (derived, shown once).

use uuid::Uuid;

use crate::auth::Owner;
use crate::error::{Answer, Error};
use crate::keys::LinkKey;
use crate::state::AppState;
use domain::outbound::{EndpointView, RevealedSecret};

/// At most this many endpoints: each event is one delivery per endpoint.
pub const MAX_ENDPOINTS: i64 = 10;
const MAX_URL_CHARS: usize = 500;
const SECRET_PURPOSE: &str = "webhook-endpoint";

/// An endpoint's URL: https, or http to this machine (a tool running next to Codex, where
/// the target policy allows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(url::Url);

impl EndpointUrl {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        let invalid = || {
            Error::validation(
                "Endpoint URL: use a full https:// address, e.g. https://tools.example.com/codex.",
            )
        };
        if raw.is_empty() || raw.chars().count() > MAX_URL_CHARS {
            return Err(invalid());
        }
        let url = url::Url::parse(raw).map_err(|_| invalid())?;
        let local = matches!(url.host(), Some(url::Host::Domain("localhost")))
            || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
            || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
        let allowed = match url.scheme() {
            "https" => true,
            "http" => local,
            _ => false,
        };
        if !allowed || !url.username().is_empty() || url.password().is_some() {
            return Err(invalid());
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The signing secret of endpoint `id` at `version`: `whsec_` and 64 hex digits.
pub fn secret(key: &LinkKey, id: Uuid, version: i32) -> String {
    format!(
        "whsec_{}",
        hex::encode(key.derive(SECRET_PURPOSE, id, version))
    )
}

pub async fn list(state: &AppState, _owner: &Owner) -> Result<Vec<EndpointView>, Error> {
    Ok(sqlx::query_as!(
        EndpointView,
        r#"SELECT e.id, e.url,
                  to_char(e.created_at AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI') AS "created_at!",
                  (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'delivered') AS "delivered!",
                  (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'failed') AS "failing!"
           FROM webhook_endpoints e CROSS JOIN site_settings s
           ORDER BY e.created_at"#
    )
    .fetch_all(&state.pool)
    .await?)
}

/// Registers `url`; its secret is shown this once.
pub async fn add(state: &AppState, _owner: &Owner, url: &str) -> Result<RevealedSecret, Error> {
    let url = EndpointUrl::parse(url)?;
    // Resolved before the transaction: no lookup while a lock is held.
    state.web_targets.policy.check(&url.0).await?;
    let mut tx = state.pool.begin().await?;
    // Serialises two adds at once, so the limit holds.
    sqlx::query!("LOCK TABLE webhook_endpoints IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM webhook_endpoints"#)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(Error::validation(format!(
            "Endpoint URL: at most {MAX_ENDPOINTS} endpoints; remove one first."
        )));
    }
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO webhook_endpoints (id, url) VALUES ($1, $2)",
        id,
        url.as_str()
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(RevealedSecret {
        endpoint_id: id,
        url: url.as_str().to_string(),
        secret: secret(&state.link_key, id, 1),
    })
}

/// A new secret for endpoint `id` (the old one stops verifying at once); shown this once.
pub async fn roll_secret(
    state: &AppState,
    _owner: &Owner,
    id: Uuid,
) -> Result<RevealedSecret, Error> {
    let row = sqlx::query!(
        "UPDATE webhook_endpoints SET secret_version = secret_version + 1 WHERE id = $1
         RETURNING url, secret_version",
        id
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(Error::Answer(Answer::NotFound))?;
    Ok(RevealedSecret {
        endpoint_id: id,
        url: row.url,
        secret: secret(&state.link_key, id, row.secret_version),
    })
}

/// Removes the endpoint and its deliveries.
pub async fn remove(state: &AppState, _owner: &Owner, id: Uuid) -> Result<(), Error> {
    let removed = sqlx::query!("DELETE FROM webhook_endpoints WHERE id = $1", id)
        .execute(&state.pool)
        .await?
        .rows_affected();
    if removed == 0 {
        return Err(Error::Answer(Answer::NotFound));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_this_machine() {
        assert!(EndpointUrl::parse("https://tools.example.com/codex").is_ok());
        assert!(EndpointUrl::parse("http://127.0.0.1:8080/hook").is_ok());
        assert!(EndpointUrl::parse("http://localhost/hook").is_ok());
        for bad in [
            "",
            "tools.example.com",
            "http://tools.example.com/hook",
            "ftp://tools.example.com",
            "https://user:pass@tools.example.com/",
            "javascript:alert(1)",
        ] {
            assert!(EndpointUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_differ_per_endpoint_and_version() {
        let key = LinkKey::from_secret("a session secret of enough length for tests");
        let id = Uuid::new_v4();
        let first = secret(&key, id, 1);
        assert!(first.starts_with("whsec_"));
        assert_eq!(first.len(), "whsec_".len() + 64);
        assert_eq!(first, secret(&key, id, 1));
        assert_ne!(first, secret(&key, id, 2));
        assert_ne!(first, secret(&key, Uuid::new_v4(), 1));
    }
}
