//! Two-factor login with time-based one-time passwords (TOTP, RFC 6238):
//! HMAC-SHA1, six digits, 30-second steps, as every authenticator app
//! (Google, Microsoft, FreeOTP…) reads from an `otpauth://` QR code. The QR
//! code is drawn here as SVG: the secret never leaves the server for an
//! outside service. A code is accepted once (no replay), within one step
//! either side of now (phones' clocks drift). Recovery codes are random,
//! shown once, stored only as hashes, each good for one login.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::secret::{constant_time_eq, sha256_hex};

/// Seconds a code lasts.
pub const STEP: i64 = 30;
/// Steps accepted before and after now.
pub const DRIFT: i64 = 1;
pub const DIGITS: u32 = 6;
/// Recovery codes given at once.
pub const RECOVERY_CODES: usize = 10;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, without padding (as otpauth URIs write secrets).
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (case and spaces ignored); `None` if it is not.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32
            .iter()
            .position(|&b| b == c.to_ascii_uppercase() as u8)? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// A new secret: 160 random bits, in base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    base32(&bytes)
}

/// The code of `secret` for time step `step` (RFC 4226's HOTP).
pub fn code_at(secret: &[u8], step: i64) -> String {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) % 10u32.pow(DIGITS);
    format!("{value:0width$}", width = DIGITS as usize)
}

/// The time step of an instant.
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP)
}

/// The step a typed code belongs to, if it is right now (within
/// [`DRIFT`]) and newer than `last_step`, the last one accepted.
pub fn verify(secret_b32: &str, typed: &str, at: DateTime<Utc>, last_step: i64) -> Option<i64> {
    let secret = from_base32(secret_b32)?;
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(at);
    (now - DRIFT..=now + DRIFT)
        .filter(|s| *s > last_step)
        .find(|s| constant_time_eq(code_at(&secret, *s).as_bytes(), typed.as_bytes()))
}

/// The `otpauth://` address an authenticator app reads.
pub fn uri(secret_b32: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| {
        s.bytes().fold(String::new(), |mut out, b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                let _ = write!(out, "%{b:02X}");
            }
            out
        })
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// A QR code of `text` as an SVG image (black modules on white, a quiet
/// zone of four), for `<img>`-less inline use.
pub fn qr_svg(text: &str) -> String {
    let Ok(qr) = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium) else {
        return String::new();
    };
    let size = qr.size();
    let border = 4;
    let full = size + 2 * border;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + border, y + border);
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"240\" height=\"240\" \
         role=\"img\" aria-label=\"Mã QR để thêm vào ứng dụng xác thực\" shape-rendering=\"crispEdges\">\
         <rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

/// Ten new recovery codes (`abcd-efgh-ijkl`, 60 random bits each) and
/// their hashes to store.
pub fn new_recovery_codes() -> Vec<(String, String)> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).expect("the operating system's random source");
            let raw = base32(&bytes).to_lowercase();
            let code = format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12]);
            let hash = recovery_hash(&code);
            (code, hash)
        })
        .collect()
}

/// How a recovery code is stored (typed with or without dashes, any case).
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    sha256_hex(normal.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890".
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59i64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            // The RFC's codes have eight digits; ours are their last six.
            assert_eq!(code_at(secret, time / STEP), expected[2..], "T = {time}");
        }
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(from_base32("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(from_base32("1!").is_none());
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_eq!(from_base32(&s).unwrap().len(), 20);
    }

    #[test]
    fn codes_work_once_and_near_now() {
        let secret = new_secret();
        let raw = from_base32(&secret).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 10).unwrap();
        let now = step_of(at);
        let code = code_at(&raw, now);
        assert_eq!(verify(&secret, &code, at, 0), Some(now));
        assert_eq!(verify(&secret, &code, at, now), None, "replayed");
        let late = code_at(&raw, now - 1);
        assert_eq!(
            verify(&secret, &late, at, 0),
            Some(now - 1),
            "a step of drift"
        );
        assert_eq!(verify(&secret, &code_at(&raw, now - 2), at, 0), None);
        assert_eq!(verify(&secret, "12345", at, 0), None);
        assert_eq!(verify(&secret, &format!("{} ", &code[..3]), at, 0), None);
    }

    #[test]
    fn the_uri_and_the_qr_code() {
        let u = uri("JBSWY3DPEHPK3PXP", "Xã Sín Chéng", "bientap");
        assert!(
            u.starts_with("otpauth://totp/X%C3%A3%20S%C3%ADn%20Ch%C3%A9ng:bientap?secret=JBSWY3DPEHPK3PXP&issuer="),
            "{u}"
        );
        let svg = qr_svg(&u);
        assert!(
            svg.starts_with("<svg") && svg.contains("<path d=\"M"),
            "{svg}"
        );
    }

    #[test]
    fn recovery_codes_are_random_and_hashed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let (code, hash) = &codes[0];
        assert_eq!(code.len(), 14);
        assert_eq!(&recovery_hash(&code.to_uppercase().replace('-', "")), hash);
        assert_ne!(codes[0].0, codes[1].0);
    }
}
