//! Old addresses that still work: a request for a path the commune's old
//! site used (`/?p=123`, `/2023/05/slug/`, NukeViet's
//! `index.php?…&nv=news&op=…`) is answered with a 301 to the page it
//! became. Importers record them; admins list and edit them at
//! `/admin/chuyen-huong`.
//!
//! Paths are compared by [`key`]: percent-decoded, lower case, without a
//! trailing slash or `index.php`, the query's parameters sorted and the
//! tracking ones (`utm_*`, `fbclid`) dropped, so the many spellings of one
//! old link find the same row.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::audit;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// The longest old path kept (longer ones are no one's real link).
pub const MAX_PATH: usize = 1000;

/// The form of an old address that redirects are stored and looked up by;
/// `None` when it is not a path on a site (`mailto:`, empty, too long).
/// A full URL (`https://xa.example.vn/?p=1`) counts by its path and query.
pub fn key(address: &str) -> Option<String> {
    let address = address.trim();
    let address = match address.find("://") {
        Some(i) if address[..i].chars().all(|c| c.is_ascii_alphabetic()) => {
            let rest = &address[i + 3..];
            &rest[rest.find(['/', '?']).unwrap_or(rest.len())..]
        }
        _ => address,
    };
    let address = address.split('#').next().unwrap_or("");
    let (path, query) = match address.split_once('?') {
        Some((p, q)) => (p, q),
        None => (address, ""),
    };
    if !(path.is_empty() || path.starts_with('/')) || path.starts_with("//") {
        return None;
    }
    let mut path = decode(path, false)?.to_lowercase();
    for tail in ["/index.php", "/index.html", "/index.htm"] {
        if path.ends_with(tail) {
            path.truncate(path.len() - tail.len());
        }
    }
    while path.ends_with('/') {
        path.pop();
    }
    path.insert(0, '/');
    while path.starts_with("//") {
        path.remove(0);
    }
    let mut pairs = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = decode(k, true)?.to_lowercase();
        if k.starts_with("utm_") || matches!(k.as_str(), "fbclid" | "gclid" | "zarsrc") {
            continue;
        }
        pairs.push((k, decode(v, true)?));
    }
    pairs.sort();
    let mut out = path;
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
    (out.len() <= MAX_PATH).then_some(out)
}

/// Percent-decoding (and `+` as a space in a query); `None` when the bytes
/// are not UTF-8.
fn decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |c: u8| (c as char).to_digit(16);
        if b == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(if b == b'+' && plus_is_space { b' ' } else { b });
        i += 1;
    }
    let text = String::from_utf8(out).ok()?;
    if text.contains(char::is_control) {
        return None;
    }
    Some(vntext::normalize(&text))
}

/// Where a redirect leads: an article (its current address), or a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    Article(i64),
    Path(&'a str),
}

/// Records a redirect unless its old path already has one; returns
/// whether it was added.
pub async fn add(
    tx: &mut Tx,
    site_id: i64,
    old_key: &str,
    target: Target<'_>,
    source: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    const SQL: &str = "INSERT INTO redirects (site_id, old_path, article_id, target, source, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (site_id, old_path) DO NOTHING";
    let (article_id, path) = match target {
        Target::Article(id) => (Some(id), ""),
        Target::Path(p) => (None, p),
    };
    let n = with_tx!(tx, conn => sqlx::query(SQL)
        .bind(site_id).bind(old_key).bind(article_id).bind(path).bind(source).bind(now)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Records redirects from several old paths to one article in one
/// statement, skipping paths that already have one; returns how many were
/// added.
pub async fn add_all(
    tx: &mut Tx,
    site_id: i64,
    old_keys: &[String],
    article_id: i64,
    source: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    if old_keys.is_empty() {
        return Ok(0);
    }
    let mut sql = String::from(
        "INSERT INTO redirects (site_id, old_path, article_id, target, source, created_at, \
         updated_at) VALUES ",
    );
    for i in 0..old_keys.len() {
        let p = 5 + i;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("($1, ${p}, $2, '', $3, $4, $4)"));
    }
    sql.push_str(" ON CONFLICT (site_id, old_path) DO NOTHING");
    with_tx!(tx, conn => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(site_id).bind(article_id).bind(source).bind(now);
        for k in old_keys {
            q = q.bind(k);
        }
        q.execute(&mut *conn).await.map(|r| r.rows_affected())
    })
}

/// Where a request for `old_key` should go now: `None` when there is no
/// redirect, or its article is not public (a draft is not revealed).
pub async fn find(
    db: &Db,
    site_id: i64,
    old_key: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    const SQL: &str = "SELECT r.article_id, r.target, a.kind, a.slug FROM redirects r \
         LEFT JOIN articles a ON a.id = r.article_id AND a.site_id = r.site_id \
         AND a.status = 'published' AND a.published_at <= $3 \
         WHERE r.site_id = $1 AND r.old_path = $2";
    type Row = (Option<i64>, String, Option<String>, Option<String>);
    let row: Option<Row> = with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(old_key).bind(now).fetch_optional(pool).await)?;
    Ok(row.and_then(
        |(article, target, kind, slug)| match (article, kind, slug) {
            (Some(_), Some(kind), Some(slug)) => Some(super::page::public_path_of(&kind, &slug)),
            (Some(_), _, _) => None,
            (None, _, _) => Some(target),
        },
    ))
}

/// One redirect as the admin page lists it.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    pub id: i64,
    pub old_path: String,
    pub article_id: Option<i64>,
    pub target: String,
    pub source: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// The article's title and current address, for an article's redirect.
    pub title: Option<String>,
    pub kind: Option<String>,
    pub slug: Option<String>,
}

impl Listed {
    /// Where it leads now.
    pub fn destination(&self) -> String {
        match (&self.kind, &self.slug) {
            (Some(kind), Some(slug)) => super::page::public_path_of(kind, slug),
            _ => self.target.clone(),
        }
    }
}

const LIST: &str = "SELECT r.id, r.old_path, r.article_id, r.target, r.source, r.version, \
     r.updated_at, a.title, a.kind, a.slug FROM redirects r \
     LEFT JOIN articles a ON a.id = r.article_id \
     WHERE r.site_id = $1 AND (r.old_path LIKE $2 OR r.target LIKE $2 OR a.slug LIKE $2)";

/// A page of the site's redirects, newest first, those whose old path or
/// destination contains `needle` (all when it is empty).
pub async fn list(
    db: &Db,
    site_id: i64,
    needle: &str,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    let sql = format!("{LIST} ORDER BY r.id DESC LIMIT $3 OFFSET $4");
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(site_id).bind(like(needle)).bind(limit).bind(offset).fetch_all(pool).await)
}

pub async fn count(db: &Db, site_id: i64, needle: &str) -> sqlx::Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM ({LIST}) listed");
    with_db!(db, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(site_id).bind(like(needle)).fetch_one(pool).await)
}

pub async fn find_listed(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<Listed>> {
    let sql = format!("{LIST} AND r.id = $3");
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(site_id).bind("%").bind(id).fetch_optional(pool).await)
}

/// A LIKE pattern for "contains", its own wildcards taken literally.
fn like(needle: &str) -> String {
    let needle = needle.trim().to_lowercase();
    let mut out = String::from("%");
    for c in needle.chars().filter(|c| !matches!(c, '%' | '_' | '\\')) {
        out.push(c);
    }
    out.push('%');
    out
}

/// A destination typed by an admin: a path on this site.
fn checked_target(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    let path = key(t).filter(|_| t.starts_with('/') && !t.starts_with("//"));
    match path {
        Some(_) if t.len() <= MAX_PATH => Ok(t.to_owned()),
        _ => Err("Địa chỉ mới phải là một đường dẫn trên trang này, bắt đầu bằng “/”.".into()),
    }
}

/// Adds a redirect by hand (with its audit entry); `Err` says why not.
pub async fn create(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    old: &str,
    target: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<i64, String>> {
    let Some(old_key) = key(old).filter(|k| k != "/") else {
        return Ok(Err(
            "Địa chỉ cũ phải là một đường dẫn (ví dụ /?p=123 hoặc /2023/05/ten-bai/).".into(),
        ));
    };
    let target = match checked_target(target) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    if key(&target).as_deref() == Some(old_key.as_str()) {
        return Ok(Err("Địa chỉ mới trùng địa chỉ cũ.".into()));
    }
    const SQL: &str = "INSERT INTO redirects (site_id, old_path, target, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (site_id, old_path) DO NOTHING RETURNING id";
    let mut tx = db.begin().await?;
    let id: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(SQL)
        .bind(site_id).bind(&old_key).bind(&target).bind(now).fetch_optional(&mut *conn).await)?;
    let Some(id) = id else {
        return Ok(Err(format!("Đã có chuyển hướng cho “{old_key}”.")));
    };
    let detail = format!("{old_key} → {target}");
    audit::record(
        &mut tx,
        record(site_id, user_id, audit::Action::RedirectCreate, &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Why a change was not made.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    NotFound,
    /// Someone changed it since the form was opened.
    Stale,
    Invalid(String),
}

/// Points a redirect at another path; `version` is the one the form
/// showed, so a concurrent edit is refused rather than overwritten.
pub async fn update(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: i64,
    version: i64,
    target: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), Refused>> {
    let target = match checked_target(target) {
        Ok(t) => t,
        Err(e) => return Ok(Err(Refused::Invalid(e))),
    };
    let Some(current) = find_listed(db, site_id, id).await? else {
        return Ok(Err(Refused::NotFound));
    };
    if key(&target).as_deref() == Some(current.old_path.as_str()) {
        return Ok(Err(Refused::Invalid(
            "Địa chỉ mới trùng địa chỉ cũ.".into(),
        )));
    }
    const SQL: &str = "UPDATE redirects SET target = $1, article_id = NULL, version = version + 1, \
         updated_at = $2 WHERE site_id = $3 AND id = $4 AND version = $5";
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => sqlx::query(SQL)
        .bind(&target).bind(now).bind(site_id).bind(id).bind(version)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(Err(Refused::Stale));
    }
    let detail = format!("{} → {target}", current.old_path);
    audit::record(
        &mut tx,
        record(site_id, user_id, audit::Action::RedirectUpdate, &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Deletes a redirect (with its audit entry).
pub async fn delete(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: i64,
    version: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), Refused>> {
    let Some(current) = find_listed(db, site_id, id).await? else {
        return Ok(Err(Refused::NotFound));
    };
    const SQL: &str = "DELETE FROM redirects WHERE site_id = $1 AND id = $2 AND version = $3";
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => sqlx::query(SQL)
        .bind(site_id).bind(id).bind(version).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(Err(Refused::Stale));
    }
    let detail = format!("{} → {}", current.old_path, current.destination());
    audit::record(
        &mut tx,
        record(site_id, user_id, audit::Action::RedirectDelete, &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

fn record(
    site_id: i64,
    user_id: Option<i64>,
    action: audit::Action,
    detail: &str,
) -> audit::Record<'_> {
    audit::Record {
        site_id,
        user_id,
        action,
        target: "chuyển hướng",
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn spellings_of_one_old_link_have_one_key() {
        for same in [
            "/?p=123",
            "/index.php?p=123",
            "https://xa.example.vn/?p=123",
            "/?p=123&utm_source=facebook&fbclid=abc",
            "/?p=123#comments",
        ] {
            assert_eq!(key(same).as_deref(), Some("/?p=123"), "{same}");
        }
        assert_eq!(
            key("/2023/05/Th%C3%B4ng-b%C3%A1o/").as_deref(),
            Some("/2023/05/thông-báo")
        );
        assert_eq!(
            key("/index.php?nv=news&language=vi&op=tin-tuc/hop-dan-12").as_deref(),
            key("/index.php?language=vi&nv=news&op=tin-tuc%2Fhop-dan-12").as_deref(),
        );
        assert_eq!(key("").as_deref(), Some("/"));
    }

    #[test]
    fn what_is_not_a_path_has_no_key() {
        for bad in [
            "mailto:a@b.vn",
            "tin-tuc",
            "//evil.example/x",
            "/%FF",
            "/a\u{0}b",
        ] {
            assert_eq!(key(bad), None, "{bad}");
        }
        assert_eq!(key(&format!("/{}", "a".repeat(2000))), None);
    }
}
