//! Autosave: the editor sends what is being typed every 30 seconds; it is
//! kept as one copy per article and person (replaced each time, its own
//! kind beside the revisions, which only real saves make), offered back
//! when they open the article again, and dropped when they save it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::content::sanitize;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// Autosaves of one person on one article closer together than this are refused.
pub const MIN_GAP: chrono::Duration = chrono::Duration::seconds(5);

#[derive(Clone, Debug, FromRow)]
pub struct Autosave {
    pub based_on: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub saved_at: DateTime<Utc>,
}

/// What the editor sends.
pub struct Typed<'a> {
    pub based_on: i64,
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub byline: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Saved,
    TooSoon,
}

/// Keeps (or replaces) the person's copy of what they are typing; the
/// caller has checked that they may edit the article of this site.
#[allow(clippy::too_many_arguments)]
pub async fn keep(
    db: &Db,
    site_id: i64,
    article_id: i64,
    user_id: i64,
    typed: &Typed<'_>,
    style: Option<vntext::ToneStyle>,
    now: DateTime<Utc>,
) -> sqlx::Result<Outcome> {
    const LAST: &str =
        "SELECT saved_at FROM article_autosaves WHERE article_id = $1 AND user_id = $2";
    const SQL: &str = "INSERT INTO article_autosaves (article_id, user_id, site_id, based_on, title, summary, body, byline, saved_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (article_id, user_id) DO UPDATE SET based_on = $4, title = $5, summary = $6, body = $7, byline = $8, saved_at = $9";
    let last: Option<DateTime<Utc>> = with_db!(db, pool => sqlx::query_scalar(LAST)
        .bind(article_id).bind(user_id).fetch_optional(pool).await)?;
    if last.is_some_and(|l| now - l < MIN_GAP) {
        return Ok(Outcome::TooSoon);
    }
    let one_line = |s: &str| crate::site::one_line(s, 500);
    let body = sanitize::body(typed.body, style);
    with_db!(db, pool => sqlx::query(SQL)
        .bind(article_id).bind(user_id).bind(site_id).bind(typed.based_on)
        .bind(one_line(typed.title)).bind(one_line(typed.summary)).bind(&body).bind(one_line(typed.byline)).bind(now)
        .execute(pool).await.map(|_| ()))?;
    Ok(Outcome::Saved)
}

/// The person's copy, if it is newer than the article's last save.
pub async fn find(
    db: &Db,
    site_id: i64,
    article_id: i64,
    user_id: i64,
    article_updated_at: DateTime<Utc>,
) -> sqlx::Result<Option<Autosave>> {
    const SQL: &str = "SELECT based_on, title, summary, body, byline, saved_at FROM article_autosaves \
         WHERE site_id = $1 AND article_id = $2 AND user_id = $3";
    let found: Option<Autosave> = with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(article_id).bind(user_id).fetch_optional(pool).await)?;
    Ok(found.filter(|a| a.saved_at > article_updated_at))
}

/// Drops the person's copy: they saved (in the save's transaction).
pub async fn drop_in(tx: &mut Tx, article_id: i64, user_id: i64) -> sqlx::Result<()> {
    const SQL: &str = "DELETE FROM article_autosaves WHERE article_id = $1 AND user_id = $2";
    with_tx!(tx, conn => sqlx::query(SQL).bind(article_id).bind(user_id).execute(&mut *conn).await.map(|_| ()))
}
