//! Managing staff accounts, for the admin pages and the command line alike:
//! create, change (name, role, disabled), set a password. Each is one
//! transaction with its audit entry; the rules are here once: usernames,
//! display names (one line, at most [`MAX_DISPLAY_NAME`] characters), the
//! password policy, and that a site always keeps an active admin.

use chrono::{DateTime, Utc};

use super::{Role, User, password, session, user};
use crate::audit;
use crate::db::Db;

pub const MAX_DISPLAY_NAME: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused, with the reason for the person who asked (Vietnamese).
    #[error("{0}")]
    Invalid(String),
    #[error("no such account")]
    NotFound,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Hashing(#[from] anyhow::Error),
}

fn invalid<T>(message: impl Into<String>) -> Result<T, Error> {
    Err(Error::Invalid(message.into()))
}

/// A login name as typed, checked and lower-cased.
pub fn username(raw: &str) -> Result<String, Error> {
    user::normalize_username(raw).ok_or_else(|| {
        Error::Invalid(
            "Tên đăng nhập cần 3-32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang."
                .into(),
        )
    })
}

/// A display name as typed: normalised, one line, at most
/// [`MAX_DISPLAY_NAME`] characters; `None` when empty.
pub fn display_name(raw: &str) -> Option<String> {
    let name = vntext::normalize(raw).replace('\n', " ");
    (!name.is_empty()).then(|| name.chars().take(MAX_DISPLAY_NAME).collect())
}

/// The password to set: the one given (checked against the policy), or a
/// generated one, which is returned so it can be shown once.
async fn choose_password(
    given: Option<String>,
    username: &str,
) -> Result<(String, Option<String>), Error> {
    let (password, generated) = match given {
        Some(p) => (p, false),
        None => (password::generate(), true),
    };
    if let Some(problem) = password::policy_problem(&password, username) {
        return invalid(problem);
    }
    let hash = password::hash(password.clone()).await?;
    Ok((hash, generated.then_some(password)))
}

/// Who acts: a staff member, or the command line (`None`).
pub type Actor = Option<i64>;

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// `None`: generate a strong one.
    pub password: Option<String>,
    /// An account of the province IT office (an admin of a province's
    /// portal or of a site without a parent).
    pub operator: bool,
}

pub struct Created {
    pub id: i64,
    pub username: String,
    /// Shown once, when it was generated.
    pub generated_password: Option<String>,
}

pub async fn create(
    db: &Db,
    site_id: i64,
    actor: Actor,
    new: NewAccount<'_>,
    now: DateTime<Utc>,
) -> Result<Created, Error> {
    let username = username(new.username)?;
    let display = display_name(new.display_name).unwrap_or_else(|| username.clone());
    if new.operator {
        let site = crate::site::find(db, site_id)
            .await?
            .ok_or(Error::NotFound)?;
        if new.role != Role::Admin || site.parent_id.is_some() {
            return invalid(
                "Tài khoản của văn phòng tỉnh phải là quản trị viên của cổng tỉnh (trang không có cấp trên).",
            );
        }
    }
    let (hash, generated_password) = choose_password(new.password, &username).await?;
    let mut tx = db.begin().await?;
    let Some(id) =
        user::insert(&mut tx, site_id, &username, &display, &hash, new.role, now).await?
    else {
        return invalid(format!("Tên đăng nhập “{username}” đã có người dùng."));
    };
    if new.operator {
        user::set_operator(&mut tx, id, true).await?;
    }
    let detail = if new.operator {
        "admin, văn phòng tỉnh"
    } else {
        new.role.as_str()
    };
    audit::record(
        &mut tx,
        audit::Record {
            site_id,
            user_id: actor,
            action: audit::Action::UserCreate,
            target: &username,
            detail,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        id,
        username,
        generated_password,
    })
}

/// The account of a site by login name.
pub async fn find(db: &Db, site_id: i64, name: &str) -> Result<User, Error> {
    let username = user::normalize_username(name).ok_or(Error::NotFound)?;
    user::find_by_username(db, site_id, &username)
        .await?
        .ok_or(Error::NotFound)
}

/// Sets a new password (given, or generated and returned) and ends the
/// account's sessions.
pub async fn set_password(
    db: &Db,
    site_id: i64,
    actor: Actor,
    target: &User,
    given: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<String>, Error> {
    let (hash, generated) = choose_password(given, &target.username).await?;
    let mut tx = db.begin().await?;
    user::set_password(&mut tx, target.id, &hash, now).await?;
    session::delete_for_user(&mut tx, target.id).await?;
    audit::record(
        &mut tx,
        audit::Record {
            site_id,
            user_id: actor,
            action: audit::Action::UserPassword,
            target: &target.username,
            detail: "",
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(generated)
}

/// A staff member's own new password (the old one checked by the caller):
/// every other session of theirs ends, this one stays.
pub async fn change_own_password(
    db: &Db,
    site_id: i64,
    user: &User,
    keep_session: &str,
    new: String,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let (hash, _) = choose_password(Some(new), &user.username).await?;
    let mut tx = db.begin().await?;
    user::set_password(&mut tx, user.id, &hash, now).await?;
    session::delete_others(&mut tx, user.id, keep_session).await?;
    audit::record(
        &mut tx,
        audit::Record {
            site_id,
            user_id: Some(user.id),
            action: audit::Action::UserPassword,
            target: &user.username,
            detail: "tự đổi",
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What an admin may change about an account.
pub struct Change {
    /// `None` keeps the name.
    pub display_name: Option<String>,
    pub role: Role,
    pub disabled: bool,
    /// `None` keeps the password.
    pub password: Option<String>,
}

/// Changes an account. Refused: disabling oneself, and leaving the site
/// without an active admin (checked inside the transaction).
pub async fn update(
    db: &Db,
    site_id: i64,
    actor: Actor,
    target: &User,
    change: Change,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if actor == Some(target.id) && change.disabled {
        return invalid("Bạn không thể tự khoá tài khoản của mình.");
    }
    let display = change
        .display_name
        .as_deref()
        .and_then(display_name)
        .unwrap_or_else(|| target.display_name.clone());
    let new_password = match change.password {
        Some(p) => Some(choose_password(Some(p), &target.username).await?.0),
        None => None,
    };
    let mut tx = db.begin().await?;
    let loses_admin = target.role == Role::Admin
        && !target.disabled
        && (change.role != Role::Admin || change.disabled);
    if loses_admin && user::count_active_admins(&mut tx, site_id).await? <= 1 {
        return invalid("Phải còn ít nhất một quản trị viên đang hoạt động.");
    }
    let entry = |action, detail| audit::Record {
        site_id,
        user_id: actor,
        action,
        target: &target.username,
        detail,
    };
    if let Some(hash) = &new_password {
        user::set_password(&mut tx, target.id, hash, now).await?;
        audit::record(&mut tx, entry(audit::Action::UserPassword, ""), now).await?;
    }
    user::update_profile(
        &mut tx,
        target.id,
        &display,
        change.role,
        change.disabled,
        now,
    )
    .await?;
    if change.disabled || new_password.is_some() {
        session::delete_for_user(&mut tx, target.id).await?;
    }
    let detail = format!(
        "{}{}",
        change.role.as_str(),
        if change.disabled { ", khoá" } else { "" }
    );
    audit::record(&mut tx, entry(audit::Action::UserUpdate, &detail), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account and ends its sessions (the same rules as
/// [`update`]).
pub async fn disable(
    db: &Db,
    site_id: i64,
    actor: Actor,
    target: &User,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let change = Change {
        display_name: None,
        role: target.role,
        disabled: true,
        password: None,
    };
    update(db, site_id, actor, target, change, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_one_short_line() {
        assert_eq!(display_name("  "), None);
        assert_eq!(
            display_name("Nguyễn\nVăn  A").as_deref(),
            Some("Nguyễn Văn A")
        );
        assert_eq!(
            display_name(&"a".repeat(300)).unwrap().chars().count(),
            MAX_DISPLAY_NAME
        );
        assert!(username("Ab").is_err());
        assert_eq!(username(" BienTap ").unwrap(), "bientap");
    }
}
