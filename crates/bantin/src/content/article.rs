//! Articles: the type, its statuses, and the SQL that loads and stores it.
//! "Public" means published with a publication time that has come.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::with_db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Draft,
    Pending,
    Published,
    Unpublished,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Pending => "pending",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
        }
    }
}

/// An article as shown in lists.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub published_at: DateTime<Utc>,
    pub category_name: Option<String>,
}

/// A whole article, as its page shows it.
#[derive(Clone, Debug, FromRow)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
}

/// Public articles of a site, newest first.
pub async fn list_public(
    db: &Db,
    site_id: i64,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Listed>> {
    const SQL: &str = "SELECT a.title, a.slug, a.summary, a.published_at, c.name AS category_name \
         FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
         WHERE a.site_id = $1 AND a.status = 'published' AND a.published_at <= $2 \
         ORDER BY a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4";
    with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(now).bind(limit).bind(offset)
        .fetch_all(pool).await)
}

pub async fn count_public(db: &Db, site_id: i64, now: DateTime<Utc>) -> sqlx::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM articles \
         WHERE site_id = $1 AND status = 'published' AND published_at <= $2";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(now).fetch_one(pool).await)
}

/// The public article with this slug, if there is one.
pub async fn find_public(
    db: &Db,
    site_id: i64,
    slug: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Article>> {
    const SQL: &str = "SELECT a.id, a.title, a.slug, a.summary, a.body, a.byline, a.status, \
         a.published_at, a.updated_at, a.version, c.name AS category_name, c.slug AS category_slug \
         FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
         WHERE a.site_id = $1 AND a.slug = $2 AND a.status = 'published' AND a.published_at <= $3";
    with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(slug).bind(now)
        .fetch_optional(pool).await)
}

/// A new article's content.
#[derive(Clone, Debug)]
pub struct NewArticle<'a> {
    pub site_id: i64,
    pub category_id: Option<i64>,
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub byline: &'a str,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub source_hash: Option<&'a str>,
}

/// Inserts with this exact slug; `None` when the slug or the source hash is
/// already taken on the site (the unique constraints decide, so concurrent
/// inserts cannot both win).
pub async fn try_insert(
    db: &Db,
    new: &NewArticle<'_>,
    slug: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "INSERT INTO articles (site_id, category_id, title, slug, summary, body, \
         byline, status, published_at, created_at, updated_at, version, source_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1, $11) \
         ON CONFLICT DO NOTHING RETURNING id";
    with_db!(db, pool => sqlx::query_scalar(SQL)
        .bind(new.site_id).bind(new.category_id).bind(new.title).bind(slug)
        .bind(new.summary).bind(new.body).bind(new.byline).bind(new.status.as_str())
        .bind(new.published_at).bind(now).bind(new.source_hash)
        .fetch_optional(pool).await)
}

/// Inserts under the title's slug, or `-2`, `-3`… when it is taken.
/// Returns the id and slug, or `None` if the source hash already exists.
pub async fn insert(
    db: &Db,
    new: &NewArticle<'_>,
    base_slug: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(i64, String)>> {
    for n in 1.. {
        let slug = if n == 1 {
            base_slug.to_owned()
        } else {
            format!("{base_slug}-{n}")
        };
        if let Some(id) = try_insert(db, new, &slug, now).await? {
            return Ok(Some((id, slug)));
        }
        if let Some(hash) = new.source_hash
            && find_by_source_hash(db, new.site_id, hash).await?.is_some()
        {
            return Ok(None);
        }
    }
    unreachable!("the slug loop only ends by returning")
}

/// The slug of the article imported from a source with this hash.
pub async fn find_by_source_hash(
    db: &Db,
    site_id: i64,
    hash: &str,
) -> sqlx::Result<Option<String>> {
    const SQL: &str = "SELECT slug FROM articles WHERE site_id = $1 AND source_hash = $2";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(hash).fetch_optional(pool).await)
}
