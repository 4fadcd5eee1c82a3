//! Where Codex may send requests for its users (outbound webhooks): public addresses
//! only, so an endpoint cannot make Codex reach into its own network (a cloud's metadata
//! service, a database, an admin port). Checked when an endpoint is saved (every address its host resolves to) and at
//! each delivery, where the client connects only to addresses that pass (`CheckedResolver`),
//! so a name that resolves elsewhere between the two checks gains nothing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use std::time::Duration as StdDuration;

use crate::error::{internal, Error};

/// An endpoint that takes longer than this to answer has failed this attempt.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// The policy, and the one HTTP client built on it (its connections are pooled and reused).
#[derive(Clone)]
pub struct WebTargets {
    pub policy: TargetPolicy,
    /// No redirects (a redirect could point anywhere), a short timeout, and names resolved
    /// to the addresses `policy` allows only.
    pub client: reqwest::Client,
}

impl WebTargets {
    pub fn new(policy: TargetPolicy) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .dns_resolver(std::sync::Arc::new(CheckedResolver(policy)))
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Codex-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| internal("webhook client", e))?;
        Ok(Self { policy, client })
    }
}

/// Whether internal addresses are allowed (`OUTBOUND_WEBHOOKS_ALLOW_PRIVATE`; on by default
/// in development and tests, where the tools run on this machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allow_private: bool,
}

/// Loopback, private, link-local, unique-local, shared (CGNAT), unspecified, broadcast,
/// multicast and documentation ranges, in IPv4 and IPv6, and IPv4 addresses written as IPv6.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_internal_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped().or_else(|| compatible_v4(ip)) {
            Some(v4) => is_internal_v4(v4),
            None => is_internal_v6(ip),
        },
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || a >= 240
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link local fe80::/10
        || (first & 0xffc0) == 0xfec0 // site local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b // NAT64 of any IPv4
}

/// `::a.b.c.d` (deprecated IPv4-compatible form), except `::` and `::1`.
fn compatible_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    (s[..6].iter().all(|&x| x == 0) && (s[6] != 0 || s[7] > 1))
        .then(|| Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
}

fn refused() -> Error {
    Error::validation(
        "Endpoint URL: this address is on a private network or this machine; Codex sends webhooks to public addresses only.",
    )
}

impl TargetPolicy {
    pub fn allows(self, ip: IpAddr) -> bool {
        self.allow_private || !is_internal(ip)
    }

    /// Whether `url` may be sent to: its host and every address it resolves to. A name that
    /// does not resolve is refused too (nothing could be delivered to it).
    pub async fn check(self, url: &url::Url) -> Result<(), Error> {
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses: Vec<SocketAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
            Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
            Some(url::Host::Domain(name)) => {
                let lookup = tokio::time::timeout(
                    std::time::Duration::from_secs(5),
                    tokio::net::lookup_host((name, port)),
                );
                match lookup.await {
                    Ok(Ok(found)) => found.collect(),
                    _ => {
                        return Err(Error::validation(
                            "Endpoint URL: this host name does not resolve.",
                        ))
                    }
                }
            }
            None => return Err(refused()),
        };
        if addresses.is_empty() || !addresses.iter().all(|a| self.allows(a.ip())) {
            return Err(refused());
        }
        Ok(())
    }

    /// Whether a delivery to `url` may be attempted: a literal address must pass here (a
    /// name is checked by the resolver, as the client connects).
    pub fn allows_literal(self, url: &url::Url) -> bool {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.allows(ip.into()),
            Some(url::Host::Ipv6(ip)) => self.allows(ip.into()),
            Some(url::Host::Domain(_)) => true,
            None => false,
        }
    }
}

/// The webhook client's name resolution: only addresses the policy allows are handed to the
/// connector; a name with none left fails to connect.
pub struct CheckedResolver(pub TargetPolicy);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| policy.allows(a.ip())).collect();
            if allowed.is_empty() {
                return Err(
                    format!("{} resolves to internal addresses only", name.as_str()).into(),
                );
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_in_every_form_are_refused() {
        for internal in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_internal(ip(internal)), "{internal}");
            assert!(!TargetPolicy {
                allow_private: false
            }
            .allows(ip(internal)));
            assert!(TargetPolicy {
                allow_private: true
            }
            .allows(ip(internal)));
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_internal(ip(public)), "{public}");
        }
    }

    #[tokio::test]
    async fn saved_endpoints_are_checked_by_what_they_resolve_to() {
        let strict = TargetPolicy {
            allow_private: false,
        };
        for url in [
            "https://10.0.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::ffff:127.0.0.1]/hook",
            "http://localhost:8080/hook",
        ] {
            let url = url::Url::parse(url).unwrap();
            assert!(strict.check(&url).await.is_err(), "{url}");
            assert!(!strict.allows_literal(&url) || url.host_str() == Some("localhost"));
        }
        let open = TargetPolicy {
            allow_private: true,
        };
        let local = url::Url::parse("http://localhost:8080/hook").unwrap();
        assert!(open.check(&local).await.is_ok());
    }
}
