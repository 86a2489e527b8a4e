//! Who counts as a visitor, and their key.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{LazyLock, Mutex};

use sha2::{Digest, Sha256};

static BOTS: LazyLock<isbot::Bots> = LazyLock::new(isbot::Bots::default);

/// The bot list is a large regular expression; readers' browsers send the
/// same few hundred user-agents again and again, so verdicts are kept.
static VERDICTS: LazyLock<Mutex<HashMap<Box<str>, bool>>> = LazyLock::new(Default::default);

/// User-agents remembered at most; past it the memory starts over.
const VERDICTS_KEPT: usize = 4096;

/// Longer user-agents are judged every time, so that clients cannot make
/// the server keep much (4096 × 512 bytes at most).
const VERDICT_UA_BYTES: usize = 512;

fn is_bot(ua: &str) -> bool {
    if ua.len() > VERDICT_UA_BYTES {
        return BOTS.is_bot(ua);
    }
    let known = VERDICTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(ua)
        .copied();
    if let Some(bot) = known {
        return bot;
    }
    let bot = BOTS.is_bot(ua);
    let mut verdicts = VERDICTS.lock().unwrap_or_else(|e| e.into_inner());
    if verdicts.len() >= VERDICTS_KEPT {
        verdicts.clear();
    }
    verdicts.insert(ua.into(), bot);
    bot
}

/// Headers by which browsers mark a request that a person may never see
/// (a prefetch, a prerender, a link preview).
pub const PURPOSE_HEADERS: [&str; 4] = ["sec-purpose", "purpose", "x-purpose", "x-moz"];

/// Whether a request comes from a person's browser loading a page: not a
/// bot (a maintained list, or no user-agent at all) and not a prefetch,
/// prerender or preview, as said by the values of [`PURPOSE_HEADERS`].
pub fn is_human_view<'a>(user_agent: &str, purposes: impl IntoIterator<Item = &'a str>) -> bool {
    let ua = user_agent.trim();
    if ua.is_empty() || is_bot(ua) {
        return false;
    }
    !purposes.into_iter().any(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("prefetch") || v.contains("prerender") || v.contains("preview")
    })
}

/// The part of an address that identifies a visitor: the whole IPv4
/// address, or an IPv6 address's /64 (one household or phone).
pub fn address_part(ip: IpAddr) -> String {
    let mut out = Vec::new();
    let _ = write_address_part(&mut out, ip);
    String::from_utf8(out).unwrap_or_default()
}

fn write_address_part(out: &mut impl std::io::Write, ip: IpAddr) -> std::io::Result<()> {
    match ip.to_canonical() {
        IpAddr::V4(v4) => write!(out, "{v4}"),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            write!(out, "{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The visitor key: a hash keyed by the day's random salt, so keys cannot
/// be reversed to addresses, nor linked across days.
pub fn key(salt: &str, site_id: i64, ip: IpAddr, user_agent: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b"\x00");
    h.update(site_id.to_le_bytes());
    // The address part written where it is hashed (a request's path
    // allocates nothing for it).
    let mut buf = [0u8; 48];
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let _ = write_address_part(&mut cursor, ip);
    let len = cursor.position() as usize;
    h.update(&buf[..len]);
    h.update(b"\x00");
    h.update(user_agent.as_bytes());
    crate::accounts::secret::hex(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: &str = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";

    #[test]
    fn people_bots_and_prefetches() {
        assert!(is_human_view(PHONE, []));
        assert!(!is_human_view("", []));
        assert!(!is_human_view("  ", []));
        assert!(!is_human_view(
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            []
        ));
        assert!(!is_human_view("facebookexternalhit/1.1", []));
        assert!(!is_human_view("curl/8.5.0", []));
        assert!(!is_human_view(PHONE, ["prefetch;prerender"]));
        assert!(!is_human_view(PHONE, ["Prefetch"]));
        assert!(!is_human_view(PHONE, ["preview"]));
        assert!(is_human_view(PHONE, ["navigate"]));
    }

    #[test]
    fn ipv6_visitors_are_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(key("s", 1, a, PHONE), key("s", 1, b, PHONE));
        assert_ne!(key("s", 1, a, PHONE), key("s", 1, c, PHONE));
        assert_ne!(
            key("s", 1, a, PHONE),
            key("t", 1, a, PHONE),
            "another day, another key"
        );
        assert_eq!(address_part("::ffff:1.2.3.4".parse().unwrap()), "1.2.3.4");
        assert_eq!(key("s", 1, a, PHONE).len(), 32);
    }
}
