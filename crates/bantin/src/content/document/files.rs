//! Files attached to documents: PDF, Word (.doc, .docx), Excel (.xls,
//! .xlsx) and OpenDocument (.odt, .ods). Each is recognised by its content,
//! never by its name (a renamed program or web page is refused), stored
//! under a generated name with its SHA-256, and its text is extracted for
//! search (PDF, .docx, .odt); a PDF without a text layer is a scan, and
//! is marked so.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::audit;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// The default largest file.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// The most text kept of one file.
pub const MAX_TEXT_CHARS: usize = 300_000;
/// The most bytes read out of one entry of a zip archive (zip bombs).
const MAX_UNZIPPED: u64 = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Doc,
    Docx,
    Xls,
    Xlsx,
    Odt,
    Ods,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Pdf,
        Kind::Doc,
        Kind::Docx,
        Kind::Xls,
        Kind::Xlsx,
        Kind::Odt,
        Kind::Ods,
    ];

    pub fn ext(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Doc => "doc",
            Kind::Docx => "docx",
            Kind::Xls => "xls",
            Kind::Xlsx => "xlsx",
            Kind::Odt => "odt",
            Kind::Ods => "ods",
        }
    }

    pub fn from_ext(ext: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.ext() == ext)
    }

    pub fn mime(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Doc => "application/msword",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xls => "application/vnd.ms-excel",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Odt => "application/vnd.oasis.opendocument.text",
            Kind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }

    /// What readers are told it is.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Pdf => "PDF",
            Kind::Doc | Kind::Docx => "Word",
            Kind::Xls | Kind::Xlsx => "Excel",
            Kind::Odt => "OpenDocument văn bản",
            Kind::Ods => "OpenDocument bảng tính",
        }
    }

    /// PDFs open in the browser; the rest are downloaded.
    pub fn inline(self) -> bool {
        self == Kind::Pdf
    }
}

/// Why a file is refused, in Vietnamese.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Tệp rỗng.")]
    Empty,
    #[error("Tệp lớn quá {0} MB.")]
    TooLarge(u64),
    #[error(
        "Tệp “{0}” không phải PDF, Word (.doc, .docx), Excel (.xls, .xlsx) hay OpenDocument (.odt, .ods): bantin xem nội dung tệp, không xem tên."
    )]
    NotADocument(String),
    #[error("Tệp “{0}” có mật khẩu: hãy gỡ mật khẩu rồi tải lên lại.")]
    Encrypted(String),
    #[error("Tệp “{0}” bị hỏng, không đọc được.")]
    Damaged(String),
}

/// What a file's content is, from its first bytes and, for archives and
/// compound files, the parts they hold.
pub fn sniff(name: &str, bytes: &[u8]) -> Result<Kind, Refusal> {
    let not = || Refusal::NotADocument(name.to_owned());
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Kind::Pdf);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        let cfb = cfb::CompoundFile::open(Cursor::new(bytes))
            .map_err(|_| Refusal::Damaged(name.to_owned()))?;
        if cfb.exists("/EncryptedPackage") || cfb.exists("/EncryptionInfo") {
            return Err(Refusal::Encrypted(name.to_owned()));
        }
        if cfb.exists("/WordDocument") {
            return Ok(Kind::Doc);
        }
        if cfb.exists("/Workbook") || cfb.exists("/Book") {
            return Ok(Kind::Xls);
        }
        return Err(not());
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|_| Refusal::Damaged(name.to_owned()))?;
        if let Ok(mut entry) = zip.by_name("mimetype") {
            let mut mime = String::new();
            let _ = entry.by_ref().take(200).read_to_string(&mut mime);
            return match mime.trim() {
                "application/vnd.oasis.opendocument.text" => Ok(Kind::Odt),
                "application/vnd.oasis.opendocument.spreadsheet" => Ok(Kind::Ods),
                _ => Err(not()),
            };
        }
        let has = |zip: &mut zip::ZipArchive<Cursor<&[u8]>>, part: &str| zip.by_name(part).is_ok();
        if has(&mut zip, "[Content_Types].xml") {
            if has(&mut zip, "word/document.xml") {
                return Ok(Kind::Docx);
            }
            if has(&mut zip, "xl/workbook.xml") {
                return Ok(Kind::Xlsx);
            }
        }
        return Err(not());
    }
    Err(not())
}

/// The text of a zip archive's XML part, paragraphs on their own lines.
fn xml_text(bytes: &[u8], part: &str, paragraph: &[&str], text: &[&str]) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut xml = String::new();
    zip.by_name(part)
        .ok()?
        .by_ref()
        .take(MAX_UNZIPPED)
        .read_to_string(&mut xml)
        .ok()?;
    let doc = roxmltree::Document::parse_with_options(
        &xml,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    )
    .ok()?;
    let mut out = String::new();
    for node in doc.descendants() {
        let name = node.tag_name().name();
        if node.is_element() && paragraph.contains(&name) && !out.is_empty() {
            out.push('\n');
        }
        if node.is_element() && text.contains(&name) {
            // Only the element's own text: the children come up in turn.
            for child in node.children().filter(|c| c.is_text()) {
                out.push_str(child.text().unwrap_or(""));
            }
        }
        if node.is_element() && (name == "tab" || name == "s") {
            out.push(' ');
        }
        if out.len() > MAX_TEXT_CHARS * 4 {
            break;
        }
    }
    Some(out)
}

/// The text of a PDF; `None` when it cannot be read. pdf-extract panics on
/// some malformed files, so it runs under `catch_unwind`.
fn pdf_text(bytes: &[u8]) -> Option<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem(bytes).ok()
    }))
    .ok()
    .flatten()
}

/// What can be searched of a file: its text, and whether it has any (a
/// scanned PDF has none).
pub fn extract_text(kind: Kind, bytes: &[u8]) -> (String, bool) {
    let text = match kind {
        Kind::Pdf => pdf_text(bytes),
        Kind::Docx => xml_text(bytes, "word/document.xml", &["p"], &["t"]),
        Kind::Odt => xml_text(bytes, "content.xml", &["p", "h"], &["p", "h", "span", "a"]),
        _ => None,
    }
    .unwrap_or_default();
    let text: String = vntext::normalize(&text)
        .chars()
        .take(MAX_TEXT_CHARS)
        .collect();
    // A page of a scan yields at most stray characters.
    let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
    let has_text = letters >= 20;
    (if has_text { text } else { String::new() }, has_text)
}

/// A file that passed every check, not yet stored.
pub struct Checked {
    pub kind: Kind,
    pub original: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub text: String,
    pub has_text: bool,
}

/// Recognises and reads a file on a blocking thread (at most two at a
/// time: reading a PDF takes CPU); stores nothing.
pub async fn check(name: &str, bytes: Vec<u8>, max_bytes: u64) -> Result<Checked, Refusal> {
    static READS: std::sync::LazyLock<tokio::sync::Semaphore> =
        std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(2));
    if bytes.len() as u64 > max_bytes {
        return Err(Refusal::TooLarge(max_bytes / (1024 * 1024)));
    }
    let original: String = vntext::normalize(name)
        .replace(['/', '\\', '\n'], " ")
        .chars()
        .take(200)
        .collect();
    let original = if original.trim().is_empty() {
        "van-ban".to_owned()
    } else {
        original.trim().to_owned()
    };
    let _turn = READS.acquire().await.ok();
    let shown = original.clone();
    tokio::task::spawn_blocking(move || {
        let kind = sniff(&shown, &bytes)?;
        let (text, has_text) = extract_text(kind, &bytes);
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Checked {
            kind,
            original: shown,
            bytes,
            sha256,
            text,
            has_text,
        })
    })
    .await
    .unwrap_or(Err(Refusal::Damaged(original)))
}

/// `{32 hex}.{ext}`: the only names `/van-ban/tep/` serves.
pub fn is_file_name(file: &str) -> bool {
    let Some((name, ext)) = file.split_once('.') else {
        return false;
    };
    name.len() == 32
        && name
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && Kind::from_ext(ext).is_some()
}

/// A stored file.
#[derive(Clone, Debug, FromRow)]
pub struct File {
    pub id: i64,
    pub article_id: i64,
    pub name: String,
    pub ext: String,
    pub original: String,
    pub bytes: i64,
    pub sha256: String,
    pub has_text: bool,
    pub downloads: i64,
}

impl File {
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.name, self.ext)
    }

    pub fn href(&self) -> String {
        format!("/van-ban/tep/{}", self.file_name())
    }

    pub fn kind(&self) -> Kind {
        Kind::from_ext(&self.ext).unwrap_or(Kind::Pdf)
    }

    /// "1,2 MB", "350 KB".
    pub fn size(&self) -> String {
        let b = self.bytes as f64;
        if b >= 1024.0 * 1024.0 {
            format!("{:.1} MB", b / (1024.0 * 1024.0)).replace('.', ",")
        } else {
            format!("{} KB", (self.bytes + 1023) / 1024)
        }
    }
}

const COLUMNS: &str = "id, article_id, name, ext, original, bytes, sha256, has_text, downloads";

pub async fn of_document(db: &Db, site_id: i64, article_id: i64) -> sqlx::Result<Vec<File>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM document_files WHERE site_id = $1 AND article_id = $2 ORDER BY position, id"
    );
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(site_id).bind(article_id).fetch_all(pool).await)
}

/// A file readers may download: of this site, of a public document.
pub async fn find_public(
    db: &Db,
    site_id: i64,
    file: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<File>> {
    let Some((name, _)) = file.split_once('.').filter(|_| is_file_name(file)) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT f.{} FROM document_files f JOIN articles a ON a.id = f.article_id \
         WHERE f.site_id = $1 AND f.name = $2 AND a.status = 'published' AND a.published_at <= $3",
        COLUMNS.replace(", ", ", f.")
    );
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(site_id).bind(name).bind(now)
        .fetch_optional(pool).await)
}

/// A file staff may open (any status of its document).
pub async fn find(db: &Db, site_id: i64, file: &str) -> sqlx::Result<Option<File>> {
    let Some((name, _)) = file.split_once('.').filter(|_| is_file_name(file)) else {
        return Ok(None);
    };
    let sql = format!("SELECT {COLUMNS} FROM document_files WHERE site_id = $1 AND name = $2");
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(site_id).bind(name).fetch_optional(pool).await)
}

/// One more download (readers only: bots are not counted).
pub async fn count_download(db: &Db, id: i64) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE document_files SET downloads = downloads + 1 WHERE id = $1";
    with_db!(db, pool => sqlx::query(SQL).bind(id).execute(pool).await.map(|_| ()))
}

/// A file on disk, removed again when dropped unless its transaction
/// committed ([`Written::keep`]).
pub struct Written {
    path: Option<PathBuf>,
}

impl Written {
    pub fn keep(mut self) {
        self.path = None;
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Writes a checked file under a new name in `dir` and records it for the
/// document in the transaction (with its audit entry, and the document's
/// search text). The file goes if the guard is dropped unkept.
#[allow(clippy::too_many_arguments)]
pub async fn store(
    tx: &mut Tx,
    dir: &Path,
    site_id: i64,
    article_id: i64,
    user_id: Option<i64>,
    checked: &Checked,
    now: DateTime<Utc>,
) -> Result<(File, Written), StoreError> {
    const SQL: &str = "INSERT INTO document_files (site_id, article_id, name, ext, original, bytes, sha256, \
         has_text, text, position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         (SELECT COALESCE(MAX(position), 0) + 1 FROM document_files WHERE article_id = $2), $10) RETURNING id";
    let name = crate::accounts::secret::random_hex(16);
    let ext = checked.kind.ext();
    tokio::fs::create_dir_all(dir).await?;
    let path = dir.join(format!("{name}.{ext}"));
    let tmp = path.with_extension("tmp");
    if let Err(e) = async {
        tokio::fs::write(&tmp, &checked.bytes).await?;
        tokio::fs::rename(&tmp, &path).await
    }
    .await
    {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(e.into());
    }
    let written = Written { path: Some(path) };
    let id: i64 = with_tx!(tx, conn => sqlx::query_scalar(SQL)
        .bind(site_id).bind(article_id).bind(&name).bind(ext).bind(&checked.original)
        .bind(checked.bytes.len() as i64).bind(&checked.sha256).bind(checked.has_text).bind(&checked.text)
        .bind(now).fetch_one(&mut *conn).await)?;
    super::refresh_search(tx, article_id).await?;
    let file = File {
        id,
        article_id,
        name,
        ext: ext.to_owned(),
        original: checked.original.clone(),
        bytes: checked.bytes.len() as i64,
        sha256: checked.sha256.clone(),
        has_text: checked.has_text,
        downloads: 0,
    };
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::DocumentFileAdd,
        target: &file.href(),
        detail: &file.original,
    };
    audit::record(tx, entry, now).await?;
    tx.content_changed();
    Ok((file, written))
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("cannot write the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Checks and attaches one upload to a document, all or nothing.
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    db: &Db,
    dir: &Path,
    max_bytes: u64,
    site_id: i64,
    article_id: i64,
    user_id: Option<i64>,
    name: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<File, StoreError> {
    let checked = check(name, bytes, max_bytes).await?;
    let mut tx = db.begin().await?;
    let (file, written) = store(&mut tx, dir, site_id, article_id, user_id, &checked, now).await?;
    tx.commit().await?;
    written.keep();
    Ok(file)
}

/// Removes a file from its document (and from disk once that is recorded).
pub async fn remove(
    db: &Db,
    dir: &Path,
    site_id: i64,
    article_id: i64,
    user_id: Option<i64>,
    file: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    const SQL: &str =
        "DELETE FROM document_files WHERE site_id = $1 AND article_id = $2 AND name = $3";
    let Some(found) = find(db, site_id, file)
        .await?
        .filter(|f| f.article_id == article_id)
    else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => sqlx::query(SQL).bind(site_id).bind(article_id).bind(&found.name)
        .execute(&mut *conn).await.map(|_| ()))?;
    super::refresh_search(&mut tx, article_id).await?;
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::DocumentFileRemove,
        target: &found.href(),
        detail: &found.original,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    let _ = tokio::fs::remove_file(dir.join(found.file_name())).await;
    Ok(true)
}

/// `Content-Disposition` for a file: inline (PDF) or attachment, with the
/// Vietnamese name as RFC 6266 / 5987 ask (`filename*=UTF-8''…`) and an
/// ASCII fallback for old clients.
pub fn content_disposition(file: &File) -> String {
    let kind = file.kind();
    let ext = kind.ext();
    let mut name = file.original.clone();
    if !name.to_lowercase().ends_with(&format!(".{ext}")) {
        name = format!("{name}.{ext}");
    }
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    let mut ascii = vntext::slugify(stem);
    if ascii.is_empty() {
        ascii = "van-ban".into();
    }
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "{}; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{encoded}",
        if kind.inline() {
            "inline"
        } else {
            "attachment"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(sniff("a.pdf", b"%PDF-1.7\n..."), Ok(Kind::Pdf));
        assert!(matches!(
            sniff("a.pdf", b"MZ\x90\x00 program"),
            Err(Refusal::NotADocument(_))
        ));
        assert!(matches!(
            sniff("a.doc", b"<html><script>x</script>"),
            Err(Refusal::NotADocument(_))
        ));
        assert_eq!(sniff("a.pdf", b""), Err(Refusal::Empty));
    }

    #[test]
    fn generated_names_only() {
        assert!(is_file_name("0123456789abcdef0123456789abcdef.pdf"));
        assert!(!is_file_name("0123456789abcdef0123456789abcdef.exe"));
        assert!(!is_file_name("../0123456789abcdef0123456789abcd.pdf"));
        assert!(!is_file_name("0123456789ABCDEF0123456789abcdef.pdf"));
    }

    #[test]
    fn vietnamese_names_survive_the_download() {
        let f = File {
            id: 1,
            article_id: 1,
            name: "0".repeat(32),
            ext: "docx".into(),
            original: "Quyết định số 12.docx".into(),
            bytes: 2048,
            sha256: String::new(),
            has_text: true,
            downloads: 0,
        };
        assert_eq!(
            content_disposition(&f),
            "attachment; filename=\"quyet-dinh-so-12.docx\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2012.docx"
        );
        assert_eq!(f.size(), "2 KB");
    }
}
