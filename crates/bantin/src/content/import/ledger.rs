//! What an import has stored, by where each item came from
//! (`imported_items`): the item's old id on one side, what it became here
//! on the other. An item is recorded in the transaction that stores it, so
//! a run that stops half-way leaves whole items only, and the next run
//! starts after them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// The kinds of item an import brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Post,
    Page,
    Category,
    Author,
    Image,
    /// What an import passes over (menu entries, revisions…): reported,
    /// never recorded.
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Page => "page",
            Kind::Category => "category",
            Kind::Author => "author",
            Kind::Image => "image",
            Kind::Other => "other",
        }
    }
}

/// What an item became, if it was imported before.
pub async fn find(
    db: &Db,
    site_id: i64,
    source: &str,
    kind: Kind,
    source_id: &str,
) -> sqlx::Result<Option<i64>> {
    with_db!(db, pool => sqlx::query_scalar(FIND)
        .bind(site_id).bind(source).bind(kind.as_str()).bind(source_id)
        .fetch_optional(pool).await)
}

const FIND: &str = "SELECT target_id FROM imported_items \
     WHERE site_id = $1 AND source = $2 AND kind = $3 AND source_id = $4";

/// [`find`], inside the transaction that may store the item.
pub async fn find_in(
    tx: &mut Tx,
    site_id: i64,
    source: &str,
    kind: Kind,
    source_id: &str,
) -> sqlx::Result<Option<i64>> {
    with_tx!(tx, conn => sqlx::query_scalar(FIND)
        .bind(site_id).bind(source).bind(kind.as_str()).bind(source_id)
        .fetch_optional(&mut *conn).await)
}

/// Every item of a kind imported from a source: old id → new id.
pub async fn all(
    db: &Db,
    site_id: i64,
    source: &str,
    kind: Kind,
) -> sqlx::Result<HashMap<String, i64>> {
    const SQL: &str = "SELECT source_id, target_id FROM imported_items \
         WHERE site_id = $1 AND source = $2 AND kind = $3";
    let rows: Vec<(String, i64)> = with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(source).bind(kind.as_str()).fetch_all(pool).await)?;
    Ok(rows.into_iter().collect())
}

/// Records an item in the transaction that stored it.
pub async fn record(
    tx: &mut Tx,
    site_id: i64,
    source: &str,
    kind: Kind,
    source_id: &str,
    target_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO imported_items (site_id, source, kind, source_id, target_id, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(site_id).bind(source).bind(kind.as_str()).bind(source_id).bind(target_id).bind(now)
        .execute(&mut *conn).await.map(|_| ()))
}
