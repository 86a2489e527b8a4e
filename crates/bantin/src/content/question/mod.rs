//! Hỏi đáp – Góp ý: a reader asks through a plain form and gets a tracking
//! code; staff assign the question, write the answer and publish the pair,
//! which readers then find at `/hoi-dap`. The asker's phone, email and
//! attachment are seen by staff only and removed after the site's
//! retention period (Decree 13/2023 on personal data); every staff step is
//! in the audit log.
//!
//! new → assigned → answered → published, or refused; an answered or
//! published question may be edited again, a published one taken down
//! (back to answered).

pub mod attachment;
pub mod guard;

use chrono::{DateTime, Months, NaiveDate, Utc};
use sqlx::FromRow;

use crate::accounts::Role;
use crate::audit;
use crate::content::sanitize;
use crate::db::{Db, Tx};
use crate::mail;
use crate::search::Query;
use crate::{text_column, with_db, with_tx};

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 4000;
pub const MAX_NAME: usize = 120;
/// Questions one visitor may send to a site in a day.
pub const PER_VISITOR_DAY: i64 = 3;
pub const DEFAULT_RETENTION_MONTHS: i64 = 12;
/// The longest retention a site may choose (five years).
pub const MAX_RETENTION_MONTHS: i64 = 60;
/// Newest matches ranked by a search of the questions.
const CANDIDATES: i64 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    New,
    Assigned,
    Answered,
    Published,
    Refused,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Assigned,
        Status::Answered,
        Status::Published,
        Status::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Assigned => "assigned",
            Status::Answered => "answered",
            Status::Published => "published",
            Status::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Its name in the staff pages and in the asker's look-up.
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "Mới",
            Status::Assigned => "Đã giao",
            Status::Answered => "Đã trả lời, chờ đăng",
            Status::Published => "Đã đăng",
            Status::Refused => "Từ chối",
        }
    }

    /// What the asker is told it means.
    pub fn for_asker(self) -> &'static str {
        match self {
            Status::New => "Đã nhận, đang chờ xử lý.",
            Status::Assigned | Status::Answered => "Đang được cán bộ xử lý.",
            Status::Published => "Đã có trả lời.",
            Status::Refused => "Không được trả lời công khai.",
        }
    }
}

text_column!(Status);

/// A question as the asker typed it.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    pub name: String,
    pub phone: String,
    pub email: String,
    /// The field's id, or empty.
    pub field: String,
    pub title: String,
    pub body: String,
    /// The consent box: ticked or not.
    pub consent: bool,
    /// The hidden field: people leave it empty.
    pub trap: String,
}

/// Why a question was not taken, in words for the asker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Invalid(String),
    /// The hidden field was filled in.
    Trap,
    TooSoon,
    Stale,
    TooManyLinks,
    Duplicate,
    /// The visitor sent their share today.
    DailyLimit,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::Invalid(m) => m.clone(),
            Refusal::Trap => "Không gửi được: biểu mẫu có ô “Để trống ô này” đã bị điền. Hãy tải lại trang rồi gửi lại.".into(),
            Refusal::TooSoon => format!(
                "Câu hỏi được gửi quá nhanh sau khi mở trang (dưới {} giây). Hãy đọc lại rồi bấm Gửi một lần nữa.",
                guard::MIN_FILL_SECS
            ),
            Refusal::Stale => "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang hỏi đáp rồi gửi lại.".into(),
            Refusal::TooManyLinks => format!(
                "Câu hỏi có quá nhiều liên kết (tối đa {}).",
                guard::MAX_LINKS
            ),
            Refusal::Duplicate => "Câu hỏi này đã được gửi trước đây. Nếu bạn đã gửi, hãy dùng mã tra cứu để xem trả lời.".into(),
            Refusal::DailyLimit => format!(
                "Mỗi người gửi được tối đa {PER_VISITOR_DAY} câu hỏi một ngày. Vui lòng gửi lại vào ngày mai."
            ),
        }
    }

    /// A limit (429) rather than a fault in what was sent (400, or 409).
    pub fn is_limit(&self) -> bool {
        matches!(self, Refusal::DailyLimit)
    }
}

/// Where mail about a question goes, when the deployment sends mail.
#[derive(Clone, Copy, Debug)]
pub struct Mailing<'a> {
    /// `https://xa.tinh.gov.vn`: links in the messages.
    pub base_url: &'a str,
    pub site_name: &'a str,
}

/// A question being sent.
pub struct Asking<'a> {
    pub typed: &'a Typed,
    /// The form's token, as `guard::check_token` judged it.
    pub timing: guard::Timing,
    /// The statistics' visitor key of today.
    pub visitor: &'a str,
    pub day: NaiveDate,
    pub attachment: Option<&'a attachment::Checked>,
    pub mailing: Option<Mailing<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub id: i64,
    /// The tracking code as the asker is shown it (`HD-ABCDE-23456`).
    pub code: String,
}

/// Letters and digits that cannot be misread for one another (no 0/O, 1/I).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

fn new_code() -> String {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect()
}

/// `ABCDE23456` → `HD-ABCDE-23456`.
pub fn show_code(code: &str) -> String {
    if code.len() == 10 {
        format!("HD-{}-{}", &code[..5], &code[5..])
    } else {
        code.to_owned()
    }
}

/// A code as typed (`hd-abcde-23456`, `ABCDE 23456`) → as stored.
pub fn normalize_code(typed: &str) -> Option<String> {
    let mut s: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if s.len() == 12 && s.starts_with("HD") {
        s.drain(..2);
    }
    (s.len() == 10 && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(s)
}

/// Phone numbers as Vietnamese write them: digits, spaces, `+ ( ) . -`.
fn phone_ok(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +().-".contains(c))
        && (8..=15).contains(&digits)
}

/// The question checked and cleaned: (name, phone, email, field, title, body).
type Clean = (String, String, String, Option<i64>, String, String);

async fn checked(db: &Db, site_id: i64, t: &Typed) -> sqlx::Result<Result<Clean, Refusal>> {
    let invalid = |m: &str| Ok(Err(Refusal::Invalid(m.to_owned())));
    let name = crate::site::one_line(&t.name, MAX_NAME + 1);
    let phone = crate::site::one_line(&t.phone, 40);
    let email = t.email.trim().to_owned();
    let title = crate::site::one_line(&t.title, MAX_TITLE + 1);
    let body = vntext::normalize(&t.body);
    if name.is_empty() {
        return invalid("Hãy ghi họ tên của bạn.");
    }
    if name.chars().count() > MAX_NAME {
        return invalid("Họ tên dài quá 120 ký tự.");
    }
    if !phone.is_empty() && !phone_ok(&phone) {
        return invalid("Số điện thoại không hợp lệ: chỉ gồm 8 đến 15 chữ số và các dấu + ( ) . -");
    }
    if !email.is_empty() && !mail::is_address(&email) {
        return invalid("Địa chỉ thư điện tử không hợp lệ.");
    }
    if title.is_empty() {
        return invalid("Hãy ghi tiêu đề câu hỏi.");
    }
    if title.chars().count() > MAX_TITLE {
        return invalid("Tiêu đề dài quá 200 ký tự.");
    }
    if body.trim().is_empty() {
        return invalid("Hãy ghi nội dung câu hỏi.");
    }
    if body.chars().count() > MAX_BODY {
        return invalid("Nội dung câu hỏi dài quá 4.000 ký tự.");
    }
    if !t.consent {
        return invalid(
            "Hãy đánh dấu ô đồng ý cho cơ quan xử lý thông tin cá nhân để trả lời câu hỏi.",
        );
    }
    let field = match t.field.trim() {
        "" => None,
        id => {
            let found = match id.parse::<i64>() {
                Ok(id) => {
                    crate::content::document::terms::find(
                        db,
                        site_id,
                        crate::content::document::terms::List::Field,
                        id,
                    )
                    .await?
                }
                Err(_) => None,
            };
            match found {
                Some(term) => Some(term.id),
                None => return invalid("Lĩnh vực không có trong danh sách."),
            }
        }
    };
    Ok(Ok((name, phone, email, field, title, body)))
}

/// Takes a reader's question: checked, held against abuse, stored with its
/// attachment and its mail to staff in one transaction.
pub async fn submit(
    db: &Db,
    site_id: i64,
    asking: &Asking<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<Received, Refusal>> {
    const SENT_TODAY: &str =
        "SELECT COUNT(*) FROM questions WHERE site_id = $1 AND day = $2 AND visitor = $3";
    const SAME: &str = "SELECT COUNT(*) FROM questions WHERE site_id = $1 AND fingerprint = $2";
    const INSERT: &str = "INSERT INTO questions (site_id, code, field_id, name, phone, email, title, body, \
         fingerprint, visitor, day, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id";
    let t = asking.typed;
    if !t.trap.trim().is_empty() {
        return Ok(Err(Refusal::Trap));
    }
    match asking.timing {
        guard::Timing::Fine => {}
        guard::Timing::TooSoon => return Ok(Err(Refusal::TooSoon)),
        guard::Timing::Stale => return Ok(Err(Refusal::Stale)),
    }
    let (name, phone, email, field, title, body) = match checked(db, site_id, t).await? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    if guard::links(&format!("{title}\n{body}")) > guard::MAX_LINKS {
        return Ok(Err(Refusal::TooManyLinks));
    }
    let fingerprint = guard::fingerprint(&title, &body);
    let mut tx = db.begin().await?;
    let sent: i64 = with_tx!(tx, conn => sqlx::query_scalar(SENT_TODAY)
        .bind(site_id).bind(asking.day).bind(asking.visitor).fetch_one(&mut *conn).await)?;
    if sent >= PER_VISITOR_DAY {
        return Ok(Err(Refusal::DailyLimit));
    }
    let same: i64 = with_tx!(tx, conn => sqlx::query_scalar(SAME)
        .bind(site_id).bind(&fingerprint).fetch_one(&mut *conn).await)?;
    if same > 0 {
        return Ok(Err(Refusal::Duplicate));
    }
    // Fifty random bits: a clash is all but impossible, and would fail the
    // unique index rather than give two askers one code.
    let code = new_code();
    let id: i64 = with_tx!(tx, conn => sqlx::query_scalar(INSERT)
        .bind(site_id).bind(&code).bind(field).bind(&name).bind(&phone).bind(&email).bind(&title).bind(&body)
        .bind(&fingerprint).bind(asking.visitor).bind(asking.day).bind(now)
        .fetch_one(&mut *conn).await)?;
    if let Some(file) = asking.attachment {
        attachment::store(&mut tx, site_id, id, file, now).await?;
    }
    if let Some(m) = asking.mailing {
        let subject = format!("[{}] Câu hỏi mới: {title}", m.site_name);
        let text = format!(
            "Trang {} vừa nhận một câu hỏi của bạn đọc.\n\nTiêu đề: {title}\n\nXem và phân công trả lời: {}/admin/hoi-dap/{id}\n\n(Thư tự động từ bantin; thông tin liên hệ của người hỏi chỉ xem được trong trang quản trị.)\n",
            m.site_name, m.base_url
        );
        for to in handlers(&mut tx, site_id).await? {
            let out = mail::Outgoing {
                site_id,
                question_id: Some(id),
                recipient: &to,
                subject: &subject,
                body: &text,
            };
            mail::enqueue(&mut tx, &out, now).await?;
        }
    }
    tx.commit().await?;
    Ok(Ok(Received {
        id,
        code: show_code(&code),
    }))
}

/// Addresses of the site's staff who asked to hear of new questions.
async fn handlers(tx: &mut Tx, site_id: i64) -> sqlx::Result<Vec<String>> {
    const SQL: &str = "SELECT email FROM users WHERE site_id = $1 AND NOT disabled AND notify_questions \
         AND email <> '' AND role IN ('admin', 'editor') ORDER BY id";
    with_tx!(tx, conn => sqlx::query_scalar(SQL).bind(site_id).fetch_all(&mut *conn).await)
}

/// What the asker sees with their code: never the contact details.
#[derive(Clone, Debug, FromRow)]
pub struct Tracked {
    pub title: String,
    pub status: Status,
    pub slug: Option<String>,
    pub refusal: String,
    pub created_at: DateTime<Utc>,
}

pub async fn track(db: &Db, site_id: i64, code: &str) -> sqlx::Result<Option<Tracked>> {
    const SQL: &str = "SELECT title, status, slug, refusal, created_at FROM questions WHERE site_id = $1 AND code = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(code).fetch_optional(pool).await)
}

/// A published question and its answer, as readers see it.
#[derive(Clone, Debug, FromRow)]
pub struct Public {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub answer: String,
    pub name: String,
    pub field_id: Option<i64>,
    pub field_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub published_at: DateTime<Utc>,
}

const PUBLIC_COLUMNS: &str = "q.id, q.slug, q.title, q.body, q.answer, q.name, q.field_id, \
     f.name AS field_name, q.created_at, q.answered_at, q.published_at";
const PUBLIC_FROM: &str = "FROM questions q LEFT JOIN doc_terms f ON f.id = q.field_id WHERE q.site_id = $1 AND q.status = 'published'";

pub async fn find_public(db: &Db, site_id: i64, slug: &str) -> sqlx::Result<Option<Public>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} AND q.slug = $2")
    });
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(SQL.as_str())).bind(site_id).bind(slug).fetch_optional(pool).await)
}

/// The newest published pairs (the feed).
pub async fn latest_public(db: &Db, site_id: i64, limit: i64) -> sqlx::Result<Vec<Public>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} ORDER BY q.published_at DESC, q.id DESC LIMIT $2"
        )
    });
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(SQL.as_str())).bind(site_id).bind(limit).fetch_all(pool).await)
}

/// Every published pair's path and date (the sitemap).
pub async fn sitemap_entries(db: &Db, site_id: i64) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    const SQL: &str = "SELECT slug, published_at FROM questions WHERE site_id = $1 AND status = 'published' \
         ORDER BY published_at DESC";
    let rows: Vec<(String, DateTime<Utc>)> =
        with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(slug, at)| (format!("/hoi-dap/{slug}"), at))
        .collect())
}

/// One page of the public list, newest first (best first with a query):
/// (matches, the page).
pub async fn list_public(
    db: &Db,
    site_id: i64,
    field_id: Option<i64>,
    query: &Query,
    page: i64,
    per_page: i64,
) -> sqlx::Result<(i64, Vec<Public>)> {
    let mut cond = String::new();
    let mut next = 2;
    if field_id.is_some() {
        cond.push_str(&format!(" AND q.field_id = ${next}"));
        next += 1;
    }
    // Each folded word must begin a word of the folded text (only `a-z0-9`
    // reach the pattern: nothing of the query is SQL).
    let mut patterns: Vec<String> = Vec::new();
    for w in &query.words {
        let p = format!("% {}%", w.folded);
        if !patterns.contains(&p) {
            patterns.push(p);
        }
    }
    for _ in &patterns {
        cond.push_str(&format!(" AND q.search_text LIKE ${next}"));
        next += 1;
    }
    let count_sql = format!(
        "SELECT COUNT(*) FROM questions q WHERE q.site_id = $1 AND q.status = 'published'{cond}"
    );
    let offset = (page.max(1) - 1) * per_page;
    let list_sql = if query.is_empty() {
        format!(
            "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM}{cond} ORDER BY q.published_at DESC, q.id DESC LIMIT {per_page} OFFSET {offset}"
        )
    } else {
        format!(
            "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM}{cond} ORDER BY q.published_at DESC, q.id DESC LIMIT {CANDIDATES}"
        )
    };
    macro_rules! bound {
        ($q:expr) => {{
            let mut q = $q.bind(site_id);
            if let Some(f) = field_id {
                q = q.bind(f);
            }
            for p in &patterns {
                q = q.bind(p.clone());
            }
            q
        }};
    }
    let total: i64 = with_db!(db, pool => bound!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))).fetch_one(pool).await)?;
    let rows: Vec<Public> = with_db!(db, pool => bound!(sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()))).fetch_all(pool).await)?;
    if query.is_empty() {
        return Ok((total, rows));
    }
    let plain: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.body, sanitize::plain_text(&r.answer)))
        .collect();
    let candidates: Vec<crate::search::rank::Candidate<'_>> = rows
        .iter()
        .zip(&plain)
        .map(|(r, text)| crate::search::rank::Candidate {
            title: &r.title,
            summary: "",
            body: text,
            published_at: r.published_at,
        })
        .collect();
    let order = crate::search::rank::order(query, &candidates);
    let mut slots: Vec<Option<Public>> = rows.into_iter().map(Some).collect();
    let ranked: Vec<Public> = order
        .into_iter()
        .filter_map(|i| slots[i].take())
        .skip(offset as usize)
        .take(per_page as usize)
        .collect();
    Ok((total, ranked))
}

/// A question as staff see it.
#[derive(Clone, Debug, FromRow)]
pub struct Question {
    pub id: i64,
    pub code: String,
    pub field_id: Option<i64>,
    pub field_name: Option<String>,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub title: String,
    pub body: String,
    pub status: Status,
    pub assigned_to: Option<i64>,
    pub assignee_name: Option<String>,
    pub answer: String,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub refusal: String,
    pub slug: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub contact_removed_at: Option<DateTime<Utc>>,
    pub has_file: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const STAFF_COLUMNS: &str = "q.id, q.code, q.field_id, f.name AS field_name, q.name, q.phone, q.email, \
     q.title, q.body, q.status, q.assigned_to, u.display_name AS assignee_name, q.answer, \
     b.display_name AS answered_by_name, q.answered_at, q.refusal, q.slug, q.published_at, \
     q.contact_removed_at, EXISTS (SELECT 1 FROM question_files x WHERE x.question_id = q.id) AS has_file, \
     q.version, q.created_at \
     FROM questions q LEFT JOIN doc_terms f ON f.id = q.field_id \
     LEFT JOIN users u ON u.id = q.assigned_to LEFT JOIN users b ON b.id = q.answered_by";

pub async fn find(db: &Db, site_id: i64, id: i64) -> sqlx::Result<Option<Question>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {STAFF_COLUMNS} WHERE q.site_id = $1 AND q.id = $2")
    });
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(SQL.as_str())).bind(site_id).bind(id).fetch_optional(pool).await)
}

/// The queue: one status (or every one), newest first.
pub async fn queue(
    db: &Db,
    site_id: i64,
    status: Option<Status>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Question>> {
    static ALL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {STAFF_COLUMNS} WHERE q.site_id = $1 ORDER BY q.created_at DESC, q.id DESC LIMIT $2 OFFSET $3"
        )
    });
    static ONE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {STAFF_COLUMNS} WHERE q.site_id = $1 AND q.status = $4 ORDER BY q.created_at DESC, q.id DESC LIMIT $2 OFFSET $3"
        )
    });
    match status {
        None => with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(ALL.as_str()))
            .bind(site_id).bind(limit).bind(offset).fetch_all(pool).await),
        Some(s) => with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(ONE.as_str()))
            .bind(site_id).bind(limit).bind(offset).bind(s.as_str()).fetch_all(pool).await),
    }
}

/// Questions per status.
pub async fn counts(db: &Db, site_id: i64) -> sqlx::Result<Vec<(Status, i64)>> {
    const SQL: &str = "SELECT status, COUNT(*) FROM questions WHERE site_id = $1 GROUP BY status";
    let rows: Vec<(Status, i64)> =
        with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)?;
    Ok(Status::ALL
        .into_iter()
        .map(|s| (s, rows.iter().find(|r| r.0 == s).map_or(0, |r| r.1)))
        .collect())
}

/// Who acts on a question.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
}

/// What became of a staff step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    NotFound,
    /// Someone changed it since the form was opened.
    Conflict,
    Forbidden(&'static str),
    Invalid(String),
}

struct Current {
    status: Status,
    assigned_to: Option<i64>,
    version: i64,
    title: String,
    email: String,
    slug: Option<String>,
    code: String,
}

async fn current(tx: &mut Tx, site_id: i64, id: i64) -> sqlx::Result<Option<Current>> {
    const SQL: &str = "SELECT status, assigned_to, version, title, email, slug, code FROM questions WHERE site_id = $1 AND id = $2";
    type Row = (
        Status,
        Option<i64>,
        i64,
        String,
        String,
        Option<String>,
        String,
    );
    let row: Option<Row> = with_tx!(tx, conn => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(&mut *conn).await)?;
    Ok(row.map(
        |(status, assigned_to, version, title, email, slug, code)| Current {
            status,
            assigned_to,
            version,
            title,
            email,
            slug,
            code,
        },
    ))
}

async fn record(
    tx: &mut Tx,
    site_id: i64,
    actor: &Actor,
    action: audit::Action,
    id: i64,
    detail: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let target = format!("#{id}");
    let entry = audit::Record {
        site_id,
        user_id: Some(actor.user_id),
        action,
        target: &target,
        detail,
    };
    audit::record(tx, entry, now).await
}

/// Gives the question to a colleague of the site (`None`: to nobody);
/// editors and admins only. The colleague is told by mail when they have
/// an address.
#[allow(clippy::too_many_arguments)]
pub async fn assign(
    db: &Db,
    site_id: i64,
    actor: &Actor,
    id: i64,
    assignee: Option<i64>,
    version: i64,
    mailing: Option<Mailing<'_>>,
    now: DateTime<Utc>,
) -> sqlx::Result<Outcome> {
    const WHO: &str =
        "SELECT display_name, email FROM users WHERE site_id = $1 AND id = $2 AND NOT disabled";
    const SQL: &str = "UPDATE questions SET assigned_to = $1, status = $2, version = version + 1, updated_at = $3 \
         WHERE site_id = $4 AND id = $5 AND version = $6";
    if !actor.role.can_review() {
        return Ok(Outcome::Forbidden(
            "Chỉ biên tập viên và quản trị giao được câu hỏi.",
        ));
    }
    let mut tx = db.begin().await?;
    let Some(q) = current(&mut tx, site_id, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if q.version != version {
        return Ok(Outcome::Conflict);
    }
    if matches!(q.status, Status::Published | Status::Refused) {
        return Ok(Outcome::Invalid(
            "Câu hỏi đã đăng hoặc đã từ chối, không giao được nữa.".into(),
        ));
    }
    let who: Option<(String, String)> = match assignee {
        Some(uid) => {
            let found: Option<(String, String)> = with_tx!(tx, conn => sqlx::query_as(WHO)
                .bind(site_id).bind(uid).fetch_optional(&mut *conn).await)?;
            match found {
                Some(w) => Some(w),
                None => return Ok(Outcome::Invalid("Không có cán bộ này.".into())),
            }
        }
        None => None,
    };
    let status = match (q.status, assignee) {
        (Status::Answered, _) => Status::Answered,
        (_, Some(_)) => Status::Assigned,
        (_, None) => Status::New,
    };
    let n = with_tx!(tx, conn => sqlx::query(SQL)
        .bind(assignee).bind(status.as_str()).bind(now).bind(site_id).bind(id).bind(version)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(Outcome::Conflict);
    }
    let detail = who.as_ref().map_or("bỏ giao", |w| w.0.as_str());
    record(
        &mut tx,
        site_id,
        actor,
        audit::Action::QuestionAssign,
        id,
        detail,
        now,
    )
    .await?;
    if let (Some(m), Some((_, email))) = (mailing, &who)
        && !email.is_empty()
        && assignee != Some(actor.user_id)
    {
        let subject = format!("[{}] Bạn được giao trả lời: {}", m.site_name, q.title);
        let body = format!(
            "Bạn được giao trả lời câu hỏi “{}” trên trang {}.\n\nViết trả lời: {}/admin/hoi-dap/{id}\n",
            q.title, m.site_name, m.base_url
        );
        let out = mail::Outgoing {
            site_id,
            question_id: Some(id),
            recipient: email,
            subject: &subject,
            body: &body,
        };
        mail::enqueue(&mut tx, &out, now).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// What staff write: the question as it will be published (staff may take
/// out personal details the asker typed into it) and the answer.
#[derive(Clone, Debug, Default)]
pub struct Edit {
    pub title: String,
    pub body: String,
    /// As the editor sends it (HTML or plain paragraphs): sanitised here.
    pub answer: String,
}

/// What to do with the edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Keep the answer (published pairs are updated in place).
    Save,
    /// Save and publish (editors and admins).
    Publish,
}

/// Saves the answer, and publishes the pair when asked. The assignee or an
/// editor may answer; only editors and admins publish or change what is
/// published. The asker is told by mail at the first publication.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    db: &Db,
    site_id: i64,
    actor: &Actor,
    id: i64,
    edit: &Edit,
    step: Step,
    version: i64,
    style: Option<vntext::ToneStyle>,
    mailing: Option<Mailing<'_>>,
    now: DateTime<Utc>,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "UPDATE questions SET title = $1, body = $2, answer = $3, status = $4, \
         answered_by = $5, answered_at = COALESCE(answered_at, $6), slug = $7, \
         published_at = CASE WHEN $4 = 'published' THEN COALESCE(published_at, $6) ELSE published_at END, \
         search_text = $8, version = version + 1, updated_at = $6 \
         WHERE site_id = $9 AND id = $10 AND version = $11";
    let mut tx = db.begin().await?;
    let Some(q) = current(&mut tx, site_id, id).await? else {
        return Ok(Outcome::NotFound);
    };
    let reviewer = actor.role.can_review();
    if !reviewer && q.assigned_to != Some(actor.user_id) {
        return Ok(Outcome::Forbidden(
            "Chỉ người được giao, biên tập viên hoặc quản trị trả lời được câu hỏi này.",
        ));
    }
    if !reviewer && (step == Step::Publish || q.status == Status::Published) {
        return Ok(Outcome::Forbidden(
            "Chỉ biên tập viên và quản trị đăng được hỏi đáp.",
        ));
    }
    if q.version != version {
        return Ok(Outcome::Conflict);
    }
    if q.status == Status::Refused {
        return Ok(Outcome::Invalid("Câu hỏi đã bị từ chối.".into()));
    }
    let title = crate::site::one_line(&edit.title, MAX_TITLE + 1);
    let body = vntext::normalize(&edit.body);
    let answer = sanitize::body(&edit.answer, style);
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Ok(Outcome::Invalid(
            "Tiêu đề câu hỏi cần có, tối đa 200 ký tự.".into(),
        ));
    }
    if body.trim().is_empty() || body.chars().count() > MAX_BODY {
        return Ok(Outcome::Invalid(
            "Nội dung câu hỏi cần có, tối đa 4.000 ký tự.".into(),
        ));
    }
    if sanitize::plain_text(&answer).trim().is_empty() {
        return Ok(Outcome::Invalid("Hãy viết câu trả lời.".into()));
    }
    let status = match (step, q.status) {
        (Step::Publish, _) | (_, Status::Published) => Status::Published,
        _ => Status::Answered,
    };
    let first_publication = status == Status::Published && q.status != Status::Published;
    let slug = match (&q.slug, status) {
        (Some(s), _) => Some(s.clone()),
        (None, Status::Published) => {
            let base: String = vntext::slugify(&title).chars().take(80).collect();
            let base = base.trim_end_matches('-');
            Some(if base.is_empty() {
                format!("cau-hoi-{id}")
            } else {
                format!("{base}-{id}")
            })
        }
        (None, _) => None,
    };
    let search_text =
        guard::folded_words(&format!("{title} {body} {}", sanitize::plain_text(&answer)));
    let n = with_tx!(tx, conn => sqlx::query(SQL)
        .bind(&title).bind(&body).bind(&answer).bind(status.as_str()).bind(actor.user_id).bind(now)
        .bind(&slug).bind(&search_text).bind(site_id).bind(id).bind(version)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(Outcome::Conflict);
    }
    let action = if first_publication {
        audit::Action::QuestionPublish
    } else {
        audit::Action::QuestionAnswer
    };
    record(&mut tx, site_id, actor, action, id, &title, now).await?;
    if first_publication
        && let (Some(m), Some(slug)) = (mailing, &slug)
        && !q.email.is_empty()
    {
        let subject = format!("[{}] Câu hỏi của bạn đã được trả lời", m.site_name);
        let body = format!(
            "Câu hỏi “{title}” bạn gửi {} đã được trả lời.\n\nĐọc trả lời: {}/hoi-dap/{slug}\nMã tra cứu: {}\n\n(Thư tự động, xin đừng trả lời thư này.)\n",
            m.site_name,
            m.base_url,
            show_code(&q.code)
        );
        let out = mail::Outgoing {
            site_id,
            question_id: Some(id),
            recipient: &q.email,
            subject: &subject,
            body: &body,
        };
        mail::enqueue(&mut tx, &out, now).await?;
    }
    if status == Status::Published {
        tx.content_changed();
    }
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// Refuses a question (spam, abuse, not the commune's to answer), with
/// the reason the asker sees by their code; editors and admins only.
pub async fn refuse(
    db: &Db,
    site_id: i64,
    actor: &Actor,
    id: i64,
    reason: &str,
    version: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "UPDATE questions SET status = 'refused', refusal = $1, version = version + 1, updated_at = $2 \
         WHERE site_id = $3 AND id = $4 AND version = $5";
    if !actor.role.can_review() {
        return Ok(Outcome::Forbidden(
            "Chỉ biên tập viên và quản trị từ chối được câu hỏi.",
        ));
    }
    let reason = crate::site::one_line(reason, 500);
    if reason.is_empty() {
        return Ok(Outcome::Invalid(
            "Hãy ghi lý do từ chối (người hỏi sẽ thấy khi tra cứu).".into(),
        ));
    }
    let mut tx = db.begin().await?;
    let Some(q) = current(&mut tx, site_id, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if q.version != version {
        return Ok(Outcome::Conflict);
    }
    if q.status == Status::Published {
        return Ok(Outcome::Invalid(
            "Câu hỏi đang được đăng: hãy gỡ xuống trước.".into(),
        ));
    }
    let n = with_tx!(tx, conn => sqlx::query(SQL).bind(&reason).bind(now).bind(site_id).bind(id).bind(version)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(Outcome::Conflict);
    }
    record(
        &mut tx,
        site_id,
        actor,
        audit::Action::QuestionRefuse,
        id,
        &reason,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// Takes a published pair down (back to answered); editors and admins.
pub async fn unpublish(
    db: &Db,
    site_id: i64,
    actor: &Actor,
    id: i64,
    version: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "UPDATE questions SET status = 'answered', version = version + 1, updated_at = $1 \
         WHERE site_id = $2 AND id = $3 AND version = $4 AND status = 'published'";
    if !actor.role.can_review() {
        return Ok(Outcome::Forbidden(
            "Chỉ biên tập viên và quản trị gỡ được hỏi đáp.",
        ));
    }
    let mut tx = db.begin().await?;
    let Some(q) = current(&mut tx, site_id, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if q.version != version {
        return Ok(Outcome::Conflict);
    }
    if q.status != Status::Published {
        return Ok(Outcome::Invalid("Câu hỏi chưa được đăng.".into()));
    }
    let n = with_tx!(tx, conn => sqlx::query(SQL).bind(now).bind(site_id).bind(id).bind(version)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(Outcome::Conflict);
    }
    record(
        &mut tx,
        site_id,
        actor,
        audit::Action::QuestionUnpublish,
        id,
        &q.title,
        now,
    )
    .await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// New questions waiting (the dashboard's count).
pub async fn count_new(db: &Db, site_id: i64) -> sqlx::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM questions WHERE site_id = $1 AND status = 'new'";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).fetch_one(pool).await)
}

/// Removes the phone, email and attachment of every question asked longer
/// ago than its site's retention, with the mail about it, each site's
/// removal audited; returns how many questions were cleared.
pub async fn remove_expired_contacts(db: &Db, now: DateTime<Utc>) -> sqlx::Result<u64> {
    const SITES: &str = "SELECT id, question_retention_months FROM sites";
    const CLEAR: &str = "UPDATE questions SET phone = '', email = '', contact_removed_at = $1 \
         WHERE site_id = $2 AND created_at < $3 AND contact_removed_at IS NULL";
    const FILES: &str = "DELETE FROM question_files WHERE site_id = $1 AND question_id IN \
         (SELECT id FROM questions WHERE site_id = $1 AND created_at < $2)";
    const MAIL: &str = "DELETE FROM mail_outbox WHERE site_id = $1 AND question_id IN \
         (SELECT id FROM questions WHERE site_id = $1 AND created_at < $2)";
    let sites: Vec<(i64, i64)> = with_db!(db, pool => sqlx::query_as(SITES).fetch_all(pool).await)?;
    let mut cleared = 0;
    for (site_id, months) in sites {
        let months = months.clamp(1, MAX_RETENTION_MONTHS) as u32;
        let Some(cutoff) = now.checked_sub_months(Months::new(months)) else {
            continue;
        };
        let mut tx = db.begin().await?;
        let n = with_tx!(tx, conn => sqlx::query(CLEAR).bind(now).bind(site_id).bind(cutoff)
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        with_tx!(tx, conn => sqlx::query(FILES).bind(site_id).bind(cutoff).execute(&mut *conn).await.map(|_| ()))?;
        with_tx!(tx, conn => sqlx::query(MAIL).bind(site_id).bind(cutoff).execute(&mut *conn).await.map(|_| ()))?;
        if n > 0 {
            let detail = format!("{n} câu hỏi gửi trước {} tháng", months);
            let entry = audit::Record {
                site_id,
                user_id: None,
                action: audit::Action::QuestionContactsRemoved,
                target: "",
                detail: &detail,
            };
            audit::record(&mut tx, entry, now).await?;
        }
        tx.commit().await?;
        cleared += n;
    }
    Ok(cleared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_however_they_are_typed() {
        let code = new_code();
        assert_eq!(code.len(), 10);
        let shown = show_code(&code);
        assert_eq!(normalize_code(&shown).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalize_code(&shown.to_lowercase().replace('-', " ")).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(
            normalize_code("HD-ABCDE-2345O"),
            None,
            "O is not a code letter"
        );
        assert_eq!(normalize_code("abc"), None);
    }

    #[test]
    fn phones() {
        assert!(phone_ok("0912 345 678"));
        assert!(phone_ok("+84 (214) 3.868.123"));
        assert!(!phone_ok("12345"));
        assert!(!phone_ok("0912abc678"));
    }
}
