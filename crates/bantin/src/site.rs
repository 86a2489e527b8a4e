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
}

/// The default site (the one without a host name).
pub async fn load_default(db: &Db) -> sqlx::Result<Site> {
    const SQL: &str =
        "SELECT id, name, description FROM sites WHERE host IS NULL ORDER BY id LIMIT 1";
    with_db!(db, pool => sqlx::query_as(SQL).fetch_one(pool).await)
}

pub async fn rename(db: &Db, site_id: i64, name: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE sites SET name = $1, updated_at = $2 WHERE id = $3";
    with_db!(db, pool => sqlx::query(SQL).bind(name).bind(now).bind(site_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}
