//! The site's lists for documents: types (Nghị quyết, Quyết định…),
//! issuing bodies and fields, each edited by the site's admin. A new site
//! starts with the usual types; bodies and fields are its own to name.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::audit;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Type,
    Issuer,
    Field,
}

impl List {
    pub const ALL: [List; 3] = [List::Type, List::Issuer, List::Field];

    pub fn code(self) -> &'static str {
        match self {
            List::Type => "type",
            List::Issuer => "issuer",
            List::Field => "field",
        }
    }

    pub fn parse(code: &str) -> Option<List> {
        List::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            List::Type => "Loại văn bản",
            List::Issuer => "Cơ quan ban hành",
            List::Field => "Lĩnh vực",
        }
    }

    /// Its name in public URLs (`?loai=nghi-quyet`).
    pub fn param(self) -> &'static str {
        match self {
            List::Type => "loai",
            List::Issuer => "co-quan",
            List::Field => "linh-vuc",
        }
    }
}

/// The types every commune issues (Decree 30/2020 on administrative
/// documents, and the Party's own: Nghị quyết, Chỉ thị…).
pub const DEFAULT_TYPES: &[&str] = &[
    "Nghị quyết",
    "Quyết định",
    "Chỉ thị",
    "Kế hoạch",
    "Thông báo",
    "Báo cáo",
    "Công văn",
    "Hướng dẫn",
    "Quy chế",
    "Chương trình",
];

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Term {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub position: i64,
}

pub async fn all(db: &Db, site_id: i64, list: List) -> sqlx::Result<Vec<Term>> {
    const SQL: &str = "SELECT id, name, slug, position FROM doc_terms WHERE site_id = $1 AND list = $2 \
         ORDER BY position, name";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(list.code()).fetch_all(pool).await)
}

pub async fn find(db: &Db, site_id: i64, list: List, id: i64) -> sqlx::Result<Option<Term>> {
    const SQL: &str = "SELECT id, name, slug, position FROM doc_terms WHERE site_id = $1 AND list = $2 AND id = $3";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(list.code()).bind(id).fetch_optional(pool).await)
}

pub async fn find_by_slug(
    db: &Db,
    site_id: i64,
    list: List,
    slug: &str,
) -> sqlx::Result<Option<Term>> {
    const SQL: &str = "SELECT id, name, slug, position FROM doc_terms WHERE site_id = $1 AND list = $2 AND slug = $3";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(list.code()).bind(slug).fetch_optional(pool).await)
}

/// The term of this name, added at the end of its list when it is new (a
/// register being imported names its own types and bodies).
pub async fn ensure(tx: &mut Tx, site_id: i64, list: List, name: &str) -> sqlx::Result<i64> {
    const FIND: &str = "SELECT id FROM doc_terms WHERE site_id = $1 AND list = $2 AND slug = $3";
    const ADD: &str = "INSERT INTO doc_terms (site_id, list, name, slug, position) \
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM doc_terms WHERE site_id = $1 AND list = $2)) \
         RETURNING id";
    let name = crate::site::one_line(name, 120);
    let slug = vntext::slugify(&name);
    let found: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(FIND)
        .bind(site_id).bind(list.code()).bind(&slug).fetch_optional(&mut *conn).await)?;
    if let Some(id) = found {
        return Ok(id);
    }
    with_tx!(tx, conn => sqlx::query_scalar(ADD)
        .bind(site_id).bind(list.code()).bind(&name).bind(&slug).fetch_one(&mut *conn).await)
}

/// A new site's types.
pub async fn furnish(tx: &mut Tx, site_id: i64) -> sqlx::Result<()> {
    for name in DEFAULT_TYPES {
        ensure(tx, site_id, List::Type, name).await?;
    }
    Ok(())
}

/// Adds (`id` = `None`) or renames and moves a term; `Err` says why not.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    list: List,
    id: Option<i64>,
    name: &str,
    position: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), String>> {
    const ADD: &str =
        "INSERT INTO doc_terms (site_id, list, name, slug, position) VALUES ($1, $2, $3, $4, $5)";
    const SET: &str = "UPDATE doc_terms SET name = $3, slug = $4, position = $5 WHERE site_id = $1 AND list = $2 AND id = $6";
    let name = crate::site::one_line(name, 120);
    let slug = vntext::slugify(&name);
    if slug.is_empty() {
        return Ok(Err(format!("{} cần có tên.", list.label())));
    }
    let position: i64 = position.trim().parse().unwrap_or(0);
    let mut tx = db.begin().await?;
    let done = with_tx!(tx, conn => {
        let q = sqlx::query(if id.is_some() { SET } else { ADD })
            .bind(site_id).bind(list.code()).bind(&name).bind(&slug).bind(position);
        let q = match id { Some(id) => q.bind(id), None => q };
        q.execute(&mut *conn).await.map(|r| r.rows_affected())
    });
    match done {
        Ok(1) => {}
        Ok(_) => return Ok(Err("Không có mục này.".into())),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Ok(Err(format!("“{name}” đã có trong danh mục.")));
        }
        Err(e) => return Err(e),
    }
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::DocumentListUpdate,
        target: &name,
        detail: list.label(),
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes a term no document uses.
pub async fn remove(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    list: List,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), String>> {
    const USED: &str = "SELECT (SELECT COUNT(*) FROM documents WHERE site_id = $1 AND (type_id = $2 OR issuer_id = $2 OR field_id = $2)) \
         + (SELECT COUNT(*) FROM questions WHERE site_id = $1 AND field_id = $2)";
    const SQL: &str = "DELETE FROM doc_terms WHERE site_id = $1 AND list = $2 AND id = $3";
    let Some(term) = find(db, site_id, list, id).await? else {
        return Ok(Err("Không có mục này.".into()));
    };
    let mut tx = db.begin().await?;
    let used: i64 = with_tx!(tx, conn => sqlx::query_scalar(USED).bind(site_id).bind(id).fetch_one(&mut *conn).await)?;
    if used > 0 {
        return Ok(Err(format!(
            "“{}” đang được {used} văn bản hoặc câu hỏi dùng, không xoá được.",
            term.name
        )));
    }
    with_tx!(tx, conn => sqlx::query(SQL).bind(site_id).bind(list.code()).bind(id).execute(&mut *conn).await.map(|_| ()))?;
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::DocumentListUpdate,
        target: &term.name,
        detail: "xoá",
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(Ok(()))
}
