//! `bantin import-nukeviet`: the news module of a NukeViet 4 site read
//! straight from its MariaDB/MySQL database. The tables, as NukeViet 4.5's
//! `modules/news/action_mysql.php` creates them, are
//! `{prefix}_{lang}_{module}_cat` (categories), `…_rows` (articles:
//! title, alias, summary, author, times, status, image), `…_detail`
//! (`bodyhtml`), `…_sources` and the poster in `{prefix}_users`. The
//! per-category copies of `_rows` are not read: `_rows` is the master.
//!
//! A NukeViet article's address is
//! `index.php?language=vi&nv=news&op={category alias}/{alias}-{id}.html`,
//! or with rewriting `/vi/news/{category}/{alias}-{id}.html`, without the
//! language or the module on single-language sites; every form is kept as
//! a redirect.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};

use super::incoming::{self, Context, Done, Images, Outcome, Post};
use super::ledger::Kind;
use super::wordpress::Finish;
use crate::content::article::Status;
use crate::content::{category, media::Library};
use crate::db::Db;
use crate::site::Site;

/// Articles read from MySQL at a time.
const PAGE: i64 = 500;

/// Which NukeViet tables: `{prefix}_{lang}_{module}_…`.
#[derive(Clone, Debug)]
pub struct Tables {
    pub prefix: String,
    pub lang: String,
    pub module: String,
}

impl Tables {
    /// Refuses names that are not plain identifiers: they are written
    /// into the SQL (a table's name cannot be a parameter).
    pub fn checked(prefix: &str, lang: &str, module: &str) -> Result<Tables, String> {
        for (what, v) in [("--prefix", prefix), ("--lang", lang), ("--module", module)] {
            let ok = !v.is_empty()
                && v.len() <= 40
                && v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err(format!(
                    "{what} “{v}” không hợp lệ: chỉ chữ thường không dấu, chữ số và “_”"
                ));
            }
        }
        Ok(Tables {
            prefix: prefix.into(),
            lang: lang.into(),
            module: module.into(),
        })
    }

    fn table(&self, suffix: &str) -> String {
        format!("{}_{}_{}_{suffix}", self.prefix, self.lang, self.module)
    }

    fn users(&self) -> String {
        format!("{}_users", self.prefix)
    }
}

/// The old database, open.
pub struct Source {
    pool: MySqlPool,
    tables: Tables,
    /// The ledger's name for it: database and tables, never the password.
    name: String,
}

/// Connects (read only in practice: only SELECTs are sent).
pub async fn connect(url: &str, tables: Tables) -> anyhow::Result<Source> {
    let pool = MySqlPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("không kết nối được cơ sở dữ liệu NukeViet: {e}"))?;
    let database = url
        .rsplit('/')
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let name = format!("nukeviet {database}/{}", tables.table("rows"));
    Ok(Source { pool, tables, name })
}

impl Source {
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// How many articles there are (for the progress bar), or why the
    /// tables cannot be read.
    pub async fn count(&self) -> anyhow::Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", self.tables.table("rows"));
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!("không đọc được bảng bài viết của NukeViet: {e}"))?;
        Ok(n.max(0) as u64)
    }
}

#[derive(sqlx::FromRow)]
struct CatRow {
    catid: i64,
    title: String,
    alias: String,
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    catid: i64,
    admin_id: i64,
    author: String,
    addtime: i64,
    status: i64,
    publtime: i64,
    exptime: i64,
    title: String,
    alias: String,
    hometext: String,
    homeimgfile: String,
    homeimgalt: String,
    homeimgthumb: i64,
    bodyhtml: String,
    source: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    userid: i64,
    username: String,
    first_name: String,
    last_name: String,
}

/// What the import is told.
pub struct Options<'a> {
    pub uploads: Option<&'a Path>,
    pub library: &'a Library,
    pub now: DateTime<Utc>,
}

/// Imports categories, posters and articles into `site`, reporting each
/// item as it is done.
pub async fn import(
    db: &Db,
    site: &Site,
    source: &Source,
    options: Options<'_>,
    mut report: impl FnMut(&Done) -> ControlFlow<()>,
) -> anyhow::Result<Finish> {
    let t = &source.tables;
    let ctx = Context {
        db,
        site,
        source: &source.name,
        label: "nukeviet",
        old_base: None,
        uploads: options.uploads,
        library: options.library,
        now: options.now,
    };
    macro_rules! tell {
        ($done:expr) => {
            if report(&$done).is_break() {
                return Ok(Finish::Stopped);
            }
        };
    }
    let read = |e: sqlx::Error| anyhow::anyhow!("không đọc được cơ sở dữ liệu NukeViet: {e}");
    let (lang, module) = (&t.lang, &t.module);

    let sql = format!(
        "SELECT CAST(catid AS SIGNED) AS catid, title, alias FROM {} ORDER BY parentid, weight, catid",
        t.table("cat")
    );
    let cats: Vec<CatRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&source.pool)
        .await
        .map_err(read)?;
    let mut categories: HashMap<i64, (i64, String)> = HashMap::new();
    for c in &cats {
        let a = &c.alias;
        let old = [
            format!("/index.php?language={lang}&nv={module}&op={a}"),
            format!("/{lang}/{module}/{a}"),
            format!("/{module}/{a}"),
            format!("/{a}"),
        ];
        let done =
            match incoming::store_category(&ctx, &c.catid.to_string(), &c.title, a, &old).await {
                Ok((id, outcome)) => {
                    categories.insert(c.catid, (id, c.alias.clone()));
                    Done::new(Kind::Category, &c.title, outcome)
                }
                Err(e) => Done::new(Kind::Category, &c.title, Outcome::Failed(e.to_string())),
            };
        tell!(done);
    }
    let default_category = category::find_by_slug(db, site.id, category::DEFAULT_SLUG)
        .await?
        .map(|c| c.id);

    let sql = format!(
        "SELECT CAST(userid AS SIGNED) AS userid, username, first_name, last_name FROM {} \
         WHERE userid IN (SELECT DISTINCT admin_id FROM {}) ORDER BY userid",
        t.users(),
        t.table("rows")
    );
    // A site whose users live elsewhere still imports, without posters.
    let users: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&source.pool)
        .await
        .unwrap_or_default();
    let mut posters: HashMap<i64, (i64, String)> = HashMap::new();
    for u in &users {
        // nv_show_name_user with NukeViet's default order: family name first.
        let full = format!("{} {}", u.last_name.trim(), u.first_name.trim());
        let display = match full.trim() {
            "" => u.username.clone(),
            name => name.to_owned(),
        };
        let done = match incoming::store_author(&ctx, &u.userid.to_string(), &u.username, &display)
            .await
        {
            Ok((id, outcome)) => {
                posters.insert(u.userid, (id, display.clone()));
                Done::new(Kind::Author, &display, outcome)
            }
            Err(e) => Done::new(Kind::Author, &display, Outcome::Failed(e.to_string())),
        };
        tell!(done);
    }

    let sql = format!(
        "SELECT CAST(r.id AS SIGNED) AS id, CAST(r.catid AS SIGNED) AS catid, \
         CAST(r.admin_id AS SIGNED) AS admin_id, COALESCE(r.author, '') AS author, \
         CAST(r.addtime AS SIGNED) AS addtime, CAST(r.status AS SIGNED) AS status, \
         CAST(r.publtime AS SIGNED) AS publtime, CAST(r.exptime AS SIGNED) AS exptime, \
         r.title, r.alias, r.hometext, COALESCE(r.homeimgfile, '') AS homeimgfile, \
         COALESCE(r.homeimgalt, '') AS homeimgalt, \
         CAST(r.homeimgthumb AS SIGNED) AS homeimgthumb, COALESCE(d.bodyhtml, '') AS bodyhtml, \
         COALESCE(s.title, '') AS source \
         FROM {rows} r LEFT JOIN {detail} d ON d.id = r.id \
         LEFT JOIN {sources} s ON s.sourceid = r.sourceid \
         WHERE r.id > ? ORDER BY r.id LIMIT ?",
        rows = t.table("rows"),
        detail = t.table("detail"),
        sources = t.table("sources"),
    );
    let mut images = Images::default();
    let known = incoming::Known::load(&ctx, Kind::Post).await?;
    let mut last = 0i64;
    loop {
        let rows: Vec<ArticleRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(last)
            .bind(PAGE)
            .fetch_all(&source.pool)
            .await
            .map_err(read)?;
        let Some(end) = rows.last().map(|r| r.id) else {
            break;
        };
        last = end;
        let mut batch = Vec::new();
        for row in rows {
            let source_id = row.id.to_string();
            if known.has(&source_id) {
                tell!(Done::new(Kind::Post, &row.title, Outcome::Known));
                continue;
            }
            let post = match to_post(
                &row,
                t,
                &categories,
                default_category,
                &posters,
                options.now,
            ) {
                Ok(p) => p,
                Err(why) => {
                    tell!(Done::new(Kind::Post, &row.title, Outcome::Skipped(why)));
                    continue;
                }
            };
            batch.push(post);
            if batch.len() >= incoming::BATCH {
                let prepared = incoming::prepare_all(&ctx, std::mem::take(&mut batch)).await;
                for done in incoming::store_posts(&ctx, &mut images, prepared).await {
                    tell!(done);
                }
            }
        }
        let prepared = incoming::prepare_all(&ctx, batch).await;
        for done in incoming::store_posts(&ctx, &mut images, prepared).await {
            tell!(done);
        }
    }
    Ok(Finish::Complete)
}

fn unix(seconds: i64) -> Option<DateTime<Utc>> {
    (seconds > 0)
        .then(|| Utc.timestamp_opt(seconds, 0).single())
        .flatten()
}

/// A NukeViet status as bantin's (`status` ≥ 21 is "locked with its
/// category": the status is the rest).
fn status(raw: i64, exptime: i64, now: DateTime<Utc>) -> Result<Status, String> {
    let s = if raw >= 21 { raw - 21 } else { raw };
    let expired = unix(exptime).is_some_and(|t| t <= now);
    Ok(match s {
        // Published, or waiting for its time (scheduled), unless expired.
        1 | 2 if expired => Status::Unpublished,
        1 | 2 => Status::Published,
        // Expired (archived), or stopped by an editor.
        0 | 3 => Status::Unpublished,
        // A draft, or returned to its author.
        4 | 6 | 9 => Status::Draft,
        // On its way through approval.
        5 | 7 | 8 | 10 => Status::Pending,
        other => return Err(format!("trạng thái {other} không rõ nghĩa")),
    })
}

fn to_post(
    row: &ArticleRow,
    t: &Tables,
    categories: &HashMap<i64, (i64, String)>,
    default_category: Option<i64>,
    posters: &HashMap<i64, (i64, String)>,
    now: DateTime<Utc>,
) -> Result<Post, String> {
    let status = status(row.status, row.exptime, now)?;
    let created = unix(row.addtime);
    let published_at = match status {
        Status::Published | Status::Unpublished => {
            Some(unix(row.publtime).or(created).unwrap_or(now))
        }
        _ => None,
    };
    let category = categories.get(&row.catid);
    let poster = posters.get(&row.admin_id);
    let author = row.author.trim();
    let byline = match (author, row.source.trim()) {
        ("", "") => poster.map(|(_, n)| n.clone()).unwrap_or_default(),
        (a, "") => a.to_owned(),
        ("", s) => format!("Nguồn: {s}"),
        (a, s) => format!("{a} (Nguồn: {s})"),
    };
    let (lang, module, id, alias) = (&t.lang, &t.module, row.id, &row.alias);
    let mut old_paths = Vec::new();
    if let Some((_, cat)) = category {
        for ext in [".html", ""] {
            old_paths.push(format!(
                "/index.php?language={lang}&nv={module}&op={cat}/{alias}-{id}{ext}"
            ));
        }
        old_paths.push(format!("/{lang}/{module}/{cat}/{alias}-{id}.html"));
        old_paths.push(format!("/{module}/{cat}/{alias}-{id}.html"));
        old_paths.push(format!("/{cat}/{alias}-{id}.html"));
    }
    let featured = match row.homeimgthumb {
        1 | 2 if !row.homeimgfile.trim().is_empty() => {
            Some(format!("/uploads/{module}/{}", row.homeimgfile.trim()))
        }
        _ => None,
    };
    Ok(Post {
        kind: Some(Kind::Post),
        source_id: id.to_string(),
        title: row.title.clone(),
        slug: row.alias.clone(),
        summary: row.hometext.clone(),
        body: row.bodyhtml.clone(),
        status,
        published_at,
        created_at: created,
        category_id: category.map(|(id, _)| *id).or(default_category),
        author_id: poster.map(|(id, _)| *id),
        byline,
        parent: None,
        position: 0,
        featured,
        featured_alt: row.homeimgalt.clone(),
        old_paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_identifiers_only() {
        assert!(Tables::checked("nv4", "vi", "news").is_ok());
        for bad in ["nv4; DROP", "", "NV4", "a-b", "nv4`"] {
            assert!(Tables::checked(bad, "vi", "news").is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses() {
        let now = Utc.timestamp_opt(2_000_000_000, 0).unwrap();
        assert_eq!(status(1, 0, now).unwrap(), Status::Published);
        assert_eq!(status(22, 0, now).unwrap(), Status::Published, "locked 1");
        assert_eq!(
            status(1, 1_000, now).unwrap(),
            Status::Unpublished,
            "expired"
        );
        assert_eq!(status(4, 0, now).unwrap(), Status::Draft);
        assert_eq!(status(5, 0, now).unwrap(), Status::Pending);
        assert!(status(17, 0, now).is_err());
    }
}
