//! `bantin import-text`: a page of a portal captured as text becomes a
//! published article.
//!
//! The shape (see `tests/fixtures/` and the seed page): the first non-empty
//! line is the title, then body paragraphs, one per line; the last short line
//! is the byline ("Lồ Sinh."); after it comes the page's chrome — menu
//! entries, the log-in link, the visitor-statistics widget — which is
//! recognised and dropped, as is chrome before the title.
//!
//! Text typed in the legacy TCVN3 or VNI encodings is recognised and
//! converted first; then everything is cleaned as all stored text is
//! (`content::text::clean`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::content::article::{self, NewArticle, Status};
use crate::content::html::paragraphs_to_html;
use crate::content::text;
use crate::db::Db;
use crate::site::Site;

/// A captured page, parsed and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedPage {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub byline: Option<String>,
    /// The legacy encoding the text was converted from, if any.
    pub legacy: Option<vntext::LegacyEncoding>,
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
    let leading_chrome = lines.iter().take_while(|l| is_chrome(l)).count();
    let mut lines = lines.split_off(leading_chrome).into_iter();

    let title = lines.next().ok_or(Rejection::Empty)?.to_owned();
    let title_chars = title.chars().count();
    if title_chars > MAX_TITLE_CHARS {
        return Err(Rejection::TitleTooLong(title_chars));
    }
    let mut paragraphs: Vec<String> = lines.map(str::to_owned).collect();

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
    })
}

fn looks_like_byline(line: &str) -> bool {
    line.chars().count() <= MAX_BYLINE_CHARS
        && line.split_whitespace().count() <= MAX_BYLINE_WORDS
        && line.chars().any(char::is_alphabetic)
}

impl CapturedPage {
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

/// Stores a parsed page, unless the same content is already there.
pub async fn store(
    db: &Db,
    site_id: i64,
    category_id: Option<i64>,
    page: &CapturedPage,
    now: DateTime<Utc>,
) -> sqlx::Result<Imported> {
    let hash = page.content_hash();
    let imported = |slug: &str, created| Imported {
        path: public_path(slug),
        created,
        legacy: page.legacy,
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
        published_at: Some(now),
        source_hash: Some(&hash),
        ..NewArticle::default()
    };
    let mut tx = db.begin().await?;
    match article::insert(&mut tx, &new, &vntext::slugify(&page.title), now).await? {
        Some((id, slug)) => {
            let entry = audit::Record {
                site_id,
                user_id: None,
                action: audit::Action::ArticleImport,
                target: &format!("#{id}"),
                detail: &page.title,
            };
            audit::record(&mut tx, entry, now).await?;
            tx.commit().await?;
            Ok(imported(&slug, true))
        }
        // Imported before (or concurrently by someone else).
        None => {
            drop(tx);
            let slug = article::find_by_source_hash(db, site_id, &hash).await?;
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
    fn summary_is_cut_on_a_word() {
        let long = "Đảng bộ xã ".repeat(60);
        let page = CapturedPage {
            title: "T".into(),
            paragraphs: vec![long],
            byline: None,
            legacy: None,
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
