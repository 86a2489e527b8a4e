//! Request ids: every response carries `X-Request-Id` (kept when a trusted
//! proxy sent one; anyone else's is replaced, so a client cannot forge the
//! id its lines are logged under), and every log line of the request
//! shares it (`front` puts it on the request's span).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderName, HeaderValue};

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: the trusted proxy's, or a new one; set on the
/// request for the handlers.
pub fn of(request: &mut Request, trusted_proxies: &[ipnet::IpNet]) -> HeaderValue {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    let trusted = peer.is_some_and(|ip| trusted_proxies.iter().any(|p| p.contains(&ip)));
    if trusted && let Some(id) = request.headers().get(&REQUEST_ID) {
        return id.clone();
    }
    let id = next();
    request.headers_mut().insert(REQUEST_ID.clone(), id.clone());
    id
}

/// This process's random prefix and a counter: unique, cheap, and they say
/// nothing about the client.
fn next() -> HeaderValue {
    static PREFIX: OnceLock<String> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        crate::accounts::secret::hex(&bytes)
    });
    id_value(prefix, NEXT.fetch_add(1, Ordering::Relaxed))
}

/// `prefix-counter` (the counter in hex), written without a `format!`:
/// one allocation, the header's own.
fn id_value(prefix: &str, n: u64) -> HeaderValue {
    let mut buf = [0u8; 8 + 1 + 16];
    let p = prefix.len().min(8);
    buf[..p].copy_from_slice(&prefix.as_bytes()[..p]);
    buf[p] = b'-';
    let digits = (64 - n.leading_zeros() as usize).div_ceil(4).max(1);
    for i in 0..digits {
        let nibble = (n >> (4 * (digits - 1 - i))) & 0xf;
        buf[p + 1 + i] = b"0123456789abcdef"[nibble as usize];
    }
    HeaderValue::from_bytes(&buf[..p + 1 + digits]).unwrap_or(HeaderValue::from_static("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_new_unless_a_trusted_proxy_sent_one() {
        let proxy: ipnet::IpNet = "10.0.0.1/32".parse().unwrap();
        let request = |from: &str| {
            let mut r = Request::builder()
                .header("x-request-id", "gia-mao-123")
                .body(axum::body::Body::empty())
                .unwrap();
            r.extensions_mut()
                .insert(ConnectInfo(std::net::SocketAddr::new(
                    from.parse().unwrap(),
                    4000,
                )));
            r
        };
        let mut stranger = request("203.0.113.9");
        let a = of(&mut stranger, &[proxy]);
        assert_ne!(a, "gia-mao-123");
        assert_eq!(stranger.headers()["x-request-id"], a);
        let b = of(&mut request("203.0.113.9"), &[proxy]);
        assert_ne!(a, b, "each request its own id");
        assert_eq!(of(&mut request("10.0.0.1"), &[proxy]), "gia-mao-123");
    }

    #[test]
    fn ids_are_the_prefix_and_the_counter_in_hex() {
        for n in [0, 9, 0xf, 0x10, 0xabc, u64::MAX] {
            assert_eq!(id_value("1a2b3c4d", n), format!("1a2b3c4d-{n:x}").as_str());
        }
    }
}
