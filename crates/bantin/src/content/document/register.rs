//! Moving a commune's register of documents in: a spreadsheet saved as CSV
//! (UTF-8, or the Windows-1258 / TCVN3 / VNI that such registers still come
//! in), one row per document, columns found by their Vietnamese names in
//! any order, case and diacritics ignored. Each row is imported whole or
//! not at all (its files included); a row already on the site is left as
//! it is, so running an import again changes nothing.

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::files;
use super::terms::{self, List};
use super::{Entry, by_number, format_date, number_key, parse_date};
use crate::audit;
use crate::content::article::{self, Kind, NewArticle, Status};
use crate::db::Db;
use crate::with_db;

/// The columns bantin reads, by their folded names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Number,
    Type,
    Issuer,
    Signer,
    Field,
    Issued,
    Effective,
    Expires,
    Abstract,
    Replaces,
    Files,
}

fn column(header: &str) -> Option<Column> {
    let folded: String = vntext::fold(header)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(match folded.trim_matches(|c: char| !c.is_alphanumeric()) {
        "so ky hieu" | "so hieu" | "so ky hieu van ban" => Column::Number,
        "loai van ban" | "loai" => Column::Type,
        "co quan ban hanh" => Column::Issuer,
        "nguoi ky" => Column::Signer,
        "linh vuc" => Column::Field,
        "ngay ban hanh" => Column::Issued,
        "ngay hieu luc" | "ngay co hieu luc" => Column::Effective,
        "ngay het hieu luc" => Column::Expires,
        "trich yeu" | "trich yeu noi dung" => Column::Abstract,
        "thay the van ban" | "thay the" => Column::Replaces,
        "tep" | "tep dinh kem" | "tep tin" => Column::Files,
        _ => return None,
    })
}

/// One row of the register, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    pub number: String,
    pub type_name: String,
    pub issuer: String,
    pub signer: String,
    pub field: String,
    pub issued_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub title: String,
    pub replaces: String,
    pub files: Vec<String>,
}

/// A register read: its rows (or, per line, why one cannot be), the
/// encoding it came in, and the columns it has that bantin does not read.
#[derive(Debug, Default)]
pub struct Read {
    pub rows: Vec<Result<Row, (u64, String)>>,
    pub encoding: &'static str,
    pub unknown_columns: Vec<String>,
}

/// The text of a register file, whatever it was saved as.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), "UTF-8");
    }
    // Not UTF-8: Windows-1258, or TCVN3 / VNI bytes. Whichever reading
    // gives more Vietnamese syllables wins.
    let (windows, _, _) = encoding_rs::WINDOWS_1258.decode(bytes);
    let windows = vntext::normalize(&windows);
    let latin1: String = bytes.iter().map(|&b| b as char).collect();
    match vntext::repair_legacy(&latin1) {
        Some((text, encoding)) if syllables(&text) > syllables(&windows) => (text, encoding.name()),
        _ => (windows, "Windows-1258"),
    }
}

/// How many words of a text are Vietnamese syllables with a diacritic.
fn syllables(text: &str) -> usize {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_ascii() && vntext::is_syllable(w))
        .count()
}

/// One field: normalised, and converted from TCVN3 or VNI when a register
/// saved as UTF-8 still holds legacy-encoded text.
fn field(raw: &str) -> String {
    let text = vntext::normalize(raw);
    match vntext::repair_legacy(&text) {
        Some((fixed, _)) => vntext::normalize(&fixed),
        None => text,
    }
}

/// Reads a register. Fails only when it has no header or lacks a column
/// every document needs.
pub fn read(bytes: &[u8]) -> Result<Read, String> {
    let (text, encoding) = decode(bytes);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("không đọc được dòng tiêu đề: {e}"))?
        .clone();
    let mut columns = Vec::new();
    let mut unknown_columns = Vec::new();
    for h in headers.iter() {
        let c = column(&field(h));
        if c.is_none() && !h.trim().is_empty() {
            unknown_columns.push(field(h));
        }
        columns.push(c);
    }
    for (need, name) in [
        (Column::Number, "Số ký hiệu"),
        (Column::Issued, "Ngày ban hành"),
        (Column::Abstract, "Trích yếu"),
    ] {
        if !columns.contains(&Some(need)) {
            return Err(format!("thiếu cột “{name}”"));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rows.push(Err((line, format!("dòng không đọc được: {e}"))));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        rows.push(row(line, &columns, &record));
    }
    Ok(Read {
        rows,
        encoding,
        unknown_columns,
    })
}

fn row(
    line: u64,
    columns: &[Option<Column>],
    record: &csv::StringRecord,
) -> Result<Row, (u64, String)> {
    let mut r = Row {
        line,
        ..Row::default()
    };
    let date = |v: &str, what: &str| -> Result<Option<NaiveDate>, (u64, String)> {
        match v.trim() {
            "" => Ok(None),
            v => parse_date(v)
                .map(Some)
                .ok_or_else(|| (line, format!("{what} “{v}” không đúng dạng ngày/tháng/năm"))),
        }
    };
    for (c, value) in columns.iter().zip(record.iter()) {
        let v = field(value);
        match c {
            Some(Column::Number) => r.number = crate::site::one_line(&v, 60),
            Some(Column::Type) => r.type_name = crate::site::one_line(&v, 120),
            Some(Column::Issuer) => r.issuer = crate::site::one_line(&v, 120),
            Some(Column::Signer) => r.signer = crate::site::one_line(&v, 120),
            Some(Column::Field) => r.field = crate::site::one_line(&v, 120),
            Some(Column::Issued) => r.issued_on = date(&v, "ngày ban hành")?,
            Some(Column::Effective) => r.effective_on = date(&v, "ngày hiệu lực")?,
            Some(Column::Expires) => r.expires_on = date(&v, "ngày hết hiệu lực")?,
            Some(Column::Abstract) => r.title = crate::site::one_line(&v, 500),
            Some(Column::Replaces) => r.replaces = v.trim().to_owned(),
            Some(Column::Files) => {
                r.files = v
                    .split(';')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            None => {}
        }
    }
    if number_key(&r.number).is_empty() {
        return Err((line, "thiếu số ký hiệu".into()));
    }
    if r.issued_on.is_none() {
        return Err((line, "thiếu ngày ban hành".into()));
    }
    if r.title.is_empty() {
        return Err((line, "thiếu trích yếu".into()));
    }
    Ok(r)
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Imported, at this public path.
    Created(String),
    /// On the site already: left as it is.
    Known(String),
}

/// Where the files come from and go to.
pub struct Places<'a> {
    /// The folder the register's file names are in.
    pub source: &'a Path,
    /// Where bantin keeps files (the media folder).
    pub store: &'a Path,
    pub max_bytes: u64,
}

/// Imports one row: the document, its register entry, its links and its
/// files, in one transaction. `Err` says why nothing was stored.
pub async fn import_row(
    db: &Db,
    site_id: i64,
    places: &Places<'_>,
    r: &Row,
    now: DateTime<Utc>,
) -> Result<Done, String> {
    const KNOWN: &str = "SELECT a.slug FROM documents d JOIN articles a ON a.id = d.article_id \
         WHERE d.site_id = $1 AND d.number_key = $2 AND d.issued_on = $3";
    let db_error = |e: sqlx::Error| format!("lỗi cơ sở dữ liệu: {e}");
    let issued_on = r.issued_on.ok_or("thiếu ngày ban hành")?;
    let known: Option<String> = with_db!(db, pool => sqlx::query_scalar(KNOWN)
        .bind(site_id).bind(number_key(&r.number)).bind(issued_on).fetch_optional(pool).await)
    .map_err(db_error)?;
    if let Some(slug) = known {
        return Ok(Done::Known(format!("/van-ban/{slug}")));
    }
    // Files first: one that is missing or not what it says stops the row
    // before anything is written.
    let mut checked = Vec::new();
    for name in &r.files {
        let plain = Path::new(name)
            .file_name()
            .is_some_and(|f| f == std::ffi::OsStr::new(name));
        if !plain {
            return Err(format!(
                "tên tệp “{name}” phải là một tệp trong thư mục, không có đường dẫn"
            ));
        }
        let bytes = std::fs::read(places.source.join(name))
            .map_err(|e| format!("không đọc được tệp “{name}”: {e}"))?;
        let c = files::check(name, bytes, places.max_bytes)
            .await
            .map_err(|e| e.to_string())?;
        checked.push(c);
    }
    let mut replaces = Vec::new();
    for n in r
        .replaces
        .split(';')
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match by_number(db, site_id, n, issued_on)
            .await
            .map_err(db_error)?
        {
            Some(id) => replaces.push(id),
            None => {
                return Err(format!(
                    "không tìm thấy văn bản số {n} (ban hành trước {}) mà văn bản này thay thế",
                    format_date(issued_on)
                ));
            }
        }
    }
    let effective = r.effective_on.unwrap_or(issued_on);
    if r.effective_on.is_some_and(|e| e < issued_on) {
        return Err("ngày hiệu lực trước ngày ban hành".into());
    }
    if r.expires_on.is_some_and(|x| x <= effective) {
        return Err("ngày hết hiệu lực không sau ngày hiệu lực".into());
    }
    // Published as of its day of issue (00:00 in Vietnam), not the day of
    // the import.
    let published_at = crate::localtime::vietnam()
        .from_local_datetime(&issued_on.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| *t <= now)
        .unwrap_or(now);
    let result: Result<(String, Vec<files::Written>), files::StoreError> = async {
        let mut tx = db.begin().await?;
        let term =
            async |tx: &mut crate::db::Tx, list: List, name: &str| -> sqlx::Result<Option<i64>> {
                if name.is_empty() {
                    Ok(None)
                } else {
                    terms::ensure(tx, site_id, list, name).await.map(Some)
                }
            };
        let type_id = term(&mut tx, List::Type, &r.type_name).await?;
        let issuer_id = term(&mut tx, List::Issuer, &r.issuer).await?;
        let field_id = term(&mut tx, List::Field, &r.field).await?;
        let new = NewArticle {
            site_id,
            title: &r.title,
            status: Status::Published,
            published_at: Some(published_at),
            kind: Kind::Document,
            ..NewArticle::default()
        };
        let slug = vntext::slugify(&format!("{} {}", r.number, r.title));
        let (id, slug) = article::insert(&mut tx, &new, &slug, now)
            .await?
            .ok_or_else(|| {
                sqlx::Error::Protocol("a document without a source hash was refused".into())
            })?;
        let entry = Entry {
            number: r.number.clone(),
            type_id,
            issuer_id,
            field_id,
            signer: r.signer.clone(),
            issued_on,
            effective_on: r.effective_on,
            expires_on: r.expires_on,
            comment_until: None,
            replaces: replaces.clone(),
            amends: Vec::new(),
        };
        super::write(&mut tx, site_id, id, &entry).await?;
        let mut written = Vec::new();
        for c in &checked {
            let (_, w) = files::store(&mut tx, places.store, site_id, id, None, c, now).await?;
            written.push(w);
        }
        let path = format!("/van-ban/{slug}");
        let record = audit::Record {
            site_id,
            user_id: None,
            action: audit::Action::ArticleImport,
            target: &path,
            detail: &r.number,
        };
        audit::record(&mut tx, record, now).await?;
        tx.commit().await?;
        Ok((path, written))
    }
    .await;
    match result {
        Ok((path, written)) => {
            for w in written {
                w.keep();
            }
            Ok(Done::Created(path))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The rows in the order they can be imported: older documents first, so
/// the one a newer document replaces is already there.
pub fn in_order(rows: &mut [Row]) {
    rows.sort_by_key(|r| (r.issued_on, r.line));
}
