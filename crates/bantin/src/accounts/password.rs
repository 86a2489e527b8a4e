//! Passwords: argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane, the
//! crate's defaults), hashed off the async runtime; the password policy;
//! generated passwords.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// The most common passwords (worldwide and Vietnamese), refused whatever
/// their length.
const COMMON: &str = include_str!("common_passwords.txt");

static COMMON_SET: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Why a password is refused, in Vietnamese; `None` when it is acceptable.
pub fn policy_problem(password: &str, username: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Some(format!("Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."));
    }
    if chars > MAX_LENGTH {
        return Some(format!("Mật khẩu không được dài quá {MAX_LENGTH} ký tự."));
    }
    let lower = password.to_lowercase();
    if COMMON_SET.contains(lower.as_str()) {
        return Some("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác.".into());
    }
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Some("Mật khẩu không được chứa tên đăng nhập.".into());
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first) {
        return Some("Mật khẩu không được chỉ gồm một ký tự lặp lại.".into());
    }
    None
}

/// Hashes a password (argon2id, random salt) on a blocking thread.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored hash on a blocking thread. A broken
/// hash verifies nothing.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash of nothing anyone knows, verified against when the user does not
/// exist, so "no such user" costs the same time as "wrong password".
pub async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash(super::secret::random_hex(16))
                .await
                .unwrap_or_default()
        })
        .await
}

/// A strong password to print once: 20 characters from an alphabet without
/// look-alikes (no 0/O, 1/l/I), about 115 bits.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const LEN: usize = 20;
    // Bytes at or above the largest multiple of the alphabet's size are
    // dropped, so every symbol is equally likely.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u16;
    let mut out = String::with_capacity(LEN);
    let mut buf = [0u8; 32];
    while out.len() < LEN {
        getrandom::fill(&mut buf).expect("the operating system's random source");
        for &b in buf
            .iter()
            .filter(|&&b| u16::from(b) < limit)
            .take(LEN - out.len())
        {
            out.push(ALPHABET[usize::from(b) % ALPHABET.len()] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(policy_problem("ngắn", "a").unwrap().contains("ít nhất 10"));
        assert!(
            policy_problem("1234567890", "a")
                .unwrap()
                .contains("phổ biến")
        );
        assert!(
            policy_problem("Matkhau123", "a")
                .unwrap()
                .contains("phổ biến")
        );
        assert!(
            policy_problem("xyz-nguyenvana-2026", "nguyenvana")
                .unwrap()
                .contains("tên đăng nhập")
        );
        assert!(policy_problem("aaaaaaaaaaaa", "b").is_some());
        assert_eq!(
            policy_problem("Rừng xanh Sín Chéng 2026", "nguyenvana"),
            None
        );
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        let p = generate();
        assert_eq!(p.len(), 20);
        assert_eq!(policy_problem(&p, "admin"), None);
        assert_ne!(p, generate());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash("Rừng xanh Sín Chéng".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("Rừng xanh Sín Chéng".into(), h.clone()).await);
        assert!(!verify("rừng xanh sín chéng".into(), h).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }
}
