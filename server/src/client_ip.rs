//! The client's IP address: the socket peer, or the `X-Forwarded-For` entry added by the
//! nearest proxy we trust (never a value the client could forge).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppContext;

pub use backend::client_ip::ClientIp;

pub async fn resolve_client_ip(
    State(ctx): State<AppContext>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let ip = client_ip(peer, &forwarded, |ip| ctx.config.is_trusted_proxy(ip));
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// Walks `X-Forwarded-For` from the right while the hop is a trusted proxy.
pub fn client_ip(peer: IpAddr, forwarded_for: &str, trusted: impl Fn(IpAddr) -> bool) -> IpAddr {
    if !trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for
        .rsplit(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_it_claims() {
        assert_eq!(
            client_ip(ip("203.0.113.9"), "1.2.3.4", |_| false),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_proxy_hands_over_the_forwarded_address() {
        let trusted = |i: IpAddr| i == ip("10.0.0.1") || i == ip("10.0.0.2");
        assert_eq!(
            client_ip(ip("10.0.0.1"), "198.51.100.7", trusted),
            ip("198.51.100.7")
        );
        // A client-supplied spoofed entry on the left is ignored.
        assert_eq!(
            client_ip(ip("10.0.0.1"), "6.6.6.6, 198.51.100.7, 10.0.0.2", trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), "garbage", trusted),
            ip("10.0.0.1")
        );
    }
}
