//! `bantin import-text`: a page of a portal captured as text becomes a
//! published article.
//!
//! The shape (see `tests/fixtures/` and the seed page): the first non-empty
//! line is the title, then body paragraphs, one per line; the last short line
//! is the byline ("Lồ Sinh."); after it comes the page's chrome — menu
//! entries, the log-in link, the visitor-statistics widget — which is
//! recognised and dropped, as is chrome before the title.
//!
//! The date and time the page shows ("Ngày đăng: 15/11/2026 09:30",
//! "Thứ Hai, 15/11/2026", "Cập nhật lúc 09:30 ngày 15/11/2026"), on a line
//! of its own near the title, is the article's publication time.
//!
//! Text typed in the legacy TCVN3 or VNI encodings is recognised, line by
//! line, and converted first; then everything is cleaned as all stored text
//! is (`content::text::clean`). A title that is still mostly not Vietnamese
//! after that is reported as suspicious.

pub mod body;
pub mod incoming;
pub mod ledger;
pub mod nukeviet;
pub mod wordpress;
pub mod wxr;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::content::article::{self, NewArticle, Status};
use crate::content::html::paragraphs_to_html;
use crate::content::text;
use crate::db::{Db, Tx};
use crate::site::Site;

/// A captured page, parsed and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedPage {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub byline: Option<String>,
    /// The legacy encoding the text was converted from, if any.
    pub legacy: Option<vntext::LegacyEncoding>,
    /// The publication time the page shows, in Vietnam.
    pub shown_at: Option<NaiveDateTime>,
}

/// Why a file cannot be imported. The messages are shown to the operator.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejection {
    #[error("không đọc được tệp: {0}")]
    Unreadable(String),
    #[error("tệp không phải văn bản UTF-8 (hãy lưu lại với mã hoá UTF-8)")]
    NotUtf8,
    #[error("tệp rỗng")]
    Empty,
    #[error("không tìm thấy nội dung bài viết (chỉ có tiêu đề)")]
    NoBody,
    #[error("tiêu đề quá dài ({0} ký tự, tối đa {MAX_TITLE_CHARS})")]
    TitleTooLong(usize),
}

pub const MAX_TITLE_CHARS: usize = 300;
/// A byline is a name, perhaps with a title: short.
const MAX_BYLINE_CHARS: usize = 60;
const MAX_BYLINE_WORDS: usize = 8;
const SUMMARY_CHARS: usize = 240;

/// Menu entries and links of the page around the article (folded).
const CHROME_LINES: &[&str] = &[
    "tin tuc",
    "trang chu",
    "dang nhap",
    "dang xuat",
    "thong ke truy cap",
    "thong ke",
    "lien he",
    "gioi thieu",
    "so do trang",
    "tim kiem",
];

/// Labels of the visitor-statistics widget, followed by `: <number>` (folded).
const COUNTER_LABELS: &[&str] = &[
    "dang online",
    "dang truy cap",
    "hom nay",
    "hom qua",
    "trong tuan",
    "tuan nay",
    "trong thang",
    "thang nay",
    "tat ca",
    "tong truy cap",
    "tong so",
    "luot truy cap",
];

fn is_chrome(line: &str) -> bool {
    let line = line
        .trim_start_matches(['•', '·', '●', '-', '*', '+', '›', '»'])
        .trim();
    let folded = vntext::fold(line);
    if CHROME_LINES.contains(&folded.as_str()) {
        return true;
    }
    match folded.split_once(':') {
        Some((label, value)) => {
            let value = value.trim();
            COUNTER_LABELS.contains(&label.trim())
                && !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        }
        None => false,
    }
}

/// Parses the text of a captured page, placing tone marks by `style`.
pub fn parse(text: &str, style: Option<vntext::ToneStyle>) -> Result<CapturedPage, Rejection> {
    let (normalized, legacy) = match vntext::repair_legacy(text) {
        Some((unicode, encoding)) => (text::clean(&unicode, style), Some(encoding)),
        None => (text::clean(text, style), None),
    };
    let mut lines: Vec<&str> = normalized.lines().filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        return Err(Rejection::Empty);
    }
    while lines.last().is_some_and(|l| is_chrome(l)) {
        lines.pop();
    }
    let leading = lines
        .iter()
        .take_while(|l| is_chrome(l) || date_line(l).is_some())
        .count();
    let rest = lines.split_off(leading);
    let before = lines;
    let mut lines = rest.into_iter();

    let title = lines.next().ok_or(Rejection::Empty)?.to_owned();
    let title_chars = title.chars().count();
    if title_chars > MAX_TITLE_CHARS {
        return Err(Rejection::TitleTooLong(title_chars));
    }
    let mut paragraphs: Vec<String> = lines.map(str::to_owned).collect();
    // The date line: among the chrome before the title, or just after the
    // title, or at the very end (after the byline).
    let mut shown_at = before.iter().rev().find_map(|l| date_line(l));
    let n = paragraphs.len();
    let near: Vec<usize> = (0..n.min(2)).chain(n.saturating_sub(2).max(2)..n).collect();
    if let Some(i) = near
        .into_iter()
        .find(|&i| date_line(&paragraphs[i]).is_some())
    {
        let found = date_line(&paragraphs.remove(i));
        shown_at = shown_at.or(found);
    }

    let byline = match paragraphs.last() {
        Some(last) if paragraphs.len() >= 2 && looks_like_byline(last) => paragraphs.pop(),
        _ => None,
    };
    if paragraphs.is_empty() {
        return Err(Rejection::NoBody);
    }
    Ok(CapturedPage {
        title,
        paragraphs,
        byline,
        legacy,
        shown_at,
    })
}

/// Words a line that only dates a page may hold besides the date and time
/// (folded): "Ngày đăng", "Cập nhật lúc", "Thứ Hai", "Chủ nhật", "giờ"…
const DATE_WORDS: &[&str] = &[
    "ngay", "dang", "tai", "cap", "nhat", "luc", "xuat", "ban", "thoi", "gian", "thu", "hai", "ba",
    "tu", "nam", "sau", "bay", "chu", "gio", "phut", "sang", "chieu", "toi", "am", "pm", "gmt+7",
    "utc+7",
];

/// The date and time (in Vietnam) of a line that holds nothing else:
/// `Ngày đăng: 15/11/2026 09:30`, `Thứ Hai, 15/11/2026`, `Cập nhật lúc
/// 09:30 ngày 15/11/2026`, `15-11-2026 9h30`. A sentence that mentions a
/// date is not such a line.
pub fn date_line(line: &str) -> Option<NaiveDateTime> {
    if line.chars().count() > 80 {
        return None;
    }
    let folded = vntext::fold(line);
    let mut date = None;
    let mut time = None;
    let mut previous = "";
    let separators = |c: char| c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')' | '–' | '—');
    for token in folded.split(separators) {
        let token = token.trim_matches(|c: char| matches!(c, ':' | '.' | '-'));
        if token.is_empty() {
            continue;
        }
        let weekday = previous == "thu" && matches!(token, "2" | "3" | "4" | "5" | "6" | "7");
        previous = token;
        if weekday {
            continue;
        }
        if let Some(d) = parse_date(token) {
            if date.replace(d).is_some() {
                return None;
            }
        } else if let Some(t) = parse_time(token) {
            if time.replace(t).is_some() {
                return None;
            }
        } else if !DATE_WORDS.contains(&token) {
            return None;
        }
    }
    Some(date?.and_time(time.unwrap_or(NaiveTime::MIN)))
}

/// `15/11/2026`, `15-11-2026`, `15.11.2026`.
fn parse_date(token: &str) -> Option<NaiveDate> {
    let mut parts = token.split(['/', '-', '.']);
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() > 2 || m.len() > 2 || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `09:30`, `9:30:15`, `9h30`, `9h`.
fn parse_time(token: &str) -> Option<NaiveTime> {
    let (h, rest) = token.split_once([':', 'h'])?;
    let mut rest = rest.split(':');
    let m = rest.next().filter(|m| !m.is_empty()).unwrap_or("0");
    let s = rest.next().unwrap_or("0");
    if rest.next().is_some() || h.is_empty() || h.len() > 2 || m.len() > 2 || s.len() > 2 {
        return None;
    }
    let digits = |v: &str| v.chars().all(|c| c.is_ascii_digit());
    if !(digits(h) && digits(m) && digits(s)) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, s.parse().ok()?)
}

/// Whether a title still looks like something other than Vietnamese: fewer
/// than half of its words (abbreviations such as `UBND` aside) are
/// Vietnamese syllables — a legacy encoding not recognised, or a wrong one.
pub fn suspicious_title(title: &str) -> bool {
    let words: Vec<&str> = title
        .split(|c: char| !vntext::is_word_char(c))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .filter(|w| !w.chars().all(|c| !c.is_lowercase()))
        .collect();
    let good = words.iter().filter(|w| vntext::is_syllable(w)).count();
    !words.is_empty() && good * 2 < words.len()
}

fn looks_like_byline(line: &str) -> bool {
    line.chars().count() <= MAX_BYLINE_CHARS
        && line.split_whitespace().count() <= MAX_BYLINE_WORDS
        && line.chars().any(char::is_alphabetic)
}

impl CapturedPage {
    /// The publication time the page shows, when it shows one that has
    /// come; otherwise `now`.
    pub fn published_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.shown_at
            .and_then(|t| crate::localtime::vietnam().from_local_datetime(&t).single())
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t <= now)
            .unwrap_or(now)
    }

    /// The opening of the first paragraph, cut on a word boundary.
    pub fn summary(&self) -> String {
        let first = &self.paragraphs[0];
        if first.chars().count() <= SUMMARY_CHARS {
            return first.clone();
        }
        let mut cut: String = first.chars().take(SUMMARY_CHARS).collect();
        if let Some(space) = cut.rfind(' ') {
            cut.truncate(space);
        }
        cut.truncate(cut.trim_end_matches([',', ';', ':', '.', ' ']).len());
        cut.push('…');
        cut
    }

    /// Identifies the content, so a second import of it is recognised.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.title.as_bytes());
        for p in &self.paragraphs {
            h.update(b"\n");
            h.update(p.as_bytes());
        }
        h.update(b"\n--\n");
        h.update(self.byline.as_deref().unwrap_or("").as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Reads and parses one file; nothing is stored.
pub fn read_file(path: &Path, style: Option<vntext::ToneStyle>) -> Result<CapturedPage, Rejection> {
    let bytes = std::fs::read(path).map_err(|e| Rejection::Unreadable(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| Rejection::NotUtf8)?;
    parse(&text, style)
}

/// What happened to one imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The public path, `/tin-tuc/{slug}`.
    pub path: String,
    /// False when the same content had been imported before.
    pub created: bool,
    /// The legacy encoding the text was converted from, if any.
    pub legacy: Option<vntext::LegacyEncoding>,
    /// The publication time taken from the page, if it showed one.
    pub shown_at: Option<DateTime<Utc>>,
    /// The title is mostly not Vietnamese words (see [`suspicious_title`]).
    pub suspicious_title: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {reason}", file.display())]
    Rejected { file: PathBuf, reason: Rejection },
    #[error("{}: lỗi cơ sở dữ liệu: {source}", file.display())]
    Database { file: PathBuf, source: sqlx::Error },
}

/// Imports one file as a published article of `category_id`. A rejected
/// file stores nothing (the article, its revision and its audit entry are
/// one transaction).
pub async fn import_file(
    db: &Db,
    site: &Site,
    category_id: Option<i64>,
    path: &Path,
    now: DateTime<Utc>,
) -> Result<Imported, ImportError> {
    let page = read_file(path, site.tone_style()).map_err(|reason| ImportError::Rejected {
        file: path.to_owned(),
        reason,
    })?;
    store(db, site.id, category_id, &page, now)
        .await
        .map_err(|source| ImportError::Database {
            file: path.to_owned(),
            source,
        })
}

/// Files stored together in one transaction by [`import_files`]: one
/// commit, and one full-text segment, for many articles.
pub const BATCH: usize = 250;

/// Imports files in order, reporting each one's outcome to `report` in
/// that order. Files are stored [`BATCH`] at a time in one transaction,
/// while the next batch is read and parsed on another thread; should a
/// batch fail, its files are stored one by one, so the failing file is
/// named and stores nothing while the others are kept.
pub async fn import_files(
    db: &Db,
    site: &Site,
    category_id: Option<i64>,
    paths: &[PathBuf],
    now: DateTime<Utc>,
    mut report: impl FnMut(&Path, Result<Imported, ImportError>),
) {
    let style = site.tone_style();
    let parse = |chunk: &[PathBuf]| {
        let chunk = chunk.to_vec();
        tokio::task::spawn_blocking(move || {
            let parsed: Vec<Result<CapturedPage, Rejection>> =
                chunk.iter().map(|p| read_file(p, style)).collect();
            (chunk, parsed)
        })
    };
    let mut chunks = paths.chunks(BATCH);
    let mut next = chunks.next().map(parse);
    while let Some(parsing) = next.take() {
        let (chunk, parsed) = match parsing.await {
            Ok(done) => done,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        next = chunks.next().map(parse);
        let pages: Vec<&CapturedPage> = parsed.iter().filter_map(|r| r.as_ref().ok()).collect();
        let mut stored = match store_batch(db, site.id, category_id, &pages, now).await {
            Ok(done) => done.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(_) => {
                let mut one_by_one = Vec::with_capacity(pages.len());
                for page in &pages {
                    one_by_one.push(store(db, site.id, category_id, page, now).await);
                }
                one_by_one
            }
        }
        .into_iter();
        for (path, page) in chunk.iter().zip(parsed) {
            let outcome = match page {
                Err(reason) => Err(ImportError::Rejected {
                    file: path.clone(),
                    reason,
                }),
                Ok(_) => stored
                    .next()
                    .expect("one outcome per stored page")
                    .map_err(|source| ImportError::Database {
                        file: path.clone(),
                        source,
                    }),
            };
            report(path, outcome);
        }
    }
}

/// Stores a parsed page, unless the same content is already there.
pub async fn store(
    db: &Db,
    site_id: i64,
    category_id: Option<i64>,
    page: &CapturedPage,
    now: DateTime<Utc>,
) -> sqlx::Result<Imported> {
    let mut done = store_batch(db, site_id, category_id, &[page], now).await?;
    Ok(done.pop().expect("one page, one outcome"))
}

/// Stores parsed pages in one transaction, each unless the same content is
/// already there: all of them, or (on an error) none.
pub async fn store_batch(
    db: &Db,
    site_id: i64,
    category_id: Option<i64>,
    pages: &[&CapturedPage],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Imported>> {
    let mut tx = db.begin().await?;
    let mut done = Vec::with_capacity(pages.len());
    for page in pages {
        done.push(store_in(&mut tx, site_id, category_id, page, now).await?);
    }
    tx.commit().await?;
    Ok(done)
}

async fn store_in(
    tx: &mut Tx,
    site_id: i64,
    category_id: Option<i64>,
    page: &CapturedPage,
    now: DateTime<Utc>,
) -> sqlx::Result<Imported> {
    let hash = page.content_hash();
    let published_at = page.published_at(now);
    let imported = |slug: &str, created| Imported {
        path: public_path(slug),
        created,
        legacy: page.legacy,
        shown_at: (published_at != now).then_some(published_at),
        suspicious_title: suspicious_title(&page.title),
    };
    // No look-up first: the insert itself refuses a known source hash
    // (a unique key), which saves a query per new article.
    let body = paragraphs_to_html(&page.paragraphs);
    let summary = page.summary();
    let new = NewArticle {
        site_id,
        author_id: None,
        featured_image: "",
        category_id,
        title: &page.title,
        summary: &summary,
        body: &body,
        byline: page.byline.as_deref().unwrap_or(""),
        status: Status::Published,
        published_at: Some(published_at),
        source_hash: Some(&hash),
        ..NewArticle::default()
    };
    match article::insert(tx, &new, &vntext::slugify(&page.title), now).await? {
        Some((id, slug)) => {
            let entry = audit::Record {
                site_id,
                user_id: None,
                action: audit::Action::ArticleImport,
                target: &format!("#{id}"),
                detail: &page.title,
            };
            audit::record(tx, entry, now).await?;
            Ok(imported(&slug, true))
        }
        // Imported before (earlier in this batch, or by someone else).
        None => {
            let slug = article::find_by_source_hash(tx, site_id, &hash).await?;
            Ok(imported(&slug.unwrap_or_default(), false))
        }
    }
}

pub fn public_path(slug: &str) -> String {
    format!("/tin-tuc/{slug}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "\u{FEFF}Xã Nậm Xe tổ chức ngày hội đại đoàn kết.\n\n\
        Sáng nay,  xã Nậm Xe tổ chức ngày hội , thu hút đông đảo bà con.\n\n\
        \u{00A0}\u{00A0}\u{00A0}\u{00A0}Các thôn đã tham gia văn nghệ.\n\n  Giàng A Pháo.\n\n\n\
        Tin tức\nĐăng nhập\nThống kê truy cập\n  • Đang online: 3\n  • Hôm nay: 1.204\n  • Trong tuần: 15\n  • Tất cả: 98.765";

    #[test]
    fn title_paragraphs_byline_and_no_chrome() {
        let page = parse(PAGE, None).unwrap();
        assert_eq!(page.title, "Xã Nậm Xe tổ chức ngày hội đại đoàn kết.");
        assert_eq!(
            page.paragraphs,
            vec![
                "Sáng nay, xã Nậm Xe tổ chức ngày hội, thu hút đông đảo bà con.",
                "Các thôn đã tham gia văn nghệ."
            ]
        );
        assert_eq!(page.byline.as_deref(), Some("Giàng A Pháo."));
    }

    #[test]
    fn leading_chrome_is_dropped_too() {
        let page = parse("Trang chủ\nTin tức\nTiêu đề\nMột đoạn văn dài hơn.\n", None).unwrap();
        assert_eq!(page.title, "Tiêu đề");
        assert_eq!(page.paragraphs, vec!["Một đoạn văn dài hơn."]);
        assert_eq!(page.byline, None, "a lone paragraph is body, not a byline");
    }

    #[test]
    fn chrome_lines_are_recognised_without_diacritics_or_bullets() {
        for line in [
            "Tin tức",
            "• Đang online: 1",
            "- Tất cả : 1.000",
            "THỐNG KÊ TRUY CẬP",
        ] {
            assert!(is_chrome(&vntext::normalize(line)), "{line}");
        }
        for line in ["Hôm nay: trời nắng", "Tin tức mới nhất về xã", "Lồ Sinh."] {
            assert!(!is_chrome(line), "{line}");
        }
    }

    #[test]
    fn rejections() {
        assert_eq!(parse(" \n\u{00A0}\n", None), Err(Rejection::Empty));
        assert_eq!(
            parse("Chỉ có tiêu đề\n\nTin tức\nĐăng nhập", None),
            Err(Rejection::NoBody)
        );
        assert_eq!(parse("Tin tức\nĐăng nhập\n", None), Err(Rejection::Empty));
        assert!(matches!(
            parse(&"a".repeat(400), None),
            Err(Rejection::TitleTooLong(400))
        ));
    }

    #[test]
    fn legacy_text_is_converted_and_house_style_applied() {
        let tcvn3 = "Th«ng b¸o vÒ viÖc hoµ gi¶i\n\nUBND x· tæ chøc hoµ gi¶i t¹i tr\u{AD}êng häc.\n\nV¨n phßng.\n";
        let page = parse(tcvn3, Some(vntext::ToneStyle::New)).unwrap();
        assert_eq!(page.legacy, Some(vntext::LegacyEncoding::Tcvn3));
        assert_eq!(page.title, "Thông báo về việc hoà giải");
        assert_eq!(
            page.paragraphs,
            vec!["UBND xã tổ chức hoà giải tại trường học."]
        );
        assert_eq!(page.byline.as_deref(), Some("Văn phòng."));
        let old = parse(tcvn3, Some(vntext::ToneStyle::Old)).unwrap();
        assert_eq!(old.title, "Thông báo về việc hòa giải");
    }

    #[test]
    fn the_date_the_page_shows_is_taken_and_its_line_dropped() {
        let at = |d: u32, h: u32, m: u32| {
            NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
        };
        for (line, expected) in [
            ("Ngày đăng: 15/11/2026 09:30", at(15, 9, 30)),
            ("Thứ Hai, 15/11/2026", at(15, 0, 0)),
            ("Thứ 2, 16/11/2026 - 14:05", at(16, 14, 5)),
            ("Cập nhật lúc 09:30 ngày 15/11/2026", at(15, 9, 30)),
            ("15-11-2026 9h30", at(15, 9, 30)),
            ("Chủ nhật, 15/11/2026, 07:45 (GMT+7)", at(15, 7, 45)),
        ] {
            assert_eq!(date_line(line), Some(expected), "{line}");
        }
        for line in [
            "Thời gian: từ 7 giờ 30 đến 11 giờ 00, ngày 10/12/2026.",
            "Ngày 15/11/2026 xã tổ chức hội nghị",
            "Ngày đăng: 31/02/2026",
            "15/11/2026 và 16/11/2026",
            "Số 12/2026",
        ] {
            assert_eq!(date_line(line), None, "{line}");
        }
        let page = parse(
            "Trang chủ\nThứ Hai, 15/11/2026\nTiêu đề bài\nNgày đăng: 14/11/2026 09:30\n\
             Một đoạn văn dài hơn.\nĐoạn thứ hai.\nLồ Sinh.\nTin tức\n",
            None,
        )
        .unwrap();
        assert_eq!(page.title, "Tiêu đề bài");
        assert_eq!(
            page.paragraphs,
            vec!["Một đoạn văn dài hơn.", "Đoạn thứ hai."]
        );
        assert_eq!(page.byline.as_deref(), Some("Lồ Sinh."));
        assert_eq!(
            page.shown_at,
            Some(at(15, 0, 0)),
            "the line before the title first"
        );
        let page = parse(
            "Tiêu đề\nĐoạn một.\nĐoạn hai.\nLồ Sinh.\nCập nhật lúc 09:30 ngày 15/11/2026\n",
            None,
        )
        .unwrap();
        assert_eq!(page.paragraphs, vec!["Đoạn một.", "Đoạn hai."]);
        assert_eq!(
            page.byline.as_deref(),
            Some("Lồ Sinh."),
            "the date after the byline"
        );
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        assert_eq!(
            page.published_at(now),
            Utc.with_ymd_and_hms(2026, 11, 15, 2, 30, 0).unwrap(),
            "09:30 in Vietnam"
        );
        let early = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        assert_eq!(
            page.published_at(early),
            early,
            "a date still to come is not taken"
        );
    }

    #[test]
    fn a_tcvn3_article_inside_unicode_chrome_is_converted() {
        let page = parse(
            "Tin tức\nTh«ng b¸o vÒ viÖc hoµ gi¶i\n\nUBND x· tæ chøc hoµ gi¶i t¹i tr\u{AD}êng häc.\n\
             \nV¨n phßng.\n\nTin tức\nĐăng nhập\nThống kê truy cập\n",
            None,
        )
        .unwrap();
        assert_eq!(page.legacy, Some(vntext::LegacyEncoding::Tcvn3));
        assert_eq!(page.title, "Thông báo về việc hoà giải");
        assert_eq!(
            page.paragraphs,
            vec!["UBND xã tổ chức hoà giải tại trường học."]
        );
        assert_eq!(vntext::slugify(&page.title), "thong-bao-ve-viec-hoa-giai");
        assert!(!suspicious_title(&page.title));
    }

    #[test]
    fn titles_that_are_not_vietnamese_are_suspicious() {
        for t in [
            "Oun c«ng t¸c huyÖn",
            "Lorem ipsum dolor sit amet",
            "Xyzzy qwrt",
        ] {
            assert!(suspicious_title(t), "{t}");
        }
        for t in [
            "UBND xã Sín Chéng họp trực tuyến với VNeID",
            "THÔNG BÁO",
            "Thông báo số 12/TB-UBND",
        ] {
            assert!(!suspicious_title(t), "{t}");
        }
    }

    #[test]
    fn summary_is_cut_on_a_word() {
        let long = "Đảng bộ xã ".repeat(60);
        let page = CapturedPage {
            title: "T".into(),
            paragraphs: vec![long],
            byline: None,
            legacy: None,
            shown_at: None,
        };
        let s = page.summary();
        let cut = s.strip_suffix('…').expect("ends with an ellipsis");
        assert!(page.paragraphs[0].starts_with(cut));
        assert_eq!(
            page.paragraphs[0][cut.len()..].chars().next(),
            Some(' '),
            "cut between words"
        );
        assert!(s.chars().count() <= SUMMARY_CHARS + 1);
    }
}
