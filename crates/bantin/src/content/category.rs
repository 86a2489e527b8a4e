//! Categories (chuyên mục).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::with_db;

/// Slug of the category every site starts with ("Tin tức").
pub const DEFAULT_SLUG: &str = "tin-tuc";

#[derive(Clone, Debug, FromRow)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub position: i64,
}

pub async fn find_by_slug(db: &Db, site_id: i64, slug: &str) -> sqlx::Result<Option<Category>> {
    const SQL: &str =
        "SELECT id, name, slug, position FROM categories WHERE site_id = $1 AND slug = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(slug).fetch_optional(pool).await)
}

/// All categories of a site, in menu order.
pub async fn list(db: &Db, site_id: i64) -> sqlx::Result<Vec<Category>> {
    const SQL: &str = "SELECT id, name, slug, position FROM categories WHERE site_id = $1 ORDER BY position, name";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)
}

/// Creates a category; `None` if the slug is taken.
pub async fn create(
    db: &Db,
    site_id: i64,
    name: &str,
    slug: &str,
    position: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "INSERT INTO categories (site_id, name, slug, position, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id, slug) DO NOTHING RETURNING id";
    with_db!(db, pool => sqlx::query_scalar(SQL)
        .bind(site_id).bind(name).bind(slug).bind(position).bind(now)
        .fetch_optional(pool).await)
}

/// Renames or reorders a category; `false` if the new slug is taken.
pub async fn update(
    db: &Db,
    site_id: i64,
    id: i64,
    name: &str,
    slug: &str,
    position: i64,
) -> sqlx::Result<bool> {
    const SQL: &str = "UPDATE categories SET name = $1, slug = $2, position = $3 \
         WHERE site_id = $4 AND id = $5 \
         AND NOT EXISTS (SELECT 1 FROM categories o WHERE o.site_id = $4 AND o.slug = $2 AND o.id <> $5)";
    let changed = with_db!(db, pool => sqlx::query(SQL)
        .bind(name).bind(slug).bind(position).bind(site_id).bind(id)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    // Article pages show the category's name.
    super::cache::changed();
    Ok(changed == 1)
}

pub async fn find(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<Category>> {
    const SQL: &str =
        "SELECT id, name, slug, position FROM categories WHERE site_id = $1 AND id = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(pool).await)
}
