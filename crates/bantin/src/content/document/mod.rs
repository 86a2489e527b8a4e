//! Văn bản: the legal documents a public body must publish (Law 104/2016
//! Art. 19(1)(a)). A document is an article of kind `document` — the same
//! editor, workflow, revisions, audit and search — with its register entry
//! (number, type, issuing body, signer, field, dates) in `documents`, links
//! to the documents it replaces or amends, and attached files.
//!
//! Its validity is never typed or stored: [`Validity`] follows from its
//! dates and from the published documents that replace or amend it, read
//! with today's date in Vietnam, so it changes at midnight by itself.

pub mod comments;
pub mod files;
pub mod register;
pub mod terms;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::FromRow;

use crate::db::{Db, Tx};
use crate::search::Query;
use crate::{with_db, with_tx};

/// Tình trạng hiệu lực.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    NotYet,
    InForce,
    PartlyExpired,
    Expired,
}

impl Validity {
    pub const ALL: [Validity; 4] = [
        Validity::InForce,
        Validity::NotYet,
        Validity::PartlyExpired,
        Validity::Expired,
    ];

    /// The code in URLs (`?tinh-trang=con-hieu-luc`) and in SQL results.
    pub fn code(self) -> &'static str {
        match self {
            Validity::NotYet => "chua-co-hieu-luc",
            Validity::InForce => "con-hieu-luc",
            Validity::PartlyExpired => "het-hieu-luc-mot-phan",
            Validity::Expired => "het-hieu-luc",
        }
    }

    pub fn parse(code: &str) -> Option<Validity> {
        Validity::ALL.into_iter().find(|v| v.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Validity::NotYet => "Chưa có hiệu lực",
            Validity::InForce => "Còn hiệu lực",
            Validity::PartlyExpired => "Hết hiệu lực một phần",
            Validity::Expired => "Hết hiệu lực",
        }
    }

    /// schema.org's `LegalForceStatus`.
    pub fn schema(self) -> &'static str {
        match self {
            Validity::InForce => "https://schema.org/InForce",
            Validity::PartlyExpired => "https://schema.org/PartiallyInForce",
            Validity::NotYet | Validity::Expired => "https://schema.org/NotInForce",
        }
    }
}

/// The validity of each document as SQL (its code), given `$2` (now) and
/// `$3` (today in Vietnam). A replacing or amending document counts once it
/// is published and in effect; one look at the links finds the stronger of
/// the two (replaced before amended).
const VALIDITY: &str = "(CASE \
     WHEN COALESCE(d.effective_on, d.issued_on) > $3 THEN 'chua-co-hieu-luc' \
     WHEN d.expires_on IS NOT NULL AND d.expires_on <= $3 THEN 'het-hieu-luc' \
     ELSE COALESCE((SELECT CASE MIN(CASE WHEN l.relation = 'replaces' THEN 0 ELSE 1 END) \
         WHEN 0 THEN 'het-hieu-luc' WHEN 1 THEN 'het-hieu-luc-mot-phan' END \
         FROM document_links l {join} documents r ON r.article_id = l.from_id \
         {join} articles ra ON ra.id = l.from_id WHERE l.to_id = d.article_id \
         AND ra.status = 'published' AND ra.published_at <= $2 AND COALESCE(r.effective_on, r.issued_on) <= $3), \
         'con-hieu-luc') END)";

/// A query's text for this database: `{validity}` becomes [`VALIDITY`] and
/// `{join}` an inner join that SQLite must take in the order written (its
/// planner, without statistics, would otherwise start the validity
/// subqueries from every published article: 20,000 documents took seconds
/// per page).
fn sql(db: &Db, template: &str) -> String {
    let join = match db {
        Db::Sqlite(_) => "CROSS JOIN",
        Db::Postgres(_) => "JOIN",
    };
    template
        .replace("{validity}", VALIDITY)
        .replace("{join}", join)
}

/// The number as it is searched: folded, letters and digits only, so
/// `12/NQ-ĐU`, `12/nq-du` and `12 NQ DU` are the same.
pub fn number_key(number: &str) -> String {
    vntext::fold(number)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Today in Vietnam.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&crate::localtime::vietnam()).date_naive()
}

/// A document as its page shows it.
#[derive(Clone, Debug, FromRow)]
pub struct Document {
    pub id: i64,
    pub slug: String,
    /// Trích yếu.
    pub title: String,
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub number: String,
    pub type_name: Option<String>,
    pub issuer_name: Option<String>,
    pub field_name: Option<String>,
    pub signer: String,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub comment_until: Option<NaiveDate>,
    /// [`Validity::code`].
    pub validity: String,
}

impl Document {
    pub fn validity(&self) -> Validity {
        Validity::parse(&self.validity).unwrap_or(Validity::InForce)
    }

    /// Comments are taken until the end of `comment_until`.
    pub fn open_for_comment(&self, today: NaiveDate) -> bool {
        self.comment_until.is_some_and(|d| today <= d)
    }
}

const DOCUMENT: &str = "SELECT a.id, a.slug, a.title, a.body, a.published_at, a.updated_at, d.number, \
     ty.name AS type_name, iss.name AS issuer_name, fi.name AS field_name, d.signer, d.issued_on, \
     d.effective_on, d.expires_on, d.comment_until, {validity} AS validity \
     FROM documents d JOIN articles a ON a.id = d.article_id \
     LEFT JOIN doc_terms ty ON ty.id = d.type_id LEFT JOIN doc_terms iss ON iss.id = d.issuer_id \
     LEFT JOIN doc_terms fi ON fi.id = d.field_id \
     WHERE a.site_id = $1 AND a.slug = $4 AND a.status = 'published' AND a.published_at <= $2";

/// The public document at this slug.
pub async fn find_public(
    db: &Db,
    site_id: i64,
    slug: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Document>> {
    let sql = sql(db, DOCUMENT);
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(site_id).bind(now).bind(today(now)).bind(slug)
        .fetch_optional(pool).await)
}

/// A document related to another: which way, and what it is.
#[derive(Clone, Debug, FromRow)]
pub struct Linked {
    pub slug: String,
    pub number: String,
    pub title: String,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    /// `replaces` or `amends`.
    pub relation: String,
    /// True: this document replaces/amends the other; false: the other
    /// replaces/amends this one.
    pub outgoing: bool,
}

impl Linked {
    /// "Thay thế", "Bị thay thế bởi", "Sửa đổi, bổ sung", "Được sửa đổi, bổ sung bởi".
    pub fn label(&self) -> &'static str {
        match (self.relation.as_str(), self.outgoing) {
            ("replaces", true) => "Thay thế văn bản",
            ("replaces", false) => "Bị thay thế bởi",
            (_, true) => "Sửa đổi, bổ sung văn bản",
            (_, false) => "Được sửa đổi, bổ sung bởi",
        }
    }

    pub fn in_effect(&self, today: NaiveDate) -> bool {
        self.effective_on.unwrap_or(self.issued_on) <= today
    }
}

/// The public documents a document replaces or amends, and those that
/// replace or amend it.
pub async fn links(
    db: &Db,
    site_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Linked>> {
    const SQL: &str = "SELECT a.slug, d.number, a.title, d.issued_on, d.effective_on, l.relation, \
         (l.from_id = $2) AS outgoing \
         FROM document_links l JOIN articles a ON a.id = CASE WHEN l.from_id = $2 THEN l.to_id ELSE l.from_id END \
         JOIN documents d ON d.article_id = a.id \
         WHERE l.site_id = $1 AND (l.from_id = $2 OR l.to_id = $2) \
         AND a.status = 'published' AND a.published_at <= $3 ORDER BY d.issued_on";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(id).bind(now).fetch_all(pool).await)
}

/// Why a document has its validity: "Bị thay thế bởi 15/NQ-ĐU ngày
/// 01/02/2026", "Hết hiệu lực từ ngày …", "Có hiệu lực từ ngày …".
pub fn reason(doc: &Document, links: &[Linked], today: NaiveDate) -> String {
    let date = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let by = |relation: &str| {
        links
            .iter()
            .filter(|l| !l.outgoing && l.relation == relation && l.in_effect(today))
            .map(|l| {
                format!(
                    "{} ngày {}",
                    l.number,
                    date(l.effective_on.unwrap_or(l.issued_on))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match doc.validity() {
        Validity::NotYet => format!(
            "Có hiệu lực từ ngày {}",
            date(doc.effective_on.unwrap_or(doc.issued_on))
        ),
        Validity::Expired => match doc.expires_on.filter(|e| *e <= today) {
            Some(e) => format!("Hết hiệu lực từ ngày {}", date(e)),
            None => format!("Bị thay thế bởi {}", by("replaces")),
        },
        Validity::PartlyExpired => format!("Được sửa đổi, bổ sung bởi {}", by("amends")),
        Validity::InForce => format!(
            "Có hiệu lực từ ngày {}",
            date(doc.effective_on.unwrap_or(doc.issued_on))
        ),
    }
}

/// A document in a list.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub number: String,
    pub number_key: String,
    pub type_name: Option<String>,
    pub issued_on: NaiveDate,
    pub published_at: DateTime<Utc>,
    pub comment_until: Option<NaiveDate>,
    pub validity: String,
}

impl Listed {
    pub fn validity(&self) -> Validity {
        Validity::parse(&self.validity).unwrap_or(Validity::InForce)
    }
}

/// What a reader narrows the list to (`?loai=…&co-quan=…`); ids of the
/// site's terms.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub type_id: Option<i64>,
    pub issuer_id: Option<i64>,
    pub field_id: Option<i64>,
    pub year: Option<i32>,
    pub validity: Option<Validity>,
}

/// A value bound to a built query.
enum Arg {
    Int(i64),
    Day(NaiveDate),
    Text(String),
}

/// `WHERE` conditions for a filter, after `$1` site, `$2` now, `$3`
/// today; with their values.
fn conditions(filter: &Filter, first: usize) -> (String, Vec<Arg>) {
    let mut sql = String::new();
    let mut args = Vec::new();
    let mut next = first;
    let mut push = |sql: &mut String, cond: &str, arg: Arg| {
        sql.push_str(" AND ");
        sql.push_str(&cond.replace('?', &format!("${next}")));
        args.push(arg);
        next += 1;
    };
    if let Some(id) = filter.type_id {
        push(&mut sql, "d.type_id = ?", Arg::Int(id));
    }
    if let Some(id) = filter.issuer_id {
        push(&mut sql, "d.issuer_id = ?", Arg::Int(id));
    }
    if let Some(id) = filter.field_id {
        push(&mut sql, "d.field_id = ?", Arg::Int(id));
    }
    if let Some(year) = filter.year {
        let start = NaiveDate::from_ymd_opt(year, 1, 1);
        let end = NaiveDate::from_ymd_opt(year + 1, 1, 1);
        if let (Some(start), Some(end)) = (start, end) {
            push(&mut sql, "d.issued_on >= ?", Arg::Day(start));
            push(&mut sql, "d.issued_on < ?", Arg::Day(end));
        }
    }
    if let Some(v) = filter.validity {
        push(&mut sql, "{validity} = ?", Arg::Text(v.code().to_owned()));
    }
    (sql, args)
}

macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Day(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}

const LISTED: &str = "a.id, a.slug, a.title, '' AS body, d.number, d.number_key, ty.name AS type_name, \
     d.issued_on, a.published_at, d.comment_until, {validity} AS validity";

const PUBLIC: &str =
    "a.site_id = $1 AND a.kind = 'document' AND a.status = 'published' AND a.published_at <= $2";

/// A count need not compare dates with today, but every query binds it:
/// this names its type for PostgreSQL.
const USES_TODAY: &str = " AND CAST($3 AS DATE) IS NOT NULL";

/// One page of the public documents, newest first (by their date of issue),
/// and how many there are.
pub async fn list(
    db: &Db,
    site_id: i64,
    filter: &Filter,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(i64, Vec<Listed>)> {
    list_counted(db, site_id, filter, now, limit, offset, true).await
}

/// [`list`], counting the documents only when asked (-1 otherwise).
async fn list_counted(
    db: &Db,
    site_id: i64,
    filter: &Filter,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
    counted: bool,
) -> sqlx::Result<(i64, Vec<Listed>)> {
    let (cond, args) = conditions(filter, 4);
    let from = "FROM documents d {join} articles a ON a.id = d.article_id \
         LEFT JOIN doc_terms ty ON ty.id = d.type_id";
    let count = counted.then(|| {
        sql(
            db,
            &format!(
                "SELECT COUNT(*) FROM documents d {{join}} articles a ON a.id = d.article_id \
                 WHERE d.site_id = $1 AND {PUBLIC}{USES_TODAY}{cond}"
            ),
        )
    });
    let n = args.len();
    let page = sql(
        db,
        &format!(
            "SELECT {LISTED} {from} WHERE d.site_id = $1 AND {PUBLIC}{cond} \
             ORDER BY d.issued_on DESC, a.id DESC LIMIT ${} OFFSET ${}",
            4 + n,
            5 + n
        ),
    );
    let today = today(now);
    let total: i64 = match count {
        Some(count) => with_db!(db, pool => bind_args!(
            sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone())).bind(site_id).bind(now).bind(today), &args)
            .fetch_one(pool).await)?,
        None => -1,
    };
    let rows: Vec<Listed> = with_db!(db, pool => bind_args!(
        sqlx::query_as(sqlx::AssertSqlSafe(page.clone())).bind(site_id).bind(now).bind(today), &args)
        .bind(limit).bind(offset).fetch_all(pool).await)?;
    Ok((total, rows))
}

/// Matches of a search, at most this many (ranked; the count is exact up
/// to the search module's cap).
pub const CANDIDATES: i64 = 200;

/// Documents matching a reader's words: those whose number is the one
/// typed first (exactly, then as its beginning), then those whose
/// abstract, text or files hold every word, ranked as the site search
/// ranks. Returns the total and one page.
#[allow(clippy::too_many_arguments)]
pub async fn search(
    db: &Db,
    site_id: i64,
    filter: &Filter,
    typed: &str,
    query: &Query,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(i64, Vec<Listed>)> {
    let key = number_key(typed);
    let (cond, args) = conditions(filter, 4);
    let n = args.len();
    let today = today(now);
    let listed = LISTED.replace("'' AS body", "a.body");
    let from = "FROM documents d {join} articles a ON a.id = d.article_id \
         LEFT JOIN doc_terms ty ON ty.id = d.type_id";
    // By number: an index range on number_key.
    let mut by_number: Vec<Listed> = Vec::new();
    if key.len() >= 2 && key.bytes().any(|b| b.is_ascii_digit()) {
        let query = sql(
            db,
            &format!(
                "SELECT {listed} {from} WHERE d.site_id = $1 AND {PUBLIC}{cond} \
                 AND d.number_key >= ${} AND d.number_key < ${} \
                 ORDER BY d.issued_on DESC, a.id DESC LIMIT 50",
                4 + n,
                5 + n
            ),
        );
        by_number = with_db!(db, pool => bind_args!(
            sqlx::query_as(sqlx::AssertSqlSafe(query.clone())).bind(site_id).bind(now).bind(today), &args)
            .bind(&key).bind(format!("{key}~")).fetch_all(pool).await)?;
        // The number itself before numbers that begin with it.
        by_number.sort_by_key(|d| d.number_key != key);
    }
    let mut words: Vec<Listed> = Vec::new();
    let mut word_total = 0;
    if !query.is_empty() {
        // Only one of each pair runs, on its own database.
        let (sqlite, postgres) = (
            sql(
                db,
                &format!(
                    "SELECT {listed} FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid \
                     CROSS JOIN documents d ON d.article_id = a.id LEFT JOIN doc_terms ty ON ty.id = d.type_id \
                     WHERE articles_fts MATCH ${} AND d.site_id = $1 AND {PUBLIC}{cond} \
                     ORDER BY f.rowid DESC LIMIT {CANDIDATES}",
                    4 + n
                ),
            ),
            sql(
                db,
                &format!(
                    "SELECT {listed} {from} WHERE a.search_vector @@ to_tsquery('simple', ${}) \
                     AND d.site_id = $1 AND {PUBLIC}{cond} ORDER BY a.id DESC LIMIT {CANDIDATES}",
                    4 + n
                ),
            ),
        );
        let count = (
            sql(
                db,
                &format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid \
                     CROSS JOIN documents d ON d.article_id = a.id \
                     WHERE articles_fts MATCH ${} AND d.site_id = $1 AND {PUBLIC}{USES_TODAY}{cond} LIMIT {}) AS capped",
                    4 + n,
                    crate::search::COUNT_CAP + 1
                ),
            ),
            sql(
                db,
                &format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM documents d {{join}} articles a ON a.id = d.article_id \
                     WHERE a.search_vector @@ to_tsquery('simple', ${}) AND d.site_id = $1 AND {PUBLIC}{USES_TODAY}{cond} \
                     LIMIT {}) AS capped",
                    4 + n,
                    crate::search::COUNT_CAP + 1
                ),
            ),
        );
        (words, word_total) = match db {
            Db::Sqlite(pool) => {
                let m = query.fts5();
                let rows: Vec<Listed> = bind_args!(
                    sqlx::query_as(sqlx::AssertSqlSafe(sqlite))
                        .bind(site_id)
                        .bind(now)
                        .bind(today),
                    &args
                )
                .bind(&m)
                .fetch_all(pool)
                .await?;
                let total: i64 = bind_args!(
                    sqlx::query_scalar(sqlx::AssertSqlSafe(count.0))
                        .bind(site_id)
                        .bind(now)
                        .bind(today),
                    &args
                )
                .bind(&m)
                .fetch_one(pool)
                .await?;
                (rows, total)
            }
            Db::Postgres(pool) => {
                let m = query.tsquery();
                let rows: Vec<Listed> = bind_args!(
                    sqlx::query_as(sqlx::AssertSqlSafe(postgres))
                        .bind(site_id)
                        .bind(now)
                        .bind(today),
                    &args
                )
                .bind(&m)
                .fetch_all(pool)
                .await?;
                let total: i64 = bind_args!(
                    sqlx::query_scalar(sqlx::AssertSqlSafe(count.1))
                        .bind(site_id)
                        .bind(now)
                        .bind(today),
                    &args
                )
                .bind(&m)
                .fetch_one(pool)
                .await?;
                (rows, total)
            }
        };
        let candidates: Vec<crate::search::rank::Candidate<'_>> = words
            .iter()
            .map(|d| crate::search::rank::Candidate {
                title: &d.title,
                summary: &d.number,
                body: &d.body,
                published_at: d.published_at,
            })
            .collect();
        let order = crate::search::rank::order(query, &candidates);
        let mut slots: Vec<Option<Listed>> = words.into_iter().map(Some).collect();
        words = order.into_iter().filter_map(|i| slots[i].take()).collect();
    }
    let extra = by_number
        .iter()
        .filter(|d| !words.iter().any(|w| w.id == d.id))
        .count() as i64;
    let mut all = by_number;
    for w in words {
        if !all.iter().any(|d| d.id == w.id) {
            all.push(w);
        }
    }
    let total = word_total + extra;
    let page = all
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(limit.max(0) as usize)
        .collect();
    Ok((total, page))
}

/// The newest public documents (the home page's block, the feed).
pub async fn latest(
    db: &Db,
    site_id: i64,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    Ok(
        list_counted(db, site_id, &Filter::default(), now, limit, 0, false)
            .await?
            .1,
    )
}

/// The years documents were issued in, newest first (the year filter).
pub async fn years(db: &Db, site_id: i64, now: DateTime<Utc>) -> sqlx::Result<Vec<i32>> {
    const SQL: &str = "SELECT DISTINCT d.issued_on FROM documents d JOIN articles a ON a.id = d.article_id \
         WHERE d.site_id = $1 AND a.status = 'published' AND a.published_at <= $2";
    let days: Vec<NaiveDate> = with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(now).fetch_all(pool).await)?;
    let mut years: Vec<i32> = days.iter().map(|d| d.year()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(years)
}

/// A document in the staff list.
#[derive(Clone, Debug, FromRow)]
pub struct AdminRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: crate::content::article::Status,
    pub published_at: Option<DateTime<Utc>>,
    pub issued_on: NaiveDate,
    pub files: i64,
    pub new_comments: i64,
}

/// Every document of the site (an author's own only, when `author` is
/// given), most recently issued first.
pub async fn admin_list(
    db: &Db,
    site_id: i64,
    author: Option<i64>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(i64, Vec<AdminRow>)> {
    const COUNT: &str = "SELECT COUNT(*) FROM documents d JOIN articles a ON a.id = d.article_id \
         WHERE d.site_id = $1 AND ($2 IS NULL OR a.author_id = $2)";
    const SQL: &str = "SELECT a.id, d.number, a.title, a.status, a.published_at, d.issued_on, \
         (SELECT COUNT(*) FROM document_files f WHERE f.article_id = a.id) AS files, \
         (SELECT COUNT(*) FROM document_comments c WHERE c.article_id = a.id AND c.status = 'new') AS new_comments \
         FROM documents d JOIN articles a ON a.id = d.article_id \
         WHERE d.site_id = $1 AND ($2 IS NULL OR a.author_id = $2) \
         ORDER BY d.issued_on DESC, a.id DESC LIMIT $3 OFFSET $4";
    let total: i64 = with_db!(db, pool => sqlx::query_scalar(COUNT).bind(site_id).bind(author).fetch_one(pool).await)?;
    let rows = with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(author).bind(limit).bind(offset)
        .fetch_all(pool).await)?;
    Ok((total, rows))
}

/// A document's register entry as typed in the editor.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    pub number: String,
    /// Term ids as the form sends them.
    pub type_id: String,
    pub issuer_id: String,
    pub field_id: String,
    pub signer: String,
    /// `dd/mm/yyyy`.
    pub issued_on: String,
    pub effective_on: String,
    pub expires_on: String,
    pub comment_until: String,
    /// Numbers of the documents this one replaces, `;` between them.
    pub replaces: String,
    /// Numbers of the documents this one amends.
    pub amends: String,
}

/// A register entry that passed every check, its links resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub number: String,
    pub type_id: Option<i64>,
    pub issuer_id: Option<i64>,
    pub field_id: Option<i64>,
    pub signer: String,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub comment_until: Option<NaiveDate>,
    /// Article ids of the documents replaced and amended.
    pub replaces: Vec<i64>,
    pub amends: Vec<i64>,
}

/// `dd/mm/yyyy` (also `d/m/yyyy` and `yyyy-mm-dd`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
        .filter(|d| (1945..=2200).contains(&d.year()))
}

pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Typed {
    pub fn of(e: &Entry, numbers: impl Fn(&[i64]) -> String) -> Typed {
        let date = |d: Option<NaiveDate>| d.map(format_date).unwrap_or_default();
        let id = |i: Option<i64>| i.map(|i| i.to_string()).unwrap_or_default();
        Typed {
            number: e.number.clone(),
            type_id: id(e.type_id),
            issuer_id: id(e.issuer_id),
            field_id: id(e.field_id),
            signer: e.signer.clone(),
            issued_on: format_date(e.issued_on),
            effective_on: date(e.effective_on),
            expires_on: date(e.expires_on),
            comment_until: date(e.comment_until),
            replaces: numbers(&e.replaces),
            amends: numbers(&e.amends),
        }
    }
}

/// The register entry of a document, as stored (any status).
pub async fn entry(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<Entry>> {
    #[derive(FromRow)]
    struct Row {
        number: String,
        type_id: Option<i64>,
        issuer_id: Option<i64>,
        field_id: Option<i64>,
        signer: String,
        issued_on: NaiveDate,
        effective_on: Option<NaiveDate>,
        expires_on: Option<NaiveDate>,
        comment_until: Option<NaiveDate>,
    }
    const SQL: &str = "SELECT number, type_id, issuer_id, field_id, signer, issued_on, effective_on, \
         expires_on, comment_until FROM documents WHERE site_id = $1 AND article_id = $2";
    const LINKS: &str = "SELECT to_id, relation FROM document_links WHERE site_id = $1 AND from_id = $2 ORDER BY to_id";
    let row: Option<Row> = with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(pool).await)?;
    let Some(r) = row else { return Ok(None) };
    let links: Vec<(i64, String)> =
        with_db!(db, pool => sqlx::query_as(LINKS).bind(site_id).bind(id).fetch_all(pool).await)?;
    let of = |rel: &str| links.iter().filter(|l| l.1 == rel).map(|l| l.0).collect();
    Ok(Some(Entry {
        number: r.number,
        type_id: r.type_id,
        issuer_id: r.issuer_id,
        field_id: r.field_id,
        signer: r.signer,
        issued_on: r.issued_on,
        effective_on: r.effective_on,
        expires_on: r.expires_on,
        comment_until: r.comment_until,
        replaces: of("replaces"),
        amends: of("amends"),
    }))
}

/// The numbers of these documents, `; ` between them.
pub async fn numbers_of(db: &Db, site_id: i64, ids: &[i64]) -> sqlx::Result<String> {
    const SQL: &str = "SELECT number FROM documents WHERE site_id = $1 AND article_id = $2";
    let mut out = Vec::new();
    for id in ids {
        let n: Option<String> = with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(*id).fetch_optional(pool).await)?;
        out.extend(n);
    }
    Ok(out.join("; "))
}

/// The document of the site with this number issued most recently on or
/// before `before` (numbers without a year repeat every year).
pub async fn by_number(
    db: &Db,
    site_id: i64,
    number: &str,
    before: NaiveDate,
) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "SELECT article_id FROM documents WHERE site_id = $1 AND number_key = $2 \
         AND issued_on <= $3 ORDER BY issued_on DESC LIMIT 1";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).bind(number_key(number)).bind(before)
        .fetch_optional(pool).await)
}

/// Checks a typed entry against the site: its terms exist, its dates read,
/// the documents it names are found. `editing`: the document's own id.
pub async fn check(
    db: &Db,
    site_id: i64,
    typed: &Typed,
    editing: Option<i64>,
) -> sqlx::Result<Result<Entry, String>> {
    let number = crate::site::one_line(&typed.number, 60);
    if number_key(&number).is_empty() {
        return Ok(Err(
            "Hãy ghi số ký hiệu của văn bản (ví dụ 12/NQ-ĐU).".into()
        ));
    }
    let mut term_ids = [None, None, None];
    for (i, (raw, list)) in [
        (&typed.type_id, terms::List::Type),
        (&typed.issuer_id, terms::List::Issuer),
        (&typed.field_id, terms::List::Field),
    ]
    .into_iter()
    .enumerate()
    {
        term_ids[i] = match raw.trim() {
            "" => None,
            raw => {
                let id = raw.parse::<i64>().ok();
                match id {
                    Some(id) if terms::find(db, site_id, list, id).await?.is_some() => Some(id),
                    _ => return Ok(Err(format!("{} không có trong danh mục.", list.label()))),
                }
            }
        };
    }
    let Some(issued_on) = parse_date(&typed.issued_on) else {
        return Ok(Err(
            "Hãy ghi ngày ban hành theo dạng ngày/tháng/năm, ví dụ 15/03/2026.".into(),
        ));
    };
    let optional = |s: &str, what: &str| -> Result<Option<NaiveDate>, String> {
        match s.trim() {
            "" => Ok(None),
            s => parse_date(s)
                .map(Some)
                .ok_or_else(|| format!("{what} không đúng dạng ngày/tháng/năm.")),
        }
    };
    let dates = (|| {
        Ok::<_, String>((
            optional(&typed.effective_on, "Ngày có hiệu lực")?,
            optional(&typed.expires_on, "Ngày hết hiệu lực")?,
            optional(&typed.comment_until, "Hạn góp ý")?,
        ))
    })();
    let (effective_on, expires_on, comment_until) = match dates {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    if effective_on.is_some_and(|e| e < issued_on) {
        return Ok(Err("Ngày có hiệu lực không thể trước ngày ban hành.".into()));
    }
    if expires_on.is_some_and(|x| x <= effective_on.unwrap_or(issued_on)) {
        return Ok(Err("Ngày hết hiệu lực phải sau ngày có hiệu lực.".into()));
    }
    let mut linked = [Vec::new(), Vec::new()];
    for (i, raw) in [&typed.replaces, &typed.amends].into_iter().enumerate() {
        for n in raw
            .split([';', '\n'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match by_number(db, site_id, n, issued_on).await? {
                Some(id) if Some(id) != editing => linked[i].push(id),
                Some(_) => return Ok(Err("Một văn bản không thể thay thế chính nó.".into())),
                None => {
                    return Ok(Err(format!(
                        "Không tìm thấy văn bản số {n} ban hành trước ngày {} trên trang này.",
                        format_date(issued_on)
                    )));
                }
            }
        }
        linked[i].sort_unstable();
        linked[i].dedup();
    }
    let [replaces, amends] = linked;
    Ok(Ok(Entry {
        number,
        type_id: term_ids[0],
        issuer_id: term_ids[1],
        field_id: term_ids[2],
        signer: crate::site::one_line(&typed.signer, 120),
        issued_on,
        effective_on,
        expires_on,
        comment_until,
        replaces,
        amends,
    }))
}

/// Writes a document's register entry and links (a new one, or over the
/// old), in the transaction of its save.
pub async fn write(tx: &mut Tx, site_id: i64, id: i64, e: &Entry) -> sqlx::Result<()> {
    const UPSERT: &str = "INSERT INTO documents (article_id, site_id, number, number_key, type_id, issuer_id, \
         field_id, signer, issued_on, effective_on, expires_on, comment_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (article_id) DO UPDATE SET number = excluded.number, number_key = excluded.number_key, \
         type_id = excluded.type_id, issuer_id = excluded.issuer_id, field_id = excluded.field_id, \
         signer = excluded.signer, issued_on = excluded.issued_on, effective_on = excluded.effective_on, \
         expires_on = excluded.expires_on, comment_until = excluded.comment_until";
    const CLEAR: &str = "DELETE FROM document_links WHERE site_id = $1 AND from_id = $2";
    const LINK: &str = "INSERT INTO document_links (site_id, from_id, to_id, relation) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING";
    with_tx!(tx, conn => sqlx::query(UPSERT)
        .bind(id).bind(site_id).bind(&e.number).bind(number_key(&e.number)).bind(e.type_id)
        .bind(e.issuer_id).bind(e.field_id).bind(&e.signer).bind(e.issued_on).bind(e.effective_on)
        .bind(e.expires_on).bind(e.comment_until)
        .execute(&mut *conn).await.map(|_| ()))?;
    with_tx!(tx, conn => sqlx::query(CLEAR).bind(site_id).bind(id).execute(&mut *conn).await.map(|_| ()))?;
    for (ids, relation) in [(&e.replaces, "replaces"), (&e.amends, "amends")] {
        for to in ids {
            with_tx!(tx, conn => sqlx::query(LINK).bind(site_id).bind(id).bind(*to).bind(relation)
                .execute(&mut *conn).await.map(|_| ()))?;
        }
    }
    refresh_search(tx, id).await?;
    tx.content_changed();
    Ok(())
}

/// The most text of one document's files that is searched.
pub const MAX_SEARCH_TEXT: usize = 400_000;

/// Recomputes what a document is also found by — its number and its files'
/// text — and the search text that ends with it.
pub async fn refresh_search(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    const SOURCE: &str = "SELECT a.summary, a.body, COALESCE(d.number, '') FROM articles a \
         LEFT JOIN documents d ON d.article_id = a.id WHERE a.id = $1";
    const FILES: &str =
        "SELECT text FROM document_files WHERE article_id = $1 ORDER BY position, id";
    const SET: &str = "UPDATE articles SET search_extra = $1, search_body = $2 WHERE id = $3";
    let (summary, body, number): (String, String, String) = with_tx!(tx, conn =>
        sqlx::query_as(SOURCE).bind(id).fetch_one(&mut *conn).await)?;
    let texts: Vec<String> =
        with_tx!(tx, conn => sqlx::query_scalar(FILES).bind(id).fetch_all(&mut *conn).await)?;
    let mut extra = format!(" {} {}", vntext::fold(&number), number_key(&number));
    let mut room = MAX_SEARCH_TEXT;
    for t in texts {
        let folded = vntext::fold(&t);
        let cut: String = folded.chars().take(room).collect();
        room = room.saturating_sub(cut.chars().count());
        extra.push(' ');
        extra.push_str(&cut);
        if room == 0 {
            break;
        }
    }
    let (_, search_body) = crate::search::folded_fields("", &summary, &body);
    let all = format!("{search_body}{extra}");
    with_tx!(tx, conn => sqlx::query(SET).bind(&extra).bind(&all).bind(id).execute(&mut *conn).await.map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compared_by_their_letters_and_digits() {
        assert_eq!(number_key("12/NQ-ĐU"), "12nqdu");
        assert_eq!(number_key("12/nq-du"), "12nqdu");
        assert_eq!(number_key("12 NQ DU"), "12nqdu");
        assert_eq!(number_key("45/2024/QĐ-UBND"), "452024qdubnd");
    }

    #[test]
    fn dates_are_vietnamese() {
        assert_eq!(
            parse_date("15/03/2026"),
            NaiveDate::from_ymd_opt(2026, 3, 15)
        );
        assert_eq!(parse_date("5/3/2026"), NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(
            parse_date("2026-03-15"),
            NaiveDate::from_ymd_opt(2026, 3, 15)
        );
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(
            parse_date("15/03/26"),
            None,
            "a two-digit year is not a year"
        );
    }

    #[test]
    fn validity_codes_round_trip() {
        for v in Validity::ALL {
            assert_eq!(Validity::parse(v.code()), Some(v));
        }
    }
}
