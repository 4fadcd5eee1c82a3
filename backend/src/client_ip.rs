//! The client's IP address as the server's first middleware resolved it (the socket peer,
//! or the `X-Forwarded-For` entry of the nearest trusted proxy), for handlers that count
//! requests per client.

use std::net::IpAddr;

use axum::extract::Request;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address resolved for a request, as text (empty before the middleware ran).
    pub fn text_of(request: &Request) -> String {
        request
            .extensions()
            .get::<ClientIp>()
            .map(|ClientIp(ip)| ip.to_string())
            .unwrap_or_default()
    }
}
