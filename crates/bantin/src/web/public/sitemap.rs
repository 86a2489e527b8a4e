//! `/sitemap.xml`: every public page of the site for search engines. Built
//! once and kept until this server writes content, a scheduled article
//! comes due, or [`KEEP_FOR`] passes (another server's writes); a site with
//! more than [`SITEMAP_URLS`] pages gets a sitemap index pointing at
//! `/sitemap/1.xml`, `/sitemap/2.xml`…, as the protocol asks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};

use super::feeds::{base_url, xml};
use crate::content::article;
use crate::content::cache;
use crate::content::html::escape;
use crate::db::Db;
use crate::localtime;
use crate::web::error::AppError;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

/// The protocol's limit per file.
pub const SITEMAP_URLS: usize = 50_000;
/// How long a built sitemap is used at most.
pub const KEEP_FOR: Duration = Duration::from_secs(60);
/// Sitemaps kept at most (a site and address each).
const KEPT: usize = 256;

/// A site's sitemap: one file, or an index and its files.
struct Built {
    generation: u64,
    at: Instant,
    clock: DateTime<Utc>,
    /// When a scheduled article comes due (the sitemap changes then).
    until: Option<DateTime<Utc>>,
    /// `/sitemap.xml` first, then `/sitemap/N.xml` (N from 1).
    files: Vec<Arc<str>>,
}

#[derive(Default)]
pub struct Sitemaps(Mutex<HashMap<(i64, String), Arc<Built>>>);

impl Sitemaps {
    fn get(&self, key: &(i64, String), now: DateTime<Utc>) -> Option<Arc<Built>> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(key)
            .filter(|b| {
                b.generation == cache::generation()
                    && b.at.elapsed() < KEEP_FOR
                    && now >= b.clock
                    && b.until.is_none_or(|u| now < u)
            })
            .cloned()
    }

    fn put(&self, key: (i64, String), built: Arc<Built>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEPT {
            kept.clear();
        }
        kept.insert(key, built);
    }
}

/// A page's path and its last change.
type Url = (String, Option<DateTime<Utc>>);

fn urlset(base: &str, urls: &[Url]) -> String {
    let mut out = String::with_capacity(80 * urls.len() + 200);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (path, lastmod) in urls {
        out.push_str("<url><loc>");
        out.push_str(&escape(&format!("{base}{path}")));
        out.push_str("</loc>");
        if let Some(at) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(&localtime::rfc3339_local(*at));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// The sitemap's files: one `urlset`, or past `per_file` URLs an index
/// and its `urlset`s.
fn files(base: &str, urls: &[Url], per_file: usize) -> Vec<Arc<str>> {
    if urls.len() <= per_file {
        return vec![urlset(base, urls).into()];
    }
    let parts: Vec<&[Url]> = urls.chunks(per_file).collect();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, part) in parts.iter().enumerate() {
        index.push_str(&format!(
            "<sitemap><loc>{}</loc>",
            escape(&format!("{base}/sitemap/{}.xml", i + 1))
        ));
        if let Some(at) = part.iter().filter_map(|u| u.1).max() {
            index.push_str(&format!(
                "<lastmod>{}</lastmod>",
                localtime::rfc3339_local(at)
            ));
        }
        index.push_str("</sitemap>\n");
    }
    index.push_str("</sitemapindex>\n");
    std::iter::once(index.into())
        .chain(parts.iter().map(|p| urlset(base, p).into()))
        .collect()
}

async fn build(db: &Db, site_id: i64, base: &str, now: DateTime<Utc>) -> sqlx::Result<Built> {
    let generation = cache::generation();
    let entries = article::sitemap_entries(db, site_id, now, i64::MAX).await?;
    let until = article::next_due(db, site_id, now).await?;
    let newest = entries.first().map(|e| e.1);
    let categories = crate::content::category::list(db, site_id).await?;
    let questions = crate::content::question::sitemap_entries(db, site_id).await?;
    let newest_question = questions.first().map(|q| q.1);
    let urls: Vec<Url> = [
        ("/".to_owned(), newest),
        ("/tin-tuc".to_owned(), newest),
        ("/van-ban".to_owned(), None),
        ("/hoi-dap".to_owned(), newest_question),
        ("/lien-he".to_owned(), None),
        ("/so-do".to_owned(), None),
    ]
    .into_iter()
    .chain(
        categories
            .into_iter()
            .map(|c| (format!("/chuyen-muc/{}", c.slug), None)),
    )
    .chain(entries.into_iter().map(|(path, at)| (path, Some(at))))
    .chain(questions.into_iter().map(|(path, at)| (path, Some(at))))
    .collect();
    let files = files(base, &urls, SITEMAP_URLS);
    Ok(Built {
        generation,
        at: Instant::now(),
        clock: now,
        until,
        files,
    })
}

async fn file(
    state: &AppState,
    site_id: i64,
    base: String,
    n: usize,
) -> Result<Arc<str>, AppError> {
    let now = state.now();
    let key = (site_id, base);
    let built = match state.sitemaps().get(&key, now) {
        Some(b) => b,
        None => {
            let b = Arc::new(build(state.db(), site_id, &key.1, now).await?);
            state.sitemaps().put(key, b.clone());
            b
        }
    };
    built.files.get(n).cloned().ok_or(AppError::NotFound)
}

pub async fn index(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
) -> Result<axum::response::Response, AppError> {
    let base = base_url(&state, &site, &headers);
    let body = file(&state, site.id, base, 0).await?;
    Ok(xml(body.to_string(), "application/xml; charset=utf-8"))
}

/// `/sitemap/N.xml`, when the sitemap is an index.
pub async fn part(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<axum::response::Response, AppError> {
    let n: usize = name
        .strip_suffix(".xml")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or(AppError::NotFound)?;
    let base = base_url(&state, &site, &headers);
    let index = file(&state, site.id, base.clone(), 0).await?;
    if !index.contains("<sitemapindex") {
        return Err(AppError::NotFound);
    }
    let body = file(&state, site.id, base, n).await?;
    Ok(xml(body.to_string(), "application/xml; charset=utf-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_an_index_and_its_files() {
        let urls: Vec<Url> = (0..7)
            .map(|i| (format!("/tin-tuc/bai-{i}"), None))
            .collect();
        let one = files("https://xa.gov.vn", &urls, 7);
        assert_eq!(one.len(), 1);
        assert!(one[0].contains("<urlset"));
        let split = files("https://xa.gov.vn", &urls, 3);
        assert_eq!(split.len(), 4, "an index and three files");
        assert!(split[0].contains("<sitemapindex"));
        assert!(split[0].contains("<loc>https://xa.gov.vn/sitemap/3.xml</loc>"));
        assert_eq!(split[3].matches("<url>").count(), 1);
        let doc = roxmltree::Document::parse(&split[0]).unwrap();
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("sitemap"))
                .count(),
            3
        );
    }

    #[test]
    fn urls_are_escaped() {
        let s = urlset("https://xa.gov.vn", &[("/tin-tuc/a&b".into(), None)]);
        assert!(
            s.contains("<loc>https://xa.gov.vn/tin-tuc/a&amp;b</loc>"),
            "{s}"
        );
    }
}
