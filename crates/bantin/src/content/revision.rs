//! Revisions: every save of an article's content keeps a copy (who, when),
//! written by `article::insert` and `article::apply`; here they are read.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::with_db;

#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    pub id: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub user_name: Option<String>,
}

#[derive(Clone, Debug, FromRow)]
pub struct Revision {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub category_id: Option<i64>,
    pub featured_image: String,
    pub created_at: DateTime<Utc>,
    pub user_name: Option<String>,
}

pub async fn list(db: &Db, article_id: i64) -> sqlx::Result<Vec<Listed>> {
    const SQL: &str = "SELECT r.id, r.version, r.created_at, u.display_name AS user_name \
         FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id \
         WHERE r.article_id = $1 ORDER BY r.version DESC";
    with_db!(db, pool => sqlx::query_as(SQL).bind(article_id).fetch_all(pool).await)
}

pub async fn find(db: &Db, article_id: i64, id: i64) -> sqlx::Result<Option<Revision>> {
    const SQL: &str = "SELECT r.id, r.version, r.title, r.summary, r.body, r.byline, r.category_id, \
         r.featured_image, r.created_at, u.display_name AS user_name \
         FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id \
         WHERE r.article_id = $1 AND r.id = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(article_id).bind(id).fetch_optional(pool).await)
}
