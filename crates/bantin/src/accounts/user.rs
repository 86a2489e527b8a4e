//! Staff users and their SQL. Creating, changing and disabling accounts,
//! with their rules and audit entries, is in [`super::manage`].

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::Role;
use crate::db::{Backend, Db, Tx};
use crate::{with_db, with_tx};

#[derive(Clone, Debug, FromRow)]
pub struct User {
    pub id: i64,
    pub site_id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// An admin of the province IT office: may also create and disable
    /// sites, and manage every site's users and settings.
    pub operator: bool,
    /// The two-factor secret (base32), once enrolment is confirmed.
    pub totp_secret: Option<String>,
}

/// Usernames: 3–32 of `a-z 0-9 . _ -`, starting with a letter or digit,
/// compared lower-case.
pub fn normalize_username(raw: &str) -> Option<String> {
    let name = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    ok.then_some(name)
}

pub async fn find_by_username(db: &Db, site_id: i64, username: &str) -> sqlx::Result<Option<User>> {
    const SQL: &str = "SELECT id, site_id, username, display_name, password_hash, role, disabled, created_at, operator, totp_secret \
         FROM users WHERE site_id = $1 AND username = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(username).fetch_optional(pool).await)
}

pub async fn find(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<User>> {
    const SQL: &str = "SELECT id, site_id, username, display_name, password_hash, role, disabled, created_at, operator, totp_secret \
         FROM users WHERE site_id = $1 AND id = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(pool).await)
}

pub async fn list(db: &Db, site_id: i64) -> sqlx::Result<Vec<User>> {
    const SQL: &str = "SELECT id, site_id, username, display_name, password_hash, role, disabled, created_at, operator, totp_secret \
         FROM users WHERE site_id = $1 ORDER BY disabled, username";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)
}

/// (site, accounts) for every site that has accounts.
pub async fn count_by_site(db: &Db) -> sqlx::Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT site_id, COUNT(*) FROM users GROUP BY site_id";
    with_db!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await)
}

/// Sites without an active admin (`doctor` reports them).
pub async fn sites_without_admin(db: &Db) -> sqlx::Result<Vec<i64>> {
    const SQL: &str = "SELECT s.id FROM sites s WHERE NOT s.disabled AND NOT EXISTS \
         (SELECT 1 FROM users u WHERE u.site_id = s.id AND u.role = 'admin' AND NOT u.disabled) \
         ORDER BY s.id";
    with_db!(db, pool => sqlx::query_scalar(SQL).fetch_all(pool).await)
}

/// Creates a user; `None` if the username is taken.
pub async fn insert(
    tx: &mut Tx,
    site_id: i64,
    username: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "INSERT INTO users (site_id, username, display_name, password_hash, role, \
         disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6) \
         ON CONFLICT (site_id, username) DO NOTHING RETURNING id";
    with_tx!(tx, conn => sqlx::query_scalar(SQL)
        .bind(site_id).bind(username).bind(display_name).bind(password_hash).bind(role.as_str()).bind(now)
        .fetch_optional(&mut *conn).await)
}

/// Makes an account one of the province IT office's (or not).
pub async fn set_operator(tx: &mut Tx, user_id: i64, operator: bool) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE users SET operator = $1 WHERE id = $2";
    with_tx!(tx, conn => sqlx::query(SQL).bind(operator).bind(user_id).execute(&mut *conn).await.map(|_| ()))
}

pub async fn set_password(
    tx: &mut Tx,
    user_id: i64,
    password_hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3";
    with_tx!(tx, conn => sqlx::query(SQL).bind(password_hash).bind(now).bind(user_id).execute(&mut *conn).await.map(|_| ()))
}

pub async fn update_profile(
    tx: &mut Tx,
    user_id: i64,
    display_name: &str,
    role: Role,
    disabled: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE users SET display_name = $1, role = $2, disabled = $3, updated_at = $4 WHERE id = $5";
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(display_name).bind(role.as_str()).bind(disabled).bind(now).bind(user_id)
        .execute(&mut *conn).await.map(|_| ()))
}

/// Active admins of a site, counted inside a transaction that may change
/// one of them: the rows are locked (PostgreSQL) or the database is
/// (SQLite's `BEGIN IMMEDIATE`), so two admins demoting each other at once
/// cannot both see the other still there.
pub async fn count_active_admins(tx: &mut Tx, site_id: i64) -> sqlx::Result<i64> {
    const SQLITE: &str =
        "SELECT id FROM users WHERE site_id = $1 AND role = 'admin' AND NOT disabled";
    const POSTGRES: &str =
        "SELECT id FROM users WHERE site_id = $1 AND role = 'admin' AND NOT disabled FOR UPDATE";
    let sql = match tx.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let ids: Vec<i64> =
        with_tx!(tx, conn => sqlx::query_scalar(sql).bind(site_id).fetch_all(&mut *conn).await)?;
    Ok(ids.len() as i64)
}

/// A staff member's own address and whether they hear of new questions.
pub async fn mail_settings(db: &Db, user_id: i64) -> sqlx::Result<(String, bool)> {
    const SQL: &str = "SELECT email, notify_questions FROM users WHERE id = $1";
    with_db!(db, pool => sqlx::query_as(SQL).bind(user_id).fetch_one(pool).await)
}

/// Sets them, audited; `Err` when the address is not one.
pub async fn set_mail_settings(
    db: &Db,
    site_id: i64,
    user_id: i64,
    email: &str,
    notify: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), &'static str>> {
    const SQL: &str = "UPDATE users SET email = $1, notify_questions = $2, updated_at = $3 WHERE id = $4 AND site_id = $5";
    let email = email.trim();
    if !email.is_empty() && !crate::mail::is_address(email) {
        return Ok(Err("Địa chỉ thư điện tử không hợp lệ."));
    }
    if notify && email.is_empty() {
        return Ok(Err("Hãy ghi địa chỉ thư điện tử để nhận thư báo."));
    }
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => sqlx::query(SQL).bind(email).bind(notify).bind(now).bind(user_id).bind(site_id)
        .execute(&mut *conn).await.map(|_| ()))?;
    let target = format!("#{user_id}");
    let entry = crate::audit::Record {
        site_id,
        user_id: Some(user_id),
        action: crate::audit::Action::UserUpdate,
        target: &target,
        detail: "thư điện tử, thư báo câu hỏi",
    };
    crate::audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            normalize_username(" NguyenVanA "),
            Some("nguyenvana".into())
        );
        assert_eq!(
            normalize_username("bbt.xa-sincheng_1"),
            Some("bbt.xa-sincheng_1".into())
        );
        for bad in [
            "ab",
            "nguyễn",
            "a b",
            ".abc",
            "x".repeat(33).as_str(),
            "<script>",
        ] {
            assert_eq!(normalize_username(bad), None, "{bad}");
        }
    }
}
