//! The client's address: the socket peer, or — only when the peer is a
//! configured trusted proxy — the nearest untrusted address in
//! `X-Forwarded-For`. Anyone can send that header; believing it from
//! anyone would let them pose as anyone.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::web::state::AppState;

pub fn resolve(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip.to_canonical();
                if !is_trusted(&client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

/// The client's address of a request (before extraction), as [`resolve`]
/// finds it.
pub fn of_request<B>(request: &axum::http::Request<B>, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    resolve(peer, forwarded, trusted)
}

/// The client's address as [`resolve`] finds it; `None` when the server
/// does not know its peer (in-process tests).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientAddr(resolve(
            peer,
            forwarded,
            &state.settings().trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        assert_eq!(
            resolve(Some(ip("203.0.113.9")), Some("1.2.3.4"), &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), Some("1.2.3.4"), &trusted),
            Some(ip("1.2.3.4"))
        );
        // A client's own forged entry is to the left of what the proxy saw.
        assert_eq!(
            resolve(
                Some(ip("127.0.0.1")),
                Some("6.6.6.6, 1.2.3.4, 10.0.0.7"),
                &trusted
            ),
            Some(ip("1.2.3.4"))
        );
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), None, &trusted),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), Some("garbage"), &trusted),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(
            resolve(Some(ip("::ffff:203.0.113.9")), None, &[]),
            Some(ip("203.0.113.9"))
        );
    }
}
