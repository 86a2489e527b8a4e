//! Login throttling, in the database so every server enforces the same
//! limits, counted *before* the password is checked: each attempt first
//! takes its place in the counts, atomically, and an attempt past a limit
//! is refused without being checked — so parallel guesses cannot slip past
//! a limit that is only read before and written after.
//!
//! Within [`WINDOW`]:
//! - an account guessed from one address ([`PAIR_LIMIT`] attempts) locks
//!   for that address only, for [`LOCK`]: a stranger cannot lock an
//!   official out of their own account;
//! - one address trying many accounts ([`ADDR_LIMIT`] attempts) locks that
//!   address;
//! - an account guessed from many addresses is slowed down as a whole:
//!   from the third failure on, answers wait longer, up to 3 s.
//!
//! A successful login takes back its own attempt and clears the account's
//! failures. Unknown usernames are counted like real ones, so a lock
//! reveals nothing about who exists. Addresses are stored as a keyed hash,
//! never raw.

use std::net::IpAddr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use super::secret::{server_secret, sha256_hex};
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

pub const WINDOW: Duration = Duration::minutes(15);
pub const LOCK: Duration = Duration::minutes(15);
/// Attempts on one account from one address.
pub const PAIR_LIMIT: i64 = 5;
/// Attempts from one address, on any accounts.
pub const ADDR_LIMIT: i64 = 20;
/// Kept for callers that name the old limit: the per-account limit is per
/// account and address.
pub const USER_LIMIT: i64 = PAIR_LIMIT;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// An account, from any address: counted, never locked.
    User,
    /// One address, any account.
    Addr,
    /// One account from one address.
    Pair,
    /// An account's second step (its two-factor codes), from anywhere.
    Totp,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Addr => "addr",
            Scope::Pair => "pair",
            Scope::Totp => "totp",
        }
    }

    fn limit(self) -> Option<i64> {
        match self {
            Scope::User => None,
            Scope::Addr => Some(ADDR_LIMIT),
            Scope::Pair | Scope::Totp => Some(PAIR_LIMIT),
        }
    }
}

/// The throttle keys of one login attempt.
pub struct Keys {
    entries: Vec<(Scope, String)>,
}

impl Keys {
    /// The keys of a password typed for `username` from `addr`.
    pub async fn new(db: &Db, username: &str, addr: Option<IpAddr>) -> sqlx::Result<Keys> {
        let key = server_secret(db, "throttle_key").await?;
        let mut entries = vec![(Scope::User, username.to_owned())];
        if let Some(ip) = addr {
            entries.push((Scope::Addr, sha256_hex(format!("{key}|{ip}").as_bytes())));
        }
        let from = addr.map_or_else(|| "-".to_owned(), |ip| ip.to_string());
        entries.push((
            Scope::Pair,
            sha256_hex(format!("{key}|{username}|{from}").as_bytes()),
        ));
        Ok(Keys { entries })
    }

    /// The key of a two-factor code typed for the account `user_id`.
    pub fn second_step(user_id: i64) -> Keys {
        Keys {
            entries: vec![(Scope::Totp, user_id.to_string())],
        }
    }

    fn each(&self) -> impl Iterator<Item = (Scope, &str)> {
        self.entries.iter().map(|(s, k)| (*s, k.as_str()))
    }
}

/// What an attempt may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password, after holding the answer back this long.
    Check { delay: StdDuration },
    /// Refused without checking, until then.
    Locked(DateTime<Utc>),
}

/// Counts an attempt in every scope, in one transaction, and says whether
/// it may be checked.
pub async fn attempt(
    db: &Db,
    site_id: i64,
    keys: &Keys,
    now: DateTime<Utc>,
) -> sqlx::Result<Verdict> {
    const UPSERT: &str = "INSERT INTO login_attempts (site_id, scope, key, failures, window_start) \
         VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (site_id, scope, key) DO UPDATE SET \
         failures = CASE WHEN login_attempts.window_start < $5 THEN 1 ELSE login_attempts.failures + 1 END, \
         window_start = CASE WHEN login_attempts.window_start < $5 THEN $4 ELSE login_attempts.window_start END \
         RETURNING failures, locked_until";
    const LOCK_SQL: &str = "UPDATE login_attempts SET locked_until = $1 \
         WHERE site_id = $2 AND scope = $3 AND key = $4";
    let mut tx = db.begin().await?;
    let mut locked: Option<DateTime<Utc>> = None;
    let mut user_failures = 0;
    for (scope, key) in keys.each() {
        let (count, until): (i64, Option<DateTime<Utc>>) = with_tx!(tx, conn => sqlx::query_as(UPSERT)
            .bind(site_id).bind(scope.as_str()).bind(key).bind(now).bind(now - WINDOW)
            .fetch_one(&mut *conn).await)?;
        if scope == Scope::User {
            user_failures = count - 1;
        }
        let until = match until.filter(|u| *u > now) {
            Some(u) => Some(u),
            None if scope.limit().is_some_and(|limit| count > limit) => {
                let u = now + LOCK;
                with_tx!(tx, conn => sqlx::query(LOCK_SQL)
                    .bind(u).bind(site_id).bind(scope.as_str()).bind(key)
                    .execute(&mut *conn).await.map(|_| ()))?;
                Some(u)
            }
            None => None,
        };
        if let Some(u) = until {
            locked = Some(locked.map_or(u, |l: DateTime<Utc>| l.max(u)));
        }
    }
    tx.commit().await?;
    Ok(match locked {
        Some(until) => Verdict::Locked(until),
        None => Verdict::Check {
            delay: delay_after(user_failures),
        },
    })
}

/// Two free tries, then 0.5 s more per failure, up to 3 s.
pub fn delay_after(failures: i64) -> StdDuration {
    let extra = (failures - 2).clamp(0, 6) as u64;
    StdDuration::from_millis(500 * extra)
}

/// A successful login: its own attempt is taken back from the address's
/// count (one correct password must not unlock guessing at other accounts,
/// but an office logging in all day must not lock itself out), and the
/// account's failures are cleared.
pub async fn succeeded(tx: &mut Tx, site_id: i64, keys: &Keys) -> sqlx::Result<()> {
    const CLEAR: &str = "DELETE FROM login_attempts WHERE site_id = $1 AND scope = $2 AND key = $3";
    const UNCOUNT: &str = "UPDATE login_attempts SET failures = failures - 1 \
         WHERE site_id = $1 AND scope = 'addr' AND key = $2 AND failures > 0";
    for (scope, key) in keys.each() {
        let sql = if scope == Scope::Addr { UNCOUNT } else { CLEAR };
        with_tx!(tx, conn => {
            let q = sqlx::query(sql).bind(site_id);
            let q = if scope == Scope::Addr { q } else { q.bind(scope.as_str()) };
            q.bind(key).execute(&mut *conn).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Until when an attempt with these keys would be refused, if it would.
pub async fn locked_until(
    db: &Db,
    site_id: i64,
    keys: &Keys,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    const SQL: &str = "SELECT locked_until FROM login_attempts \
         WHERE site_id = $1 AND scope = $2 AND key = $3 AND locked_until > $4";
    let mut until: Option<DateTime<Utc>> = None;
    for (scope, key) in keys.each() {
        let found: Option<Option<DateTime<Utc>>> = with_db!(db, pool => sqlx::query_scalar(SQL)
            .bind(site_id).bind(scope.as_str()).bind(key).bind(now)
            .fetch_optional(pool).await)?;
        if let Some(Some(t)) = found {
            until = Some(until.map_or(t, |u| u.max(t)));
        }
    }
    Ok(until)
}

/// Forgets attempts whose window and lock are over.
pub async fn purge_old(db: &Db, now: DateTime<Utc>) -> sqlx::Result<u64> {
    const SQL: &str = "DELETE FROM login_attempts WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $2)";
    with_db!(db, pool => sqlx::query(SQL).bind(now - WINDOW).bind(now).execute(pool).await.map(|r| r.rows_affected()))
}

/// "15 phút" for a lock's remaining time, rounded up to whole minutes.
pub fn minutes_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds() + 59).div_euclid(60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        assert_eq!(delay_after(1), StdDuration::ZERO);
        assert_eq!(delay_after(2), StdDuration::ZERO);
        assert_eq!(delay_after(3), StdDuration::from_millis(500));
        assert_eq!(delay_after(100), StdDuration::from_secs(3));
    }

    #[test]
    fn minutes_round_up() {
        let now = Utc::now();
        assert_eq!(minutes_left(now + Duration::seconds(61), now), 2);
        assert_eq!(minutes_left(now + Duration::seconds(5), now), 1);
    }
}
