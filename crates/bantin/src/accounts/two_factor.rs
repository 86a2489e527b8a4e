//! Two-factor login, stored: enrolment (a pending secret confirmed by a
//! first code), the secret and the last step accepted, recovery codes,
//! resets by an admin, and the short-lived challenge between the password
//! and the code. The codes themselves are `totp`'s. Every change is one
//! transaction with its audit entry.

use chrono::{DateTime, Duration, Utc};

use super::secret::{random_hex, sha256_hex};
use super::{Role, User, totp};
use crate::audit;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// How long a password checked waits for its code.
pub const CHALLENGE_FOR: Duration = Duration::minutes(5);
/// The challenge's cookie, sent to the code form only.
pub const CHALLENGE_COOKIE: &str = "bantin_xacthuc";

/// Who must use two-factor login on a site (`sites.require_2fa`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    None,
    /// Admins.
    Admin,
    /// Admins and editors.
    Editor,
    All,
}

impl Policy {
    pub const ALL: [Policy; 4] = [Policy::None, Policy::Admin, Policy::Editor, Policy::All];

    pub fn parse(s: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Admin => "admin",
            Policy::Editor => "editor",
            Policy::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Policy::None => "Không bắt buộc",
            Policy::Admin => "Bắt buộc với quản trị viên",
            Policy::Editor => "Bắt buộc với quản trị viên và biên tập viên",
            Policy::All => "Bắt buộc với mọi tài khoản",
        }
    }

    /// Whether an account must use it (the province office's always must).
    pub fn requires(self, user: &User) -> bool {
        user.operator
            || match self {
                Policy::None => false,
                Policy::Admin => user.role == Role::Admin,
                Policy::Editor => user.role.can_review(),
                Policy::All => true,
            }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused, with the reason for the person (Vietnamese).
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

fn entry<'a>(
    site_id: i64,
    actor: Option<i64>,
    action: audit::Action,
    target: &'a str,
) -> audit::Record<'a> {
    audit::Record {
        site_id,
        user_id: actor,
        action,
        target,
        detail: "",
    }
}

/// A new secret to enrol, kept as pending until a code confirms it.
pub async fn begin(db: &Db, user_id: i64) -> sqlx::Result<String> {
    const SQL: &str = "UPDATE users SET totp_pending = $1 WHERE id = $2";
    let secret = totp::new_secret();
    with_db!(db, pool => sqlx::query(SQL).bind(&secret).bind(user_id).execute(pool).await.map(|_| ()))?;
    Ok(secret)
}

/// The secret being enrolled, if any.
pub async fn pending(db: &Db, user_id: i64) -> sqlx::Result<Option<String>> {
    const SQL: &str = "SELECT totp_pending FROM users WHERE id = $1";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(user_id).fetch_one(pool).await)
}

async fn replace_recovery_codes(tx: &mut Tx, user_id: i64) -> sqlx::Result<Vec<String>> {
    const CLEAR: &str = "DELETE FROM recovery_codes WHERE user_id = $1";
    const ADD: &str = "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)";
    with_tx!(tx, conn => sqlx::query(CLEAR).bind(user_id).execute(&mut *conn).await.map(|_| ()))?;
    let codes = totp::new_recovery_codes();
    for (_, hash) in &codes {
        with_tx!(tx, conn => sqlx::query(ADD).bind(user_id).bind(hash).execute(&mut *conn).await.map(|_| ()))?;
    }
    Ok(codes.into_iter().map(|(code, _)| code).collect())
}

/// Confirms enrolment with a first code; returns the recovery codes to show
/// once.
pub async fn confirm(
    db: &Db,
    site_id: i64,
    user: &User,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    const SET: &str = "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, \
         totp_last_step = $1 WHERE id = $2 AND totp_pending = $3";
    let Some(secret) = pending(db, user.id).await? else {
        return Err(Error::Invalid(
            "Hãy bắt đầu lại việc bật xác thực hai bước.".into(),
        ));
    };
    let Some(step) = totp::verify(&secret, code, now, 0) else {
        return Err(Error::Invalid(
            "Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực.".into(),
        ));
    };
    let mut tx = db.begin().await?;
    let done = with_tx!(tx, conn => sqlx::query(SET).bind(step).bind(user.id).bind(&secret)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if done != 1 {
        return Err(Error::Invalid(
            "Hãy bắt đầu lại việc bật xác thực hai bước.".into(),
        ));
    }
    let codes = replace_recovery_codes(&mut tx, user.id).await?;
    let e = entry(
        site_id,
        Some(user.id),
        audit::Action::TwoFactorOn,
        &user.username,
    );
    audit::record(&mut tx, e, now).await?;
    tx.commit().await?;
    Ok(codes)
}

/// New recovery codes (the old ones stop working).
pub async fn renew_recovery_codes(
    db: &Db,
    site_id: i64,
    user: &User,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<String>> {
    let mut tx = db.begin().await?;
    let codes = replace_recovery_codes(&mut tx, user.id).await?;
    let mut e = entry(
        site_id,
        Some(user.id),
        audit::Action::TwoFactorOn,
        &user.username,
    );
    e.detail = "mã khôi phục mới";
    audit::record(&mut tx, e, now).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns it off (by the user, or reset by an admin: `actor`).
pub async fn turn_off(
    db: &Db,
    site_id: i64,
    actor: Option<i64>,
    user: &User,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const OFF: &str = "UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = $1";
    const CODES: &str = "DELETE FROM recovery_codes WHERE user_id = $1";
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => sqlx::query(OFF).bind(user.id).execute(&mut *conn).await.map(|_| ()))?;
    with_tx!(tx, conn => sqlx::query(CODES).bind(user.id).execute(&mut *conn).await.map(|_| ()))?;
    let action = if actor == Some(user.id) {
        audit::Action::TwoFactorOff
    } else {
        audit::Action::TwoFactorReset
    };
    audit::record(&mut tx, entry(site_id, actor, action, &user.username), now).await?;
    tx.commit().await
}

/// Whether a code (or a recovery code) lets this user in now. A code is
/// taken: the same one is refused afterwards, even by another server.
pub async fn check(db: &Db, user: &User, typed: &str, now: DateTime<Utc>) -> sqlx::Result<bool> {
    const TAKE_STEP: &str =
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1";
    const LAST: &str = "SELECT totp_last_step FROM users WHERE id = $1";
    const USE_CODE: &str = "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL";
    let Some(secret) = &user.totp_secret else {
        return Ok(false);
    };
    let last: i64 =
        with_db!(db, pool => sqlx::query_scalar(LAST).bind(user.id).fetch_one(pool).await)?;
    if let Some(step) = totp::verify(secret, typed, now, last) {
        let taken = with_db!(db, pool => sqlx::query(TAKE_STEP).bind(step).bind(user.id)
            .execute(pool).await.map(|r| r.rows_affected()))?;
        return Ok(taken == 1);
    }
    let hash = totp::recovery_hash(typed);
    let used = with_db!(db, pool => sqlx::query(USE_CODE).bind(now).bind(user.id).bind(&hash)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(used == 1)
}

/// Recovery codes not used yet.
pub async fn recovery_codes_left(db: &Db, user_id: i64) -> sqlx::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(user_id).fetch_one(pool).await)
}

/// A password checked, waiting for its code.
pub struct Challenge {
    pub user_id: i64,
    pub next_path: String,
    pub user_agent: String,
}

/// Starts a challenge; returns the cookie value.
pub async fn challenge(
    db: &Db,
    site_id: i64,
    user_id: i64,
    next_path: &str,
    user_agent: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<String> {
    const PURGE: &str = "DELETE FROM login_challenges WHERE expires_at <= $1 OR user_id = $2";
    const SQL: &str = "INSERT INTO login_challenges (id_hash, site_id, user_id, next_path, user_agent, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    let token = random_hex(32);
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => sqlx::query(PURGE).bind(now).bind(user_id).execute(&mut *conn).await.map(|_| ()))?;
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(sha256_hex(token.as_bytes())).bind(site_id).bind(user_id).bind(next_path)
        .bind(user_agent).bind(now + CHALLENGE_FOR)
        .execute(&mut *conn).await.map(|_| ()))?;
    tx.commit().await?;
    Ok(token)
}

/// The live challenge of a cookie value on this site.
pub async fn find_challenge(
    db: &Db,
    site_id: i64,
    token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Challenge>> {
    const SQL: &str = "SELECT user_id, next_path, user_agent FROM login_challenges \
         WHERE id_hash = $1 AND site_id = $2 AND expires_at > $3";
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row: Option<(i64, String, String)> = with_db!(db, pool => sqlx::query_as(SQL)
        .bind(sha256_hex(token.as_bytes())).bind(site_id).bind(now)
        .fetch_optional(pool).await)?;
    Ok(row.map(|(user_id, next_path, user_agent)| Challenge {
        user_id,
        next_path,
        user_agent,
    }))
}

/// The challenge is over (its code accepted).
pub async fn end_challenge(tx: &mut Tx, token: &str) -> sqlx::Result<()> {
    const SQL: &str = "DELETE FROM login_challenges WHERE id_hash = $1";
    with_tx!(tx, conn => sqlx::query(SQL).bind(sha256_hex(token.as_bytes())).execute(&mut *conn).await.map(|_| ()))
}

/// The `Set-Cookie` of a challenge (empty token: remove it).
pub fn challenge_cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() {
        0
    } else {
        CHALLENGE_FOR.num_seconds()
    };
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{CHALLENGE_COOKIE}={token}; Path=/dang-nhap; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, operator: bool) -> User {
        User {
            id: 1,
            site_id: 1,
            username: "a".into(),
            display_name: "A".into(),
            password_hash: String::new(),
            role,
            disabled: false,
            created_at: Utc::now(),
            operator,
            totp_secret: None,
        }
    }

    #[test]
    fn who_must_use_it() {
        assert!(!Policy::None.requires(&user(Role::Admin, false)));
        assert!(
            Policy::None.requires(&user(Role::Admin, true)),
            "the province office, always"
        );
        assert!(Policy::Admin.requires(&user(Role::Admin, false)));
        assert!(!Policy::Admin.requires(&user(Role::Editor, false)));
        assert!(Policy::Editor.requires(&user(Role::Editor, false)));
        assert!(!Policy::Editor.requires(&user(Role::Author, false)));
        assert!(Policy::All.requires(&user(Role::Author, false)));
        for p in Policy::ALL {
            assert_eq!(Policy::parse(p.as_str()), Some(p));
        }
    }
}
