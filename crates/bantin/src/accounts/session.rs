//! Staff sessions, stored in the database so several servers share them.
//! The cookie holds a random token; the database holds only its SHA-256,
//! so a leaked database does not leak live sessions.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::User;
use super::secret::{random_hex, sha256_hex};
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

pub const COOKIE: &str = "bantin_phien";
/// A session unused this long ends.
pub const IDLE: Duration = Duration::hours(2);
/// A session ends this long after login, however active.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often (one write per request
/// would be wasteful).
const TOUCH_EVERY: Duration = Duration::minutes(1);

#[derive(Clone, Debug, FromRow)]
pub struct Session {
    pub id_hash: String,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A new session's secrets: the cookie value and the CSRF token.
pub struct Created {
    pub token: String,
    pub csrf_token: String,
}

/// The device a session was opened on, as its owner sees it (at most this
/// much of the user-agent is kept).
const USER_AGENT_CHARS: usize = 200;

pub async fn create(
    tx: &mut Tx,
    site_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
    user_agent: &str,
) -> sqlx::Result<Created> {
    const SQL: &str = "INSERT INTO sessions (id_hash, site_id, user_id, created_at, last_seen_at, \
         expires_at, csrf_token, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)";
    let token = random_hex(32);
    let csrf_token = random_hex(32);
    let device: String = vntext::normalize(user_agent)
        .chars()
        .take(USER_AGENT_CHARS)
        .collect();
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(sha256_hex(token.as_bytes())).bind(site_id).bind(user_id).bind(now)
        .bind(now + ABSOLUTE).bind(&csrf_token).bind(&device)
        .execute(&mut *conn).await.map(|_| ()))?;
    Ok(Created { token, csrf_token })
}

/// A session as its owner sees it: never its token.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    /// The hash of its token: names it in a form, opens nothing.
    pub id_hash: String,
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// A user's live sessions, most recent first.
pub async fn list_for_user(db: &Db, user_id: i64, now: DateTime<Utc>) -> sqlx::Result<Vec<Listed>> {
    const SQL: &str = "SELECT id_hash, user_agent, created_at, last_seen_at FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC";
    with_db!(db, pool => sqlx::query_as(SQL).bind(user_id).bind(now).bind(now - IDLE).fetch_all(pool).await)
}

/// Ends one of a user's sessions; `false` if it is not theirs.
pub async fn end_own(tx: &mut Tx, user_id: i64, id_hash: &str) -> sqlx::Result<bool> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2";
    let n = with_tx!(tx, conn => sqlx::query(SQL).bind(user_id).bind(id_hash)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends every session of a user but one (a password changed by its owner).
pub async fn delete_others(tx: &mut Tx, user_id: i64, keep_hash: &str) -> sqlx::Result<()> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2";
    with_tx!(tx, conn => sqlx::query(SQL).bind(user_id).bind(keep_hash).execute(&mut *conn).await.map(|_| ()))
}

#[derive(FromRow)]
struct Row {
    #[sqlx(flatten)]
    session: Session,
    #[sqlx(flatten)]
    user: User,
}

/// The live session of a cookie value, with its (enabled) user. Expired
/// sessions are deleted on sight.
pub async fn lookup(
    db: &Db,
    site_id: i64,
    token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(Session, User)>> {
    const SQL: &str = "SELECT s.id_hash, s.csrf_token, s.last_seen_at, s.expires_at, \
         u.id, u.site_id, u.username, u.display_name, u.password_hash, u.role, u.disabled, u.created_at, u.operator, u.totp_secret \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.site_id = $2";
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id_hash = sha256_hex(token.as_bytes());
    let row: Option<Row> = with_db!(db, pool => sqlx::query_as(SQL).bind(&id_hash).bind(site_id).fetch_optional(pool).await)?;
    let Some(Row { session, user }) = row else {
        return Ok(None);
    };
    if user.disabled || now >= session.expires_at || now - session.last_seen_at >= IDLE {
        const DELETE: &str = "DELETE FROM sessions WHERE id_hash = $1";
        with_db!(db, pool => sqlx::query(DELETE).bind(&session.id_hash).execute(pool).await.map(|_| ()))?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        const TOUCH: &str = "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2";
        with_db!(db, pool => sqlx::query(TOUCH).bind(now).bind(&session.id_hash).execute(pool).await.map(|_| ()))?;
    }
    Ok(Some((session, user)))
}

pub async fn delete(tx: &mut Tx, id_hash: &str) -> sqlx::Result<()> {
    const SQL: &str = "DELETE FROM sessions WHERE id_hash = $1";
    with_tx!(tx, conn => sqlx::query(SQL).bind(id_hash).execute(&mut *conn).await.map(|_| ()))
}

/// Ends the session of a cookie value, if it is one (logging in again
/// from the same browser replaces it).
pub async fn end_token(tx: &mut Tx, token: &str) -> sqlx::Result<()> {
    delete(tx, &sha256_hex(token.as_bytes())).await
}

/// Ends every session of a user (password changed, account disabled).
pub async fn delete_for_user(tx: &mut Tx, user_id: i64) -> sqlx::Result<()> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1";
    with_tx!(tx, conn => sqlx::query(SQL).bind(user_id).execute(&mut *conn).await.map(|_| ()))
}

/// Removes sessions past their absolute expiry.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> sqlx::Result<u64> {
    const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
    with_db!(db, pool => sqlx::query(SQL).bind(now).bind(now - IDLE).execute(pool).await.map(|r| r.rows_affected()))
}

/// The `Set-Cookie` value for a session token (empty token: remove it).
pub fn cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() {
        0
    } else {
        ABSOLUTE.num_seconds()
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_cookies(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies() {
        assert_eq!(
            token_from_cookies("a=1; bantin_phien=abc; b=2"),
            Some("abc")
        );
        assert_eq!(token_from_cookies("a=1"), None);
        let c = cookie("abc", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"));
        assert!(cookie("", false).contains("Max-Age=0"));
    }
}
