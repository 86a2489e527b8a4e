//! Search SQL: the one place where the two databases differ in more than
//! DDL. SQLite uses FTS5 (bm25, title weighted 10×), PostgreSQL a weighted
//! `tsvector` with a GIN index (`ts_rank_cd`). Both filter to public
//! articles at query time, so unpublishing is seen at once.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::query::Query;
use crate::db::Db;
use crate::with_db;

#[derive(Clone, Debug, FromRow)]
pub struct Hit {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body: String,
    pub published_at: DateTime<Utc>,
}

const SQLITE_HITS: &str = "SELECT a.id, a.title, a.slug, a.summary, a.body, a.published_at \
     FROM articles_fts f JOIN articles a ON a.id = f.rowid \
     WHERE articles_fts MATCH $1 AND a.site_id = $2 AND a.status = 'published' AND a.published_at <= $3 \
     ORDER BY bm25(articles_fts, 10.0, 1.0), a.published_at DESC LIMIT $4 OFFSET $5";
const SQLITE_COUNT: &str = "SELECT COUNT(*) FROM articles_fts f JOIN articles a ON a.id = f.rowid \
     WHERE articles_fts MATCH $1 AND a.site_id = $2 AND a.status = 'published' AND a.published_at <= $3";
const PG_HITS: &str = "SELECT a.id, a.title, a.slug, a.summary, a.body, a.published_at \
     FROM articles a, to_tsquery('simple', $1) q \
     WHERE a.search_vector @@ q AND a.site_id = $2 AND a.status = 'published' AND a.published_at <= $3 \
     ORDER BY ts_rank_cd(a.search_vector, q) DESC, a.published_at DESC LIMIT $4 OFFSET $5";
const PG_COUNT: &str = "SELECT COUNT(*) FROM articles a, to_tsquery('simple', $1) q \
     WHERE a.search_vector @@ q AND a.site_id = $2 AND a.status = 'published' AND a.published_at <= $3";

/// Public articles matching every word and phrase, best first by the
/// database's own rank.
pub async fn hits(
    db: &Db,
    site_id: i64,
    q: &Query,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Hit>> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query_as(SQLITE_HITS)
                .bind(q.fts5())
                .bind(site_id)
                .bind(now)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        }
        Db::Postgres(pool) => {
            sqlx::query_as(PG_HITS)
                .bind(q.tsquery())
                .bind(site_id)
                .bind(now)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        }
    }
}

pub async fn count(db: &Db, site_id: i64, q: &Query, now: DateTime<Utc>) -> sqlx::Result<i64> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query_scalar(SQLITE_COUNT)
                .bind(q.fts5())
                .bind(site_id)
                .bind(now)
                .fetch_one(pool)
                .await
        }
        Db::Postgres(pool) => {
            sqlx::query_scalar(PG_COUNT)
                .bind(q.tsquery())
                .bind(site_id)
                .bind(now)
                .fetch_one(pool)
                .await
        }
    }
}

#[derive(FromRow)]
struct Source {
    id: i64,
    title: String,
    summary: String,
    body: String,
}

/// Recomputes the folded search text of every article (or only of those
/// never indexed); returns how many were written.
pub async fn reindex(db: &Db, only_missing: bool) -> sqlx::Result<u64> {
    const ALL: &str =
        "SELECT id, title, summary, body FROM articles WHERE id > $1 ORDER BY id LIMIT 500";
    const MISSING: &str = "SELECT id, title, summary, body FROM articles WHERE id > $1 AND search_title = '' ORDER BY id LIMIT 500";
    const UPDATE: &str = "UPDATE articles SET search_title = $1, search_body = $2 WHERE id = $3";
    let mut last = 0i64;
    let mut written = 0;
    loop {
        let sql = if only_missing { MISSING } else { ALL };
        let rows: Vec<Source> =
            with_db!(db, pool => sqlx::query_as(sql).bind(last).fetch_all(pool).await)?;
        let Some(end) = rows.last().map(|r| r.id) else {
            break;
        };
        with_db!(db, pool => {
            let mut tx = pool.begin().await?;
            for r in &rows {
                let (title, body) = super::folded_fields(&r.title, &r.summary, &r.body);
                sqlx::query(UPDATE).bind(title).bind(body).bind(r.id).execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        written += rows.len() as u64;
        last = end;
    }
    Ok(written)
}
