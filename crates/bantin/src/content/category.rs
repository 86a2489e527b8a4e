//! Categories (chuyên mục).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::audit;
use crate::db::Db;
use crate::{with_db, with_tx};

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

/// A category as typed in the admin form.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub name: String,
    /// Empty: made from the name.
    pub slug: String,
    pub position: String,
}

/// Name, slug (from the name when left empty) and position, checked; or
/// what is wrong, in Vietnamese.
pub fn checked(form: &Form) -> Result<(String, String, i64), String> {
    let name = vntext::normalize(&form.name).replace('\n', " ");
    if name.is_empty() || name.chars().count() > 100 {
        return Err("Tên chuyên mục cần có từ 1 đến 100 ký tự.".into());
    }
    let slug = vntext::slugify(if form.slug.trim().is_empty() {
        &name
    } else {
        &form.slug
    });
    let position = match form.position.trim() {
        "" => 0,
        p => p
            .parse::<i64>()
            .map_err(|_| "Thứ tự phải là một số nguyên.".to_owned())?,
    };
    Ok((name, slug, position))
}

/// Creates a category (with its audit entry); `Err` says why not.
pub async fn create(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    form: &Form,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<i64, String>> {
    const SQL: &str = "INSERT INTO categories (site_id, name, slug, position, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id, slug) DO NOTHING RETURNING id";
    let (name, slug, position) = match checked(form) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = db.begin().await?;
    let id: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(SQL)
        .bind(site_id).bind(&name).bind(&slug).bind(position).bind(now)
        .fetch_optional(&mut *conn).await)?;
    let Some(id) = id else {
        return Ok(Err(format!("Đã có chuyên mục với đường dẫn “{slug}”.")));
    };
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::CategoryCreate,
        target: &slug,
        detail: &name,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Renames or reorders a category (with its audit entry); `Err` says why
/// not (the form, or a slug another category has).
pub async fn update(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: i64,
    form: &Form,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), String>> {
    const SQL: &str = "UPDATE categories SET name = $1, slug = $2, position = $3 \
         WHERE site_id = $4 AND id = $5 \
         AND NOT EXISTS (SELECT 1 FROM categories o WHERE o.site_id = $4 AND o.slug = $2 AND o.id <> $5)";
    let (name, slug, position) = match checked(form) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = db.begin().await?;
    let changed = with_tx!(tx, conn => sqlx::query(SQL)
        .bind(&name).bind(&slug).bind(position).bind(site_id).bind(id)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if changed != 1 {
        return Ok(Err(format!(
            "Đã có chuyên mục khác với đường dẫn “{slug}”."
        )));
    }
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::CategoryUpdate,
        target: &slug,
        detail: &name,
    };
    audit::record(&mut tx, entry, now).await?;
    // Article pages show the category's name.
    tx.content_changed();
    tx.commit().await?;
    Ok(Ok(()))
}

pub async fn find(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<Category>> {
    const SQL: &str =
        "SELECT id, name, slug, position FROM categories WHERE site_id = $1 AND id = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(pool).await)
}
