//! Articles: the type, its statuses, and the SQL that loads and stores it.
//! "Public" means published with a publication time that has come.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::{Db, Tx};
use crate::{text_column, with_db, with_tx};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Draft,
    Pending,
    Published,
    Unpublished,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Pending,
        Status::Published,
        Status::Unpublished,
    ];

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The Vietnamese name shown in the admin pages.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Bản nháp",
            Status::Pending => "Chờ duyệt",
            Status::Published => "Đã xuất bản",
            Status::Unpublished => "Đã gỡ",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Pending => "pending",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
        }
    }
}

text_column!(Status);

/// News (`/tin-tuc/…`), a page of the site (`/gioi-thieu/…`), or a legal
/// document (`/van-ban/…`, see `content::document`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    News,
    Page,
    Document,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "news" => Some(Kind::News),
            "page" => Some(Kind::Page),
            "document" => Some(Kind::Document),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Page => "page",
            Kind::Document => "document",
        }
    }
}

text_column!(Kind);

/// An article as shown in lists.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub published_at: DateTime<Utc>,
    pub category_name: Option<String>,
    /// `/media/…` of its featured image, or empty.
    pub featured_image: String,
}

/// A whole article, as its page shows it.
#[derive(Clone, Debug, FromRow)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub featured_image: String,
    /// The featured image's text alternative.
    pub featured_alt: String,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
}

/// Public articles of a site, newest first.
pub async fn list_public(
    db: &Db,
    site_id: i64,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Listed>> {
    const SQL: &str = "SELECT a.title, a.slug, a.summary, a.published_at, c.name AS category_name, \
         a.featured_image \
         FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
         WHERE a.site_id = $1 AND a.kind = 'news' AND a.status = 'published' AND a.published_at <= $2 \
         ORDER BY a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4";
    with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(now).bind(limit).bind(offset)
        .fetch_all(pool).await)
}

/// Public articles of one category, newest first.
pub async fn list_public_in_category(
    db: &Db,
    site_id: i64,
    category_id: i64,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Listed>> {
    const SQL: &str = "SELECT a.title, a.slug, a.summary, a.published_at, c.name AS category_name, \
         a.featured_image \
         FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
         WHERE a.site_id = $1 AND a.category_id = $2 AND a.kind = 'news' AND a.status = 'published' AND a.published_at <= $3 \
         ORDER BY a.published_at DESC, a.id DESC LIMIT $4 OFFSET $5";
    with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(category_id).bind(now).bind(limit).bind(offset)
        .fetch_all(pool).await)
}

pub async fn count_public_in_category(
    db: &Db,
    site_id: i64,
    category_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM articles WHERE site_id = $1 AND category_id = $2 \
         AND kind = 'news' AND status = 'published' AND published_at <= $3";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(category_id).bind(now).fetch_one(pool).await)
}

/// (public path, last change) of public articles and pages, newest
/// change first.
pub async fn sitemap_entries(
    db: &Db,
    site_id: i64,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    const SQL: &str = "SELECT CASE WHEN kind = 'page' THEN '/' || slug \
         WHEN kind = 'document' THEN '/van-ban/' || slug ELSE '/tin-tuc/' || slug END, \
         updated_at FROM articles \
         WHERE site_id = $1 AND status = 'published' AND published_at <= $2 \
         ORDER BY updated_at DESC, id DESC LIMIT $3";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(now).bind(limit).fetch_all(pool).await)
}

/// Where an article or page is read, by its id.
pub async fn public_path_of_id(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<String>> {
    const SQL: &str = "SELECT kind, slug FROM articles WHERE site_id = $1 AND id = $2";
    let found: Option<(String, String)> = with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(pool).await)?;
    Ok(found.map(|(kind, slug)| super::page::public_path_of(&kind, &slug)))
}

/// When the next scheduled article of a site comes due, if one is waiting.
pub async fn next_due(
    db: &Db,
    site_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    const SQL: &str = "SELECT MIN(published_at) FROM articles \
         WHERE site_id = $1 AND status = 'published' AND published_at > $2";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(now).fetch_one(pool).await)
}

/// Each site's public articles: how many, and the newest publication.
#[derive(Clone, Debug, FromRow)]
pub struct SiteCount {
    pub site_id: i64,
    pub articles: i64,
    pub last_published: Option<DateTime<Utc>>,
}

pub async fn public_by_site(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Vec<SiteCount>> {
    const SQL: &str = "SELECT site_id, COUNT(*) AS articles, MAX(published_at) AS last_published \
         FROM articles WHERE kind = 'news' AND status = 'published' AND published_at <= $1 GROUP BY site_id";
    with_db!(db, pool => sqlx::query_as(SQL).bind(now).fetch_all(pool).await)
}

/// The newest public articles of several sites (a province's communes).
#[derive(Clone, Debug, FromRow)]
pub struct FromSite {
    pub site_id: i64,
    pub title: String,
    pub slug: String,
    pub published_at: DateTime<Utc>,
}

pub async fn latest_of_sites(
    db: &Db,
    site_ids: &[i64],
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<FromSite>> {
    const SQLITE: &str = "SELECT site_id, title, slug, published_at FROM articles \
         WHERE status = 'published' AND published_at <= $2 AND kind = 'news' \
         AND site_id IN (SELECT value FROM json_each($1)) \
         ORDER BY published_at DESC, id DESC LIMIT $3";
    const POSTGRES: &str = "SELECT site_id, title, slug, published_at FROM articles \
         WHERE status = 'published' AND published_at <= $2 AND kind = 'news' AND site_id = ANY($1) \
         ORDER BY published_at DESC, id DESC LIMIT $3";
    if site_ids.is_empty() {
        return Ok(Vec::new());
    }
    match db {
        Db::Sqlite(pool) => {
            let ids = serde_json::to_string(site_ids).expect("a list of numbers is JSON");
            sqlx::query_as(SQLITE)
                .bind(ids)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
        }
        Db::Postgres(pool) => {
            sqlx::query_as(POSTGRES)
                .bind(site_ids)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
        }
    }
}

pub async fn count_public(db: &Db, site_id: i64, now: DateTime<Utc>) -> sqlx::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM articles \
         WHERE site_id = $1 AND kind = 'news' AND status = 'published' AND published_at <= $2";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(now).fetch_one(pool).await)
}

/// The public article with this slug, if there is one.
pub async fn find_public(
    db: &Db,
    site_id: i64,
    slug: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Article>> {
    const SQL: &str = "SELECT a.id, a.title, a.slug, a.summary, a.body, a.byline, a.status, \
         a.published_at, a.updated_at, a.version, a.featured_image, a.featured_alt, \
         c.name AS category_name, c.slug AS category_slug \
         FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
         WHERE a.site_id = $1 AND a.slug = $2 AND a.kind = 'news' AND a.status = 'published' AND a.published_at <= $3";
    with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(slug).bind(now)
        .fetch_optional(pool).await)
}

/// A new article's content.
#[derive(Clone, Debug, Default)]
pub struct NewArticle<'a> {
    pub site_id: i64,
    pub author_id: Option<i64>,
    pub featured_image: &'a str,
    /// The featured image's text alternative.
    pub featured_alt: &'a str,
    pub category_id: Option<i64>,
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub byline: &'a str,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub source_hash: Option<&'a str>,
    pub kind: Kind,
    /// A page's parent page.
    pub parent_id: Option<i64>,
    /// A page's place among its siblings.
    pub position: i64,
    /// What a page shows below its text: '', 'leaders', 'units'.
    pub shows: &'a str,
}

/// Inserts under the title's slug, or `-2`, `-3`… when it is taken, with
/// its first revision. Returns the id and slug, or `None` when the source
/// hash is already on the site (the unique constraints decide, so
/// concurrent inserts cannot both win).
pub async fn insert(
    tx: &mut Tx,
    new: &NewArticle<'_>,
    base_slug: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(i64, String)>> {
    const SQL: &str = "INSERT INTO articles (site_id, category_id, title, slug, summary, body, \
         byline, status, published_at, created_at, updated_at, version, source_hash, author_id, \
         updated_by, featured_image, search_title, search_body, kind, parent_id, position, shows, \
         featured_alt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1, $11, $12, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20) \
         ON CONFLICT DO NOTHING RETURNING id";
    const TAKEN: &str = "SELECT \
         EXISTS (SELECT 1 FROM articles WHERE site_id = $1 AND source_hash = $2), \
         EXISTS (SELECT 1 FROM articles WHERE site_id = $1 AND slug = $3)";
    const REVISION: &str = "INSERT INTO article_revisions (article_id, version, title, summary, body, \
         byline, category_id, featured_image, user_id, created_at, featured_alt) \
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let (search_title, search_body) =
        crate::search::folded_fields(new.title, new.summary, new.body);
    let mut n = 1;
    let (id, slug) = loop {
        let slug = if n == 1 {
            base_slug.to_owned()
        } else {
            format!("{base_slug}-{n}")
        };
        let id: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(SQL)
            .bind(new.site_id).bind(new.category_id).bind(new.title).bind(&slug)
            .bind(new.summary).bind(new.body).bind(new.byline).bind(new.status.as_str())
            .bind(new.published_at).bind(now).bind(new.source_hash).bind(new.author_id)
            .bind(new.featured_image).bind(&search_title).bind(&search_body)
            .bind(new.kind.as_str()).bind(new.parent_id).bind(new.position).bind(new.shows)
            .bind(new.featured_alt)
            .fetch_optional(&mut *conn).await)?;
        if let Some(id) = id {
            break (id, slug);
        }
        // Refused: by the source hash (imported before), or by the slug.
        let (known_source, slug_taken): (bool, bool) = with_tx!(tx, conn => sqlx::query_as(TAKEN)
            .bind(new.site_id).bind(new.source_hash).bind(&slug)
            .fetch_one(&mut *conn).await)?;
        if known_source && new.source_hash.is_some() {
            return Ok(None);
        }
        if !slug_taken {
            // Neither: a conflict this loop cannot resolve.
            return Err(sqlx::Error::Protocol(format!(
                "article insert refused for slug {slug:?} without a known cause"
            )));
        }
        n += 1;
    };
    with_tx!(tx, conn => sqlx::query(REVISION)
        .bind(id).bind(new.title).bind(new.summary).bind(new.body).bind(new.byline)
        .bind(new.category_id).bind(new.featured_image).bind(new.author_id).bind(now)
        .bind(new.featured_alt)
        .execute(&mut *conn).await.map(|_| ()))?;
    tx.content_changed();
    Ok(Some((id, slug)))
}

/// The slug of the article imported from a source with this hash.
pub async fn find_by_source_hash(
    tx: &mut Tx,
    site_id: i64,
    hash: &str,
) -> sqlx::Result<Option<String>> {
    const SQL: &str = "SELECT slug FROM articles WHERE site_id = $1 AND source_hash = $2";
    with_tx!(tx, conn => sqlx::query_scalar(SQL).bind(site_id).bind(hash).fetch_optional(&mut *conn).await)
}

/// An article as the editor shows it.
#[derive(Clone, Debug, FromRow)]
pub struct Editable {
    pub id: i64,
    pub category_id: Option<i64>,
    pub author_id: Option<i64>,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub featured_image: String,
    pub featured_alt: String,
    pub review_comment: String,
    pub author_name: Option<String>,
    pub updated_by_name: Option<String>,
    pub kind: Kind,
    pub parent_id: Option<i64>,
    pub position: i64,
    pub shows: String,
}

impl Editable {
    /// Published with a time that has come: readers see it.
    pub fn is_public(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Published && self.published_at.is_some_and(|p| p <= now)
    }

    /// The content as it is now.
    pub fn content(&self) -> Content {
        Content {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            byline: self.byline.clone(),
            category_id: self.category_id,
            featured_image: self.featured_image.clone(),
            featured_alt: self.featured_alt.clone(),
        }
    }
}

pub async fn find_editable(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<Editable>> {
    const SQL: &str = "SELECT a.id, a.category_id, a.author_id, a.title, a.slug, a.summary, a.body, \
         a.byline, a.status, a.published_at, a.created_at, a.updated_at, a.version, a.featured_image, \
         a.featured_alt, a.review_comment, au.display_name AS author_name, ub.display_name AS updated_by_name, \
         a.kind, a.parent_id, a.position, a.shows \
         FROM articles a LEFT JOIN users au ON au.id = a.author_id LEFT JOIN users ub ON ub.id = a.updated_by \
         WHERE a.site_id = $1 AND a.id = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(pool).await)
}

/// An article in the admin lists.
#[derive(Clone, Debug, FromRow)]
pub struct AdminListed {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub author_name: Option<String>,
    pub category_name: Option<String>,
}

/// What the staff's article list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct AdminFilter {
    pub status: Option<Status>,
    /// Only this author's (an author sees only their own).
    pub author_id: Option<i64>,
    pub category_id: Option<i64>,
    /// Dated (published, else created) in `[from, to)`: a month in Vietnam.
    pub dated: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Folded words, each found in the title or the text (`vntext::fold`,
    /// as the public search folds them).
    pub words: Vec<String>,
}

impl AdminFilter {
    /// The SQL condition (after `a.site_id = $1 AND a.kind = 'news'`) and
    /// the values it binds, from `$2` on.
    fn condition(&self) -> (String, Vec<Bound>) {
        let mut sql = String::new();
        let mut binds = Vec::new();
        let push = |sql: &mut String, binds: &mut Vec<Bound>, clause: &str, value: Bound| {
            binds.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", binds.len() + 1)));
        };
        if let Some(s) = self.status {
            push(
                &mut sql,
                &mut binds,
                " AND a.status = ?",
                Bound::Text(s.as_str().to_owned()),
            );
        }
        if let Some(id) = self.author_id {
            push(&mut sql, &mut binds, " AND a.author_id = ?", Bound::Int(id));
        }
        if let Some(id) = self.category_id {
            push(
                &mut sql,
                &mut binds,
                " AND a.category_id = ?",
                Bound::Int(id),
            );
        }
        if let Some((from, to)) = self.dated {
            push(
                &mut sql,
                &mut binds,
                " AND COALESCE(a.published_at, a.created_at) >= ?",
                Bound::Time(from),
            );
            push(
                &mut sql,
                &mut binds,
                " AND COALESCE(a.published_at, a.created_at) < ?",
                Bound::Time(to),
            );
        }
        for w in &self.words {
            // Only a-z0-9 reach the pattern (folded words): nothing of it is SQL.
            let pattern = format!("%{w}%");
            binds.push(Bound::Text(pattern));
            let n = binds.len() + 1;
            sql.push_str(&format!(
                " AND (a.search_title LIKE ${n} OR a.search_body LIKE ${n})"
            ));
        }
        (sql, binds)
    }
}

#[derive(Clone, Debug)]
enum Bound {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bound::Text(t) => q.bind(t.clone()),
                Bound::Int(i) => q.bind(*i),
                Bound::Time(t) => q.bind(*t),
            };
        }
        q
    }};
}

/// The staff's list: articles most recently changed first.
pub async fn list_admin(
    db: &Db,
    site_id: i64,
    filter: &AdminFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<AdminListed>> {
    let (cond, binds) = filter.condition();
    let sql = format!(
        "SELECT a.id, a.title, a.slug, a.status, a.published_at, a.updated_at, a.version, \
         u.display_name AS author_name, c.name AS category_name \
         FROM articles a LEFT JOIN users u ON u.id = a.author_id LEFT JOIN categories c ON c.id = a.category_id \
         WHERE a.site_id = $1 AND a.kind = 'news'{cond} \
         ORDER BY a.updated_at DESC, a.id DESC LIMIT {limit} OFFSET {offset}",
        limit = limit.max(0),
        offset = offset.max(0)
    );
    with_db!(db, pool => bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(site_id), &binds)
        .fetch_all(pool).await)
}

/// Recently published articles for the dashboard; `author`: what an
/// author may see — public ones, and their own scheduled ones (another
/// author's article waiting for its time is not theirs to read).
pub async fn list_published_for(
    db: &Db,
    site_id: i64,
    author: Option<i64>,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<AdminListed>> {
    const SQL: &str = "SELECT a.id, a.title, a.slug, a.status, a.published_at, a.updated_at, a.version, \
         u.display_name AS author_name, c.name AS category_name \
         FROM articles a LEFT JOIN users u ON u.id = a.author_id LEFT JOIN categories c ON c.id = a.category_id \
         WHERE a.site_id = $1 AND a.kind = 'news' AND a.status = 'published' \
         AND ($2 IS NULL OR a.published_at <= $3 OR a.author_id = $2) \
         ORDER BY a.updated_at DESC, a.id DESC LIMIT $4";
    with_db!(db, pool => sqlx::query_as(SQL)
        .bind(site_id).bind(author).bind(now).bind(limit)
        .fetch_all(pool).await)
}

pub async fn count_admin(db: &Db, site_id: i64, filter: &AdminFilter) -> sqlx::Result<i64> {
    let (cond, binds) = filter.condition();
    let sql =
        format!("SELECT COUNT(*) FROM articles a WHERE a.site_id = $1 AND a.kind = 'news'{cond}");
    with_db!(db, pool => bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(site_id), &binds)
        .fetch_one(pool).await)
}

/// An article's editable content.
#[derive(Clone, Debug)]
pub struct Content {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub category_id: Option<i64>,
    pub featured_image: String,
    /// The featured image's text alternative.
    pub featured_alt: String,
}

/// A change to an article: new content, a new status, or both.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub content: Option<Content>,
    pub status: Option<Status>,
    pub published_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
}

/// Applies a change if the article is still at `expected_version`; a
/// content change also records a revision. Returns the new version, or
/// `None` when someone else saved first (the caller then drops the
/// transaction, so nothing is changed).
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    tx: &mut Tx,
    site_id: i64,
    id: i64,
    expected_version: i64,
    change: &Change,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    const CONTENT: &str = "UPDATE articles SET title = $1, summary = $2, body = $3, byline = $4, \
         category_id = $5, featured_image = $6, updated_at = $7, updated_by = $8, version = version + 1, \
         search_title = $12, search_body = $13 || search_extra, featured_alt = $14 \
         WHERE site_id = $9 AND id = $10 AND version = $11 RETURNING version";
    const REVISION: &str = "INSERT INTO article_revisions (article_id, version, title, summary, body, \
         byline, category_id, featured_image, user_id, created_at, featured_alt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    const STATUS: &str = "UPDATE articles SET status = $1, published_at = COALESCE($2, published_at), \
         review_comment = COALESCE($3, review_comment), updated_at = $4, updated_by = $5, \
         version = version + 1 WHERE site_id = $6 AND id = $7 AND version = $8 RETURNING version";
    let mut version = expected_version;
    if let Some(c) = &change.content {
        let search = crate::search::folded_fields(&c.title, &c.summary, &c.body);
        let updated: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(CONTENT)
            .bind(&c.title).bind(&c.summary).bind(&c.body).bind(&c.byline).bind(c.category_id)
            .bind(&c.featured_image).bind(now).bind(user_id).bind(site_id).bind(id).bind(version)
            .bind(&search.0).bind(&search.1).bind(&c.featured_alt)
            .fetch_optional(&mut *conn).await)?;
        let Some(v) = updated else { return Ok(None) };
        version = v;
        with_tx!(tx, conn => sqlx::query(REVISION)
            .bind(id).bind(version).bind(&c.title).bind(&c.summary).bind(&c.body).bind(&c.byline)
            .bind(c.category_id).bind(&c.featured_image).bind(user_id).bind(now)
            .bind(&c.featured_alt)
            .execute(&mut *conn).await.map(|_| ()))?;
    }
    if let Some(status) = change.status {
        let updated: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(STATUS)
            .bind(status.as_str()).bind(change.published_at).bind(change.review_comment.as_deref())
            .bind(now).bind(user_id).bind(site_id).bind(id).bind(version)
            .fetch_optional(&mut *conn).await)?;
        let Some(v) = updated else { return Ok(None) };
        version = v;
    }
    tx.content_changed();
    Ok(Some(version))
}
