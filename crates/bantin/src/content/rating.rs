//! "Thông tin này có hữu ích với bạn không?" (Decree 224/2026 Art.
//! 10(3)(b)): a reader rates an article or a page, Có or Không, with an
//! optional comment of at most [`MAX_COMMENT`] characters. One answer per
//! visitor, item and day, told apart by the statistics' visitor key (no
//! address is stored); comments are seen by staff only.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::{with_db, with_tx};

pub const MAX_COMMENT: usize = 500;

/// What became of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Recorded,
    /// This visitor answered for this item today already.
    AlreadyToday,
    /// No public article or page has this id on the site.
    NoSuchItem,
}

#[allow(clippy::too_many_arguments)]
pub async fn submit(
    db: &Db,
    site_id: i64,
    article_id: i64,
    day: NaiveDate,
    visitor: &str,
    useful: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Outcome> {
    const PUBLIC: &str = "SELECT COUNT(*) FROM articles WHERE site_id = $1 AND id = $2 \
         AND status = 'published' AND published_at <= $3";
    const SQL: &str = "INSERT INTO ratings (site_id, article_id, day, visitor, useful, comment, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (article_id, day, visitor) DO NOTHING";
    let public: i64 = with_db!(db, pool => sqlx::query_scalar(PUBLIC).bind(site_id).bind(article_id).bind(now).fetch_one(pool).await)?;
    if public == 0 {
        return Ok(Outcome::NoSuchItem);
    }
    let comment: String = vntext::normalize(comment)
        .chars()
        .take(MAX_COMMENT)
        .collect();
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => sqlx::query(SQL)
        .bind(site_id).bind(article_id).bind(day).bind(visitor).bind(useful).bind(&comment).bind(now)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(if n == 1 {
        Outcome::Recorded
    } else {
        Outcome::AlreadyToday
    })
}

#[derive(Clone, Debug, FromRow)]
struct DayRow {
    article_id: i64,
    title: String,
    kind: String,
    slug: String,
    day: NaiveDate,
    yes: i64,
    no: i64,
}

/// An item's answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub yes: i64,
    pub no: i64,
}

/// The answers of a site since `since`: per item (title, path, totals),
/// and per month (`2026-12`) overall.
pub struct Report {
    pub items: Vec<(String, String, Totals)>,
    pub months: Vec<(String, Totals)>,
}

pub async fn report(db: &Db, site_id: i64, since: NaiveDate) -> sqlx::Result<Report> {
    const SQL: &str = "SELECT r.article_id, a.title, a.kind, a.slug, r.day, \
         CAST(SUM(CASE WHEN r.useful THEN 1 ELSE 0 END) AS BIGINT) AS yes, \
         CAST(SUM(CASE WHEN r.useful THEN 0 ELSE 1 END) AS BIGINT) AS no \
         FROM ratings r JOIN articles a ON a.id = r.article_id \
         WHERE r.site_id = $1 AND r.day >= $2 GROUP BY r.article_id, a.title, a.kind, a.slug, r.day";
    let rows: Vec<DayRow> =
        with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(since).fetch_all(pool).await)?;
    let mut items: BTreeMap<i64, (String, String, Totals)> = BTreeMap::new();
    let mut months: BTreeMap<String, Totals> = BTreeMap::new();
    for r in rows {
        let item = items.entry(r.article_id).or_insert_with(|| {
            (
                r.title.clone(),
                super::page::public_path_of(&r.kind, &r.slug),
                Totals::default(),
            )
        });
        item.2.yes += r.yes;
        item.2.no += r.no;
        let month = months
            .entry(format!("{:04}-{:02}", r.day.year(), r.day.month()))
            .or_default();
        month.yes += r.yes;
        month.no += r.no;
    }
    let mut items: Vec<_> = items.into_values().collect();
    items.sort_by_key(|(_, _, t)| std::cmp::Reverse(t.yes + t.no));
    Ok(Report {
        items,
        months: months.into_iter().rev().collect(),
    })
}

/// A comment, for staff.
#[derive(Clone, Debug, FromRow)]
pub struct Comment {
    pub title: String,
    pub useful: bool,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

pub async fn comments(db: &Db, site_id: i64, limit: i64) -> sqlx::Result<Vec<Comment>> {
    const SQL: &str = "SELECT a.title, r.useful, r.comment, r.created_at FROM ratings r \
         JOIN articles a ON a.id = r.article_id \
         WHERE r.site_id = $1 AND r.comment <> '' ORDER BY r.created_at DESC LIMIT $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(limit).fetch_all(pool).await)
}
