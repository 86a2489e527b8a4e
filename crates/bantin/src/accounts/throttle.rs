//! Login throttling, per account and per client address, in the database so
//! every server enforces the same limits.
//!
//! Failures within [`WINDOW`] are counted. From the third on, answers slow
//! down; at [`USER_LIMIT`] failures for one account, or [`ADDR_LIMIT`] from
//! one address, logins there are locked for [`LOCK`]. Unknown usernames are
//! counted like real ones, so the lock reveals nothing about who exists.
//! Addresses are stored as a keyed hash, never raw.

use std::net::IpAddr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use super::secret::{server_secret, sha256_hex};
use crate::db::Db;
use crate::with_db;

pub const WINDOW: Duration = Duration::minutes(15);
pub const LOCK: Duration = Duration::minutes(15);
pub const USER_LIMIT: i64 = 5;
pub const ADDR_LIMIT: i64 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    User,
    Addr,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Addr => "addr",
        }
    }
}

/// The throttle keys of one login attempt.
pub struct Keys {
    user: String,
    addr: Option<String>,
}

impl Keys {
    pub async fn new(db: &Db, username: &str, addr: Option<IpAddr>) -> sqlx::Result<Keys> {
        let addr = match addr {
            Some(ip) => {
                let key = server_secret(db, "throttle_key").await?;
                Some(sha256_hex(format!("{key}|{ip}").as_bytes()))
            }
            None => None,
        };
        Ok(Keys {
            user: username.to_owned(),
            addr,
        })
    }

    fn each(&self) -> impl Iterator<Item = (Scope, &str)> {
        std::iter::once((Scope::User, self.user.as_str()))
            .chain(self.addr.as_deref().map(|a| (Scope::Addr, a)))
    }
}

/// Until when logins for these keys are locked, if they are.
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

/// Records a failure; returns how long to hold the answer back.
pub async fn record_failure(
    db: &Db,
    site_id: i64,
    keys: &Keys,
    now: DateTime<Utc>,
) -> sqlx::Result<StdDuration> {
    const UPSERT: &str = "INSERT INTO login_attempts (site_id, scope, key, failures, window_start) \
         VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (site_id, scope, key) DO UPDATE SET \
         failures = CASE WHEN login_attempts.window_start < $5 THEN 1 ELSE login_attempts.failures + 1 END, \
         window_start = CASE WHEN login_attempts.window_start < $5 THEN $4 ELSE login_attempts.window_start END \
         RETURNING failures";
    const LOCK_SQL: &str = "UPDATE login_attempts SET locked_until = $1, failures = 0, window_start = $2 \
         WHERE site_id = $3 AND scope = $4 AND key = $5";
    let mut worst = 0;
    for (scope, key) in keys.each() {
        let failures: i64 = with_db!(db, pool => sqlx::query_scalar(UPSERT)
            .bind(site_id).bind(scope.as_str()).bind(key).bind(now).bind(now - WINDOW)
            .fetch_one(pool).await)?;
        let limit = if scope == Scope::User {
            USER_LIMIT
        } else {
            ADDR_LIMIT
        };
        if failures >= limit {
            with_db!(db, pool => sqlx::query(LOCK_SQL)
                .bind(now + LOCK).bind(now).bind(site_id).bind(scope.as_str()).bind(key)
                .execute(pool).await.map(|_| ()))?;
        }
        if scope == Scope::User {
            worst = worst.max(failures);
        }
    }
    Ok(delay_after(worst))
}

/// Two free tries, then 0.5 s more per failure, up to 3 s.
pub fn delay_after(failures: i64) -> StdDuration {
    let extra = (failures - 2).clamp(0, 6) as u64;
    StdDuration::from_millis(500 * extra)
}

/// A successful login clears the account's count (not the address's: one
/// correct password must not unlock guessing at other accounts).
pub async fn record_success(db: &Db, site_id: i64, keys: &Keys) -> sqlx::Result<()> {
    const SQL: &str =
        "DELETE FROM login_attempts WHERE site_id = $1 AND scope = 'user' AND key = $2";
    with_db!(db, pool => sqlx::query(SQL).bind(site_id).bind(&keys.user).execute(pool).await.map(|_| ()))
}

/// Forgets failures whose window and lock are over.
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
