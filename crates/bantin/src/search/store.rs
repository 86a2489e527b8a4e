//! Search SQL: the one place where the two databases differ in more than
//! DDL. SQLite uses FTS5, PostgreSQL a `tsvector` with a GIN index plus two
//! narrow tables that a trigger keeps in step (`search_terms` for counting,
//! `search_titles` for title matches). Both filter to public articles at
//! query time, so unpublishing is seen at once.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::query::Query;
use crate::db::Db;
use crate::{with_db, with_tx};

#[derive(Clone, Debug, FromRow)]
pub struct Hit {
    pub id: i64,
    pub site_id: i64,
    /// `news` or `page`: where it is read.
    pub kind: String,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body: String,
    pub published_at: DateTime<Utc>,
}

// Candidates are the newest matches: both indexes can walk matches newest
// first and stop early, whereas scoring (bm25, ts_rank) must visit every
// match — tens of thousands for common words like "xã" or "đảng". The
// ranking that follows (rank.rs) orders them.
//
// SQLite: CROSS JOIN fixes the join order (FTS5 outside). Left to itself the
// planner may loop over articles and re-run the full-text query for each
// one: measured at 24 s instead of 3 ms on 100,000 articles.
const SQLITE_HITS: &str = "SELECT a.id, a.site_id, a.kind, a.title, a.slug, a.summary, a.body, a.published_at \
     FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid \
     WHERE articles_fts MATCH $1 AND {site} AND a.status = 'published' AND a.published_at <= $3 \
     ORDER BY f.rowid DESC LIMIT $4 OFFSET $5";
const SQLITE_TITLE_HITS: &str = "SELECT a.id, a.site_id, a.kind, a.title, a.slug, a.summary, a.body, a.published_at \
     FROM titles_fts f CROSS JOIN articles a ON a.id = f.rowid \
     WHERE titles_fts MATCH $1 AND {site} AND a.status = 'published' AND a.published_at <= $3 \
     ORDER BY f.rowid DESC LIMIT $4 OFFSET $5";
// The count reads only the covering index `articles_visibility`, never the
// article rows (see migration 0006).
const SQLITE_COUNT: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM articles_fts f \
     CROSS JOIN articles a INDEXED BY articles_visibility ON a.id = f.rowid \
     WHERE articles_fts MATCH $1 AND {site} AND a.status = 'published' AND a.published_at <= $3 \
     LIMIT $4) AS capped";
const PG_HITS: &str = "SELECT a.id, a.site_id, a.kind, a.title, a.slug, a.summary, a.body, a.published_at \
     FROM articles a \
     WHERE a.search_vector @@ to_tsquery('simple', $1) AND {site} AND a.status = 'published' \
     AND a.published_at <= $3 ORDER BY a.id DESC LIMIT $4 OFFSET $5";
// The newest title matches, found on the narrow `search_titles` (migration
// 0007), then read from articles: the planner either walks titles newest
// first or takes every match from the index, both cheap on ~110-byte rows.
const PG_TITLE_HITS: &str = "SELECT a.id, a.site_id, a.kind, a.title, a.slug, a.summary, a.body, a.published_at \
     FROM (SELECT t.article_id FROM search_titles t \
     WHERE t.terms @@ to_tsquery('simple', $1) AND {tsite} AND t.published_at <= $3 \
     ORDER BY t.article_id DESC LIMIT $4 OFFSET $5) AS newest \
     JOIN articles a ON a.id = newest.article_id WHERE a.status = 'published' ORDER BY a.id DESC";
// Words alone are counted on `search_terms` (migration 0007): the same
// words without positions, one narrow row per published article, half the
// time per row examined. Phrases need positions, so they count on articles.
const PG_COUNT: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM search_terms t \
     WHERE t.terms @@ to_tsquery('simple', $1) AND {tsite} AND t.published_at <= $3 \
     LIMIT $4) AS capped";
const PG_PHRASE_COUNT: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM articles a \
     WHERE a.search_vector @@ to_tsquery('simple', $1) AND {site} AND a.status = 'published' \
     AND a.published_at <= $3 LIMIT $4) AS capped";

/// Whose articles are searched: one site's, or several (a province's
/// portal and its communes').
#[derive(Clone, Debug)]
pub enum Scope {
    One(i64),
    Many(Vec<i64>),
}

/// The query with its site condition: `a.site_id = $2` for one site (the
/// plan measured in bench/RESULTS.md), a set for several.
fn scoped(template: &str, scope: &Scope, postgres: bool) -> String {
    let (site, tsite) = match (scope, postgres) {
        (Scope::One(_), _) => ("a.site_id = $2", "t.site_id = $2"),
        (Scope::Many(_), false) => (
            "a.site_id IN (SELECT value FROM json_each($2))",
            "t.site_id IN (SELECT value FROM json_each($2))",
        ),
        (Scope::Many(_), true) => ("a.site_id = ANY($2)", "t.site_id = ANY($2)"),
    };
    template.replace("{site}", site).replace("{tsite}", tsite)
}

/// Binds the scope as `$2` (after `$1`, the words).
macro_rules! bind_scope {
    ($query:expr, $scope:expr, sqlite) => {
        match $scope {
            Scope::One(id) => $query.bind(*id),
            Scope::Many(ids) => {
                $query.bind(serde_json::to_string(ids).expect("a list of numbers is JSON"))
            }
        }
    };
    ($query:expr, $scope:expr, postgres) => {
        match $scope {
            Scope::One(id) => $query.bind(*id),
            Scope::Many(ids) => $query.bind(ids.clone()),
        }
    };
}

/// Where the words must be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Anywhere,
    Title,
}

/// Public articles matching every word and phrase (in the title only, or
/// anywhere), newest first.
pub async fn hits(
    db: &Db,
    scope: &Scope,
    q: &Query,
    field: Field,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Hit>> {
    match db {
        Db::Sqlite(pool) => {
            let sql = match field {
                Field::Anywhere => SQLITE_HITS,
                Field::Title => SQLITE_TITLE_HITS,
            };
            let sql = scoped(sql, scope, false);
            let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(q.fts5());
            bind_scope!(query, scope, sqlite)
                .bind(now)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        }
        Db::Postgres(pool) => {
            let sql = match field {
                Field::Anywhere => PG_HITS,
                Field::Title => PG_TITLE_HITS,
            };
            // Unnamed statements: planned for these words. A cached generic
            // plan cannot tell common words from rare ones and chose the
            // index for all, 19 ms instead of 6 for a common pair.
            let sql = scoped(sql, scope, true);
            let query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(q.tsquery());
            bind_scope!(query, scope, postgres)
                .bind(now)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        }
    }
}

/// How many public articles match, counting up to `cap`.
pub async fn count(
    db: &Db,
    scope: &Scope,
    q: &Query,
    now: DateTime<Utc>,
    cap: i64,
) -> sqlx::Result<i64> {
    match db {
        Db::Sqlite(pool) => {
            let sql = scoped(SQLITE_COUNT, scope, false);
            let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(q.fts5());
            bind_scope!(query, scope, sqlite)
                .bind(now)
                .bind(cap)
                .fetch_one(pool)
                .await
        }
        Db::Postgres(pool) => {
            let sql = if q.phrases.is_empty() {
                PG_COUNT
            } else {
                PG_PHRASE_COUNT
            };
            let sql = scoped(sql, scope, true);
            let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(q.tsquery());
            bind_scope!(query, scope, postgres)
                .bind(now)
                .bind(cap)
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
/// never indexed; of one site, or of all); returns how many were written.
pub async fn reindex(db: &Db, only_missing: bool, site: Option<i64>) -> sqlx::Result<u64> {
    const ALL: &str = "SELECT id, title, summary, body FROM articles \
         WHERE id > $1 AND ($2 IS NULL OR site_id = $2) ORDER BY id LIMIT 500";
    const MISSING: &str = "SELECT id, title, summary, body FROM articles \
         WHERE id > $1 AND ($2 IS NULL OR site_id = $2) AND search_title = '' ORDER BY id LIMIT 500";
    const UPDATE: &str =
        "UPDATE articles SET search_title = $1, search_body = $2 || search_extra WHERE id = $3";
    let mut last = 0i64;
    let mut written = 0;
    loop {
        let sql = if only_missing { MISSING } else { ALL };
        let rows: Vec<Source> =
            with_db!(db, pool => sqlx::query_as(sql).bind(last).bind(site).fetch_all(pool).await)?;
        let Some(end) = rows.last().map(|r| r.id) else {
            break;
        };
        let mut tx = db.begin().await?;
        for r in &rows {
            let (title, body) = super::folded_fields(&r.title, &r.summary, &r.body);
            with_tx!(tx, conn => sqlx::query(UPDATE).bind(title).bind(body).bind(r.id).execute(&mut *conn).await.map(|_| ()))?;
        }
        tx.commit().await?;
        written += rows.len() as u64;
        last = end;
    }
    Ok(written)
}
