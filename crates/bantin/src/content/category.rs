//! Categories (chuyên mục).

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
}

pub async fn find_by_slug(db: &Db, site_id: i64, slug: &str) -> sqlx::Result<Option<Category>> {
    const SQL: &str = "SELECT id, name, slug FROM categories WHERE site_id = $1 AND slug = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(slug).fetch_optional(pool).await)
}

/// All categories of a site, in menu order.
pub async fn list(db: &Db, site_id: i64) -> sqlx::Result<Vec<Category>> {
    const SQL: &str =
        "SELECT id, name, slug FROM categories WHERE site_id = $1 ORDER BY position, name";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)
}
