//! Vietnamese-aware search over published articles (`/tim-kiem`).
//!
//! Articles carry their title and text folded by vntext (`search_title`,
//! `search_body`, written with every save); the database's full-text index
//! finds the articles holding every word and quoted phrase
//! ([`store`]); the best of them are ordered as a reader would expect
//! ([`rank`]) and shown with snippets in their original spelling.

pub mod query;
pub mod rank;
pub mod store;

use chrono::{DateTime, Utc};

pub use query::Query;
pub use store::Scope;

use crate::content::sanitize::plain_text;
use crate::db::Db;

/// How many of the newest matches are ranked.
const CANDIDATES: i64 = 120;
/// How many of the newest title matches join them, however old.
const TITLE_CANDIDATES: i64 = 60;
/// Matches are counted up to this; beyond, the page says "hơn 1.000".
pub const COUNT_CAP: i64 = 1000;

/// The last page of results there can be, with `per_page` a page: pages
/// past it are refused before anything is asked of the database.
pub fn last_page(per_page: i64) -> i64 {
    (COUNT_CAP + per_page - 1) / per_page
}

/// Searches one client address may make in a while: a reader types a few
/// a minute, and many readers may share one address (mobile carriers put
/// whole towns behind a few); a script asking thousands is refused (429).
pub fn client_quota() -> crate::quota::Quota<std::net::IpAddr> {
    crate::quota::Quota::new(120, std::time::Duration::from_secs(60))
}

/// The folded text an article is found by: (title, summary + body).
pub fn folded_fields(title: &str, summary: &str, body_html: &str) -> (String, String) {
    (
        vntext::fold(title),
        vntext::fold(&format!("{summary} {}", plain_text(body_html))),
    )
}

pub struct Result {
    /// The site the article is on (a province-wide search spans several).
    pub site_id: i64,
    /// Where it is read: `/tin-tuc/…` for news, `/…` for a page.
    pub path: String,
    pub title: String,
    pub slug: String,
    pub snippet: String,
    pub published_at: DateTime<Utc>,
}

pub struct Results {
    /// Matching articles, counted up to [`COUNT_CAP`] (+1 meaning "more").
    pub total: i64,
    pub results: Vec<Result>,
}

/// One page of results (`page` from 1). The newest matches and the newest
/// title matches are ranked ([`rank`]); pages beyond them follow the
/// database's order (newest first).
pub async fn search(
    db: &Db,
    scope: &Scope,
    query: &Query,
    now: DateTime<Utc>,
    page: i64,
    per_page: i64,
) -> sqlx::Result<Results> {
    if query.is_empty() {
        return Ok(Results {
            total: 0,
            results: Vec::new(),
        });
    }
    // The count and the page are independent: the count runs on a task of
    // its own (and connection), so the database counts while the page is
    // fetched and ranked, and a search costs the slower of the two rather
    // than their sum.
    let count = Background::spawn({
        let (db, query, scope) = (db.clone(), query.clone(), scope.clone());
        async move { store::count(&db, &scope, &query, now, COUNT_CAP + 1).await }
    });
    let results = page_of_results(db, scope, query, now, page, per_page).await?;
    let total = count.join().await?;
    Ok(Results { total, results })
}

/// A spawned task that is cancelled if its result is no longer wanted (a
/// search abandoned halfway stops its other queries too).
struct Background<T>(tokio::task::JoinHandle<T>);

impl<T: Send + 'static> Background<sqlx::Result<T>> {
    fn spawn(work: impl Future<Output = sqlx::Result<T>> + Send + 'static) -> Self {
        Background(tokio::spawn(work))
    }

    async fn join(mut self) -> sqlx::Result<T> {
        (&mut self.0)
            .await
            .map_err(|_| sqlx::Error::WorkerCrashed)?
    }
}

impl<T> Drop for Background<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn candidate(hit: &store::Hit) -> rank::Candidate<'_> {
    rank::Candidate {
        title: &hit.title,
        summary: &hit.summary,
        body: &hit.body,
        published_at: hit.published_at,
    }
}

/// The matches shown on one page, ranked, with their snippets.
async fn page_of_results(
    db: &Db,
    scope: &Scope,
    query: &Query,
    now: DateTime<Utc>,
    page: i64,
    per_page: i64,
) -> sqlx::Result<Vec<Result>> {
    let offset = (page - 1) * per_page;
    let page_hits = if offset + per_page <= CANDIDATES {
        // Older title matches deserve a place when there are more matches
        // than candidates. Fetched on a task of their own: the database
        // finds them while the newest matches are being ranked.
        let titles = Background::spawn({
            let (db, query, scope) = (db.clone(), query.clone(), scope.clone());
            async move {
                store::hits(
                    &db,
                    &scope,
                    &query,
                    store::Field::Title,
                    now,
                    TITLE_CANDIDATES,
                    0,
                )
                .await
            }
        });
        let mut hits =
            store::hits(db, scope, query, store::Field::Anywhere, now, CANDIDATES, 0).await?;
        let mut ranking = rank::Ranking::new(query);
        for h in &hits {
            ranking.push(&candidate(h));
        }
        let titles = titles.join().await?;
        if hits.len() as i64 == CANDIDATES {
            for h in titles {
                if !hits.iter().any(|c| c.id == h.id) {
                    ranking.push(&candidate(&h));
                    hits.push(h);
                }
            }
        }
        let mut slots: Vec<Option<store::Hit>> = hits.into_iter().map(Some).collect();
        ranking
            .order()
            .into_iter()
            .skip(offset as usize)
            .take(per_page as usize)
            .filter_map(|i| slots[i].take())
            .collect()
    } else {
        store::hits(
            db,
            scope,
            query,
            store::Field::Anywhere,
            now,
            per_page,
            offset,
        )
        .await?
    };
    Ok(page_hits
        .into_iter()
        .map(|h| {
            let in_body = rank::snippet(query, &plain_text(&h.body));
            let snippet = if in_body.contains("<mark>") {
                in_body
            } else {
                rank::snippet(query, &h.summary)
            };
            Result {
                snippet,
                site_id: h.site_id,
                path: crate::content::page::public_path_of(&h.kind, &h.slug),
                title: h.title,
                slug: h.slug,
                published_at: h.published_at,
            }
        })
        .collect())
}
