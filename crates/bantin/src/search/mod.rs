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

use crate::content::sanitize::plain_text;
use crate::db::Db;

/// How many of the newest matches are ranked.
const CANDIDATES: i64 = 120;
/// How many of the newest title matches join them, however old.
const TITLE_CANDIDATES: i64 = 60;
/// Matches are counted up to this; beyond, the page says "hơn 1.000".
pub const COUNT_CAP: i64 = 1000;

/// The folded text an article is found by: (title, summary + body).
pub fn folded_fields(title: &str, summary: &str, body_html: &str) -> (String, String) {
    (
        vntext::fold(title),
        vntext::fold(&format!("{summary} {}", plain_text(body_html))),
    )
}

pub struct Result {
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
    site_id: i64,
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
    // The count and the candidates are independent queries: run together,
    // on separate connections, a search costs the slowest of them rather
    // than their sum.
    let count = store::count(db, site_id, query, now, COUNT_CAP + 1);
    let offset = (page - 1) * per_page;
    let (total, page_hits) = if offset + per_page <= CANDIDATES {
        let (total, mut hits, titles) = tokio::try_join!(
            count,
            store::hits(
                db,
                site_id,
                query,
                store::Field::Anywhere,
                now,
                CANDIDATES,
                0
            ),
            // Matter only when there are more matches than candidates:
            // older title matches deserve a place.
            store::hits(
                db,
                site_id,
                query,
                store::Field::Title,
                now,
                TITLE_CANDIDATES,
                0
            ),
        )?;
        if hits.len() as i64 == CANDIDATES {
            for h in titles {
                if !hits.iter().any(|c| c.id == h.id) {
                    hits.push(h);
                }
            }
        }
        let candidates: Vec<rank::Candidate<'_>> = hits
            .iter()
            .map(|h| rank::Candidate {
                title: &h.title,
                summary: &h.summary,
                body: &h.body,
                published_at: h.published_at,
            })
            .collect();
        let order = rank::order(query, &candidates);
        let mut slots: Vec<Option<store::Hit>> = hits.drain(..).map(Some).collect();
        let page_hits: Vec<store::Hit> = order
            .into_iter()
            .skip(offset as usize)
            .take(per_page as usize)
            .filter_map(|i| slots[i].take())
            .collect();
        (total, page_hits)
    } else {
        tokio::try_join!(
            count,
            store::hits(
                db,
                site_id,
                query,
                store::Field::Anywhere,
                now,
                per_page,
                offset
            ),
        )?
    };
    let results = page_hits
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
                title: h.title,
                slug: h.slug,
                published_at: h.published_at,
            }
        })
        .collect();
    Ok(Results { total, results })
}
