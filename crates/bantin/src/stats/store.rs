//! The statistics tables: salts, the flush of a batch, reports, retention.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::Batch;
use crate::accounts::secret::random_hex;
use crate::db::Db;
use crate::{with_db, with_tx};

/// The day's salt, created by whichever server needs it first.
pub async fn salt(
    db: &Db,
    site_id: i64,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<String> {
    const INSERT: &str = "INSERT INTO stats_salts (site_id, day, salt, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (site_id, day) DO NOTHING";
    const SELECT: &str = "SELECT salt FROM stats_salts WHERE site_id = $1 AND day = $2";
    let candidate = random_hex(32);
    with_db!(db, pool => sqlx::query(INSERT).bind(site_id).bind(day).bind(&candidate).bind(now).execute(pool).await.map(|_| ()))?;
    with_db!(db, pool => sqlx::query_scalar(SELECT).bind(site_id).bind(day).fetch_one(pool).await)
}

/// Rows per multi-row statement of a flush: 6 parameters each, far below
/// SQLite's and PostgreSQL's limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 200;

/// Writes a batch in one transaction. The unique key of `stats_visitors`
/// decides who is new, so N distinct visitors add exactly N, whichever
/// servers saw them. Rows are written in key order, so concurrent flushes
/// cannot deadlock.
///
/// Visitors go [`ROWS_PER_STATEMENT`] at a time: an insert that skips the
/// known ones and returns the new, then an upsert of the rest adding their
/// views. A busy second's thousand visitors are ten statements, not two
/// thousand round trips (each one a wake-up of SQLite's worker thread, or
/// a network round trip to PostgreSQL).
pub async fn write(db: &Db, batch: &Batch) -> sqlx::Result<()> {
    const DAILY: &str = "INSERT INTO stats_daily (site_id, day, visitors, page_views) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (site_id, day) DO UPDATE SET visitors = stats_daily.visitors + excluded.visitors, \
         page_views = stats_daily.page_views + excluded.page_views";
    const HOURLY: &str = "INSERT INTO stats_hourly (site_id, day, hour, visitors, page_views) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (site_id, day, hour) DO UPDATE SET visitors = stats_hourly.visitors + excluded.visitors, \
         page_views = stats_hourly.page_views + excluded.page_views";

    let visitors: Vec<_> = batch.visitors.iter().collect();
    let articles: Vec<_> = batch.articles.iter().collect();
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => {
        // (site, day, hour) → (new visitors, page views)
        let mut hours: BTreeMap<(i64, NaiveDate, i64), (i64, i64)> = BTreeMap::new();
        for ((site_id, day, hour), views) in &batch.views {
            hours.entry((*site_id, *day, *hour)).or_default().1 += views;
        }
        for chunk in visitors.chunks(ROWS_PER_STATEMENT) {
            // Statements of a full chunk are the same text every time and
            // stay prepared; a shorter last chunk's are not kept.
            let keep = chunk.len() == ROWS_PER_STATEMENT;
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO stats_visitors (site_id, day, key, first_seen, last_seen, views) ",
            );
            insert.push_values(chunk, |mut row, ((site_id, day, key), v)| {
                row.push_bind(*site_id).push_bind(*day).push_bind(key.to_string())
                    .push_bind(v.first).push_bind(v.last).push_bind(v.views);
            });
            insert.push(" ON CONFLICT (site_id, day, key) DO NOTHING RETURNING site_id, day, key");
            let inserted: Vec<(i64, NaiveDate, String)> =
                insert.build_query_as().persistent(keep).fetch_all(&mut *conn).await?;
            let new: std::collections::BTreeSet<(i64, NaiveDate, &str)> = inserted
                .iter()
                .map(|(site_id, day, key)| (*site_id, *day, key.as_str()))
                .collect();
            let mut known = Vec::with_capacity(chunk.len() - new.len());
            for &((site_id, day, key), v) in chunk {
                if new.contains(&(*site_id, *day, &**key)) {
                    hours.entry((*site_id, *day, v.first_hour)).or_default().0 += 1;
                } else {
                    known.push(((site_id, day, key), v));
                }
            }
            if known.is_empty() {
                continue;
            }
            let keep = keep && known.len() == ROWS_PER_STATEMENT;
            let mut upsert = sqlx::QueryBuilder::new(
                "INSERT INTO stats_visitors (site_id, day, key, first_seen, last_seen, views) ",
            );
            upsert.push_values(known, |mut row, ((site_id, day, key), v)| {
                row.push_bind(*site_id).push_bind(*day).push_bind(key.to_string())
                    .push_bind(v.first).push_bind(v.last).push_bind(v.views);
            });
            upsert.push(
                " ON CONFLICT (site_id, day, key) DO UPDATE SET \
                 last_seen = CASE WHEN stats_visitors.last_seen < excluded.last_seen \
                 THEN excluded.last_seen ELSE stats_visitors.last_seen END, \
                 views = stats_visitors.views + excluded.views",
            );
            upsert.build().persistent(keep).execute(&mut *conn).await?;
        }
        let mut days: BTreeMap<(i64, NaiveDate), (i64, i64)> = BTreeMap::new();
        for ((site_id, day, hour), (visitors, views)) in &hours {
            sqlx::query(HOURLY).bind(*site_id).bind(*day).bind(*hour).bind(*visitors).bind(*views)
                .execute(&mut *conn).await?;
            let d = days.entry((*site_id, *day)).or_default();
            d.0 += visitors;
            d.1 += views;
        }
        for ((site_id, day), (visitors, views)) in &days {
            sqlx::query(DAILY).bind(*site_id).bind(*day).bind(*visitors).bind(*views)
                .execute(&mut *conn).await?;
        }
        // Views of an article deleted meanwhile are dropped.
        for chunk in articles.chunks(ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO stats_article_daily (article_id, day, views) \
                 SELECT v.column1, v.column2, v.column3 FROM (",
            );
            insert.push_values(chunk, |mut row, ((article, day), views)| {
                row.push_bind(*article).push_bind(*day).push_bind(**views);
            });
            insert.push(
                ") AS v WHERE EXISTS (SELECT 1 FROM articles WHERE id = v.column1) \
                 ON CONFLICT (article_id, day) DO UPDATE SET views = stats_article_daily.views + excluded.views",
            );
            insert.build().persistent(chunk.len() == ROWS_PER_STATEMENT)
                .execute(&mut *conn).await?;
        }
    });
    tx.commit().await
}

/// The widget's numbers, before the starting total is added.
pub async fn counts(
    db: &Db,
    site_id: i64,
    today: NaiveDate,
    monday: NaiveDate,
    online_since: DateTime<Utc>,
) -> sqlx::Result<[i64; 4]> {
    const ONLINE: &str =
        "SELECT COUNT(*) FROM stats_visitors WHERE site_id = $1 AND last_seen >= $2";
    const SUM: &str = "SELECT CAST(COALESCE(SUM(visitors), 0) AS BIGINT) FROM stats_daily \
         WHERE site_id = $1 AND day >= $2 AND day <= $3";
    let far_past = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    let online: i64 = with_db!(db, pool => sqlx::query_scalar(ONLINE).bind(site_id).bind(online_since).fetch_one(pool).await)?;
    let mut sums = [0i64; 3];
    for (i, from) in [today, monday, far_past].into_iter().enumerate() {
        sums[i] = with_db!(db, pool => sqlx::query_scalar(SUM).bind(site_id).bind(from).bind(today).fetch_one(pool).await)?;
    }
    Ok([online, sums[0], sums[1], sums[2]])
}

/// One site's visitors: today, this week, all days (before its starting
/// total is added).
#[derive(Clone, Debug, FromRow)]
pub struct SiteTotals {
    pub site_id: i64,
    pub today: i64,
    pub week: i64,
    pub total: i64,
}

/// Every site's visitors in one query, for the province office's table.
pub async fn totals_by_site(
    db: &Db,
    today: NaiveDate,
    monday: NaiveDate,
) -> sqlx::Result<Vec<SiteTotals>> {
    const SQL: &str = "SELECT site_id, \
         CAST(COALESCE(SUM(CASE WHEN day = $1 THEN visitors ELSE 0 END), 0) AS BIGINT) AS today, \
         CAST(COALESCE(SUM(CASE WHEN day >= $2 AND day <= $1 THEN visitors ELSE 0 END), 0) AS BIGINT) AS week, \
         CAST(COALESCE(SUM(CASE WHEN day <= $1 THEN visitors ELSE 0 END), 0) AS BIGINT) AS total \
         FROM stats_daily GROUP BY site_id";
    with_db!(db, pool => sqlx::query_as(SQL).bind(today).bind(monday).fetch_all(pool).await)
}

#[derive(Clone, Debug, FromRow)]
pub struct DayRow {
    pub day: NaiveDate,
    pub visitors: i64,
    pub page_views: i64,
}

pub async fn days(
    db: &Db,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<DayRow>> {
    const SQL: &str = "SELECT day, visitors, page_views FROM stats_daily \
         WHERE site_id = $1 AND day >= $2 AND day <= $3 ORDER BY day";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(from).bind(to).fetch_all(pool).await)
}

#[derive(Clone, Debug, FromRow)]
pub struct HourRow {
    pub hour: i64,
    pub visitors: i64,
    pub page_views: i64,
}

pub async fn hours(db: &Db, site_id: i64, day: NaiveDate) -> sqlx::Result<Vec<HourRow>> {
    const SQL: &str = "SELECT hour, visitors, page_views FROM stats_hourly WHERE site_id = $1 AND day = $2 ORDER BY hour";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(day).fetch_all(pool).await)
}

#[derive(Clone, Debug, FromRow)]
pub struct MostRead {
    pub title: String,
    pub slug: String,
    pub views: i64,
}

/// Public articles with the most views since `since`.
pub async fn most_read(
    db: &Db,
    site_id: i64,
    since: NaiveDate,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<MostRead>> {
    // Summed from the period's view rows first (only articles read lately,
    // found through the day index), then joined: starting from articles
    // visits every article of the site (30 ms with 10,000). SQLite's planner
    // needs telling (INDEXED BY, and CROSS JOIN fixes the join order).
    const SQL: &str = "SELECT a.title, a.slug, v.views \
         FROM (SELECT article_id, CAST(SUM(views) AS BIGINT) AS views \
               FROM stats_article_daily {hint} WHERE day >= $3 GROUP BY article_id) v \
         CROSS JOIN articles a \
         WHERE a.id = v.article_id AND a.site_id = $1 AND a.kind = 'news' AND a.status = 'published' \
         AND a.published_at <= $2 \
         ORDER BY v.views DESC, a.id DESC LIMIT $4";
    static SQLITE: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| SQL.replace("{hint}", "INDEXED BY stats_article_daily_day"));
    static POSTGRES: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| SQL.replace("{hint}", ""));
    let sql = match db {
        Db::Sqlite(_) => SQLITE.as_str(),
        Db::Postgres(_) => POSTGRES.as_str(),
    };
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(site_id).bind(now).bind(since).bind(limit)
        .fetch_all(pool).await)
}

/// Deletes salts and per-visitor rows of days before `keep_from` (the
/// caller passes yesterday: nothing older than 48 hours survives).
pub async fn purge(db: &Db, keep_from: NaiveDate) -> sqlx::Result<()> {
    const SALTS: &str = "DELETE FROM stats_salts WHERE day < $1";
    const VISITORS: &str = "DELETE FROM stats_visitors WHERE day < $1";
    with_db!(db, pool => sqlx::query(SALTS).bind(keep_from).execute(pool).await.map(|_| ()))?;
    with_db!(db, pool => sqlx::query(VISITORS).bind(keep_from).execute(pool).await.map(|_| ()))
}
