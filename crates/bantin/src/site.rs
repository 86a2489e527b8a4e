//! The site being served: name and description, stored in the database.
//! The first migration creates the default site; `--site-name` or the admin
//! pages rename it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::with_db;

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

pub async fn update(db: &Db, site_id: i64, s: &Settings, now: DateTime<Utc>) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE sites SET name = $1, description = $2, address = $3, phone = $4, email = $5, \
         stats_start_total = $6, tone_style = $7, updated_at = $8 WHERE id = $9";
    with_db!(db, pool => sqlx::query(SQL)
        .bind(&s.name).bind(&s.description).bind(&s.address).bind(&s.phone).bind(&s.email)
        .bind(s.stats_start_total).bind(tone_style_value(s.tone_style)).bind(now).bind(site_id)
        .execute(pool).await.map(|_| ()))
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
