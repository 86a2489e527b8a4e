//! Dự thảo lấy ý kiến: a document published as a draft for public comment
//! takes readers' comments (a name, an optional contact, the text) until
//! the end of its closing day in Vietnam, after which the form is gone by
//! itself. Staff read every comment; those they approve are shown under
//! the draft (name and text — the contact never).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use crate::audit;
use crate::db::Db;
use crate::{with_db, with_tx};

pub const MAX_BODY: usize = 4000;
/// Comments one visitor may send on one draft in a day.
pub const PER_VISITOR_DAY: i64 = 3;

/// A reader's comment as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    #[serde(rename = "ho-ten")]
    pub name: String,
    #[serde(rename = "lien-he")]
    pub contact: String,
    #[serde(rename = "gop-y")]
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Received,
    /// The draft takes no comments (any more).
    Closed,
    /// This visitor sent their share today.
    TooMany,
    Invalid(String),
}

/// Takes a comment on the public draft `article_id`.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    db: &Db,
    site_id: i64,
    article_id: i64,
    visitor: &str,
    day: NaiveDate,
    typed: &Typed,
    now: DateTime<Utc>,
) -> sqlx::Result<Outcome> {
    const OPEN: &str = "SELECT d.comment_until FROM documents d JOIN articles a ON a.id = d.article_id \
         WHERE d.site_id = $1 AND d.article_id = $2 AND a.status = 'published' AND a.published_at <= $3";
    const SENT: &str = "SELECT COUNT(*) FROM document_comments WHERE article_id = $1 AND day = $2 AND visitor = $3";
    const SQL: &str = "INSERT INTO document_comments (site_id, article_id, name, contact, body, day, visitor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let until: Option<Option<NaiveDate>> = with_db!(db, pool => sqlx::query_scalar(OPEN)
        .bind(site_id).bind(article_id).bind(now).fetch_optional(pool).await)?;
    if until.flatten().is_none_or(|u| day > u) {
        return Ok(Outcome::Closed);
    }
    let name = crate::site::one_line(&typed.name, 120);
    let contact = crate::site::one_line(&typed.contact, 200);
    let body = vntext::normalize(&typed.body);
    if name.is_empty() {
        return Ok(Outcome::Invalid("Hãy ghi họ tên của bạn.".into()));
    }
    if body.is_empty() {
        return Ok(Outcome::Invalid("Hãy ghi ý kiến của bạn.".into()));
    }
    if body.chars().count() > MAX_BODY {
        return Ok(Outcome::Invalid(format!(
            "Ý kiến dài quá {MAX_BODY} ký tự."
        )));
    }
    let mut tx = db.begin().await?;
    let sent: i64 = with_tx!(tx, conn => sqlx::query_scalar(SENT)
        .bind(article_id).bind(day).bind(visitor).fetch_one(&mut *conn).await)?;
    if sent >= PER_VISITOR_DAY {
        return Ok(Outcome::TooMany);
    }
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(site_id).bind(article_id).bind(&name).bind(&contact).bind(&body).bind(day).bind(visitor).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    tx.commit().await?;
    Ok(Outcome::Received)
}

/// A comment as readers see it, once approved.
#[derive(Clone, Debug, FromRow)]
pub struct Shown {
    pub name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn shown(db: &Db, site_id: i64, article_id: i64) -> sqlx::Result<Vec<Shown>> {
    const SQL: &str = "SELECT name, body, created_at FROM document_comments \
         WHERE site_id = $1 AND article_id = $2 AND status = 'shown' ORDER BY created_at, id";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(article_id).fetch_all(pool).await)
}

/// A comment as staff see it.
#[derive(Clone, Debug, FromRow)]
pub struct Comment {
    pub id: i64,
    pub article_id: i64,
    pub number: String,
    pub title: String,
    pub name: String,
    pub contact: String,
    pub body: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// The site's comments, newest first (new ones first of all).
pub async fn for_staff(db: &Db, site_id: i64, limit: i64) -> sqlx::Result<Vec<Comment>> {
    const SQL: &str = "SELECT c.id, c.article_id, d.number, a.title, c.name, c.contact, c.body, c.status, c.created_at \
         FROM document_comments c JOIN articles a ON a.id = c.article_id JOIN documents d ON d.article_id = c.article_id \
         WHERE c.site_id = $1 ORDER BY CASE WHEN c.status = 'new' THEN 0 ELSE 1 END, c.created_at DESC LIMIT $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(limit).fetch_all(pool).await)
}

/// Shows (`show` true) or hides a comment, audited.
pub async fn moderate(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: i64,
    show: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    const SQL: &str = "UPDATE document_comments SET status = $1 WHERE site_id = $2 AND id = $3";
    let status = if show { "shown" } else { "hidden" };
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => sqlx::query(SQL).bind(status).bind(site_id).bind(id)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    let target = format!("#{id}");
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::DocumentCommentModerate,
        target: &target,
        detail: status,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(true)
}
