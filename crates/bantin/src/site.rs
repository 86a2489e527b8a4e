//! The site being served: name and description, stored in the database.
//! The first migration creates the default site; `--site-name` or the admin
//! pages rename it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::audit;
use crate::db::Db;
use crate::{with_db, with_tx};

#[derive(Clone, Debug, FromRow)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `author`, `old` or `new`: see [`Site::tone_style`].
    pub tone_style: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// Added to "Tất cả", so a site moving to bantin keeps its old total.
    pub stats_start_total: i64,
}

impl Site {
    /// The house style for tone marks in stored text; `None` keeps the
    /// author's choice (misplaced marks are still repaired).
    pub fn tone_style(&self) -> Option<vntext::ToneStyle> {
        match self.tone_style.as_str() {
            "old" => Some(vntext::ToneStyle::Old),
            "new" => Some(vntext::ToneStyle::New),
            _ => None,
        }
    }
}

/// The default site (the one without a host name).
pub async fn load_default(db: &Db) -> sqlx::Result<Site> {
    const SQL: &str = "SELECT id, name, description, tone_style, address, phone, email, stats_start_total \
         FROM sites WHERE host IS NULL ORDER BY id LIMIT 1";
    with_db!(db, pool => sqlx::query_as(SQL).fetch_one(pool).await)
}

/// The settings admins edit.
#[derive(Clone, Debug)]
pub struct Settings {
    pub name: String,
    pub description: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub stats_start_total: i64,
    pub tone_style: Option<vntext::ToneStyle>,
}

pub fn tone_style_value(style: Option<vntext::ToneStyle>) -> &'static str {
    match style {
        None => "author",
        Some(vntext::ToneStyle::Old) => "old",
        Some(vntext::ToneStyle::New) => "new",
    }
}

/// The settings as typed in the admin form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    pub name: String,
    pub description: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub stats_start_total: String,
    pub tone_style: String,
}

impl Typed {
    pub fn of(site: &Site) -> Typed {
        Typed {
            name: site.name.clone(),
            description: site.description.clone(),
            address: site.address.clone(),
            phone: site.phone.clone(),
            email: site.email.clone(),
            stats_start_total: site.stats_start_total.to_string(),
            tone_style: tone_style_value(site.tone_style()).to_owned(),
        }
    }
}

/// Normalised, on one line, at most `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    vntext::normalize(s)
        .replace('\n', " ")
        .chars()
        .take(max)
        .collect()
}

/// The typed settings, checked; or what is wrong, in Vietnamese.
pub fn checked(form: &Typed) -> Result<Settings, &'static str> {
    let name = one_line(&form.name, 200);
    if name.is_empty() {
        return Err("Tên trang không được để trống.");
    }
    let email = form.email.trim().to_owned();
    if !email.is_empty()
        && (!email.contains('@') || email.contains(char::is_whitespace) || email.len() > 200)
    {
        return Err("Địa chỉ thư điện tử không hợp lệ.");
    }
    let phone = one_line(&form.phone, 50);
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +().-".contains(c))
    {
        return Err("Số điện thoại chỉ gồm chữ số và các dấu + ( ) . -");
    }
    let stats_start_total = match form.stats_start_total.trim().replace('.', "") {
        s if s.is_empty() => 0,
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or("Số lượt truy cập ban đầu phải là số không âm.")?,
    };
    let tone_style = match form.tone_style.as_str() {
        "old" => Some(vntext::ToneStyle::Old),
        "new" => Some(vntext::ToneStyle::New),
        "author" | "" => None,
        _ => return Err("Kiểu bỏ dấu không hợp lệ."),
    };
    Ok(Settings {
        name,
        description: one_line(&form.description, 500),
        address: one_line(&form.address, 300),
        phone,
        email,
        stats_start_total,
        tone_style,
    })
}

/// Saves the settings, with their audit entry.
pub async fn update(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    s: &Settings,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE sites SET name = $1, description = $2, address = $3, phone = $4, email = $5, \
         stats_start_total = $6, tone_style = $7, updated_at = $8 WHERE id = $9";
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(&s.name).bind(&s.description).bind(&s.address).bind(&s.phone).bind(&s.email)
        .bind(s.stats_start_total).bind(tone_style_value(s.tone_style)).bind(now).bind(site_id)
        .execute(&mut *conn).await.map(|_| ()))?;
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::SettingsUpdate,
        target: "",
        detail: &s.name,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await
}

pub async fn set_tone_style(
    db: &Db,
    site_id: i64,
    style: Option<vntext::ToneStyle>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let value = tone_style_value(style);
    const SQL: &str = "UPDATE sites SET tone_style = $1, updated_at = $2 WHERE id = $3";
    with_db!(db, pool => sqlx::query(SQL).bind(value).bind(now).bind(site_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn rename(db: &Db, site_id: i64, name: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE sites SET name = $1, updated_at = $2 WHERE id = $3";
    with_db!(db, pool => sqlx::query(SQL).bind(name).bind(now).bind(site_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}
