//! An old site's article body made into bantin's: WordPress's shortcodes
//! and block comments dropped with their inner content kept, paragraphs
//! made from blank lines where the old editor stored none (WordPress's
//! classic editor), addresses of images and of the old site's own pages
//! rewritten, and the result sanitised like anything an editor saves.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::content::sanitize;

/// Shortcodes WordPress and its common plugins register that may stand
/// alone (without a closing tag); any other `[name]` is dropped only with
/// its `[/name]`, so bracketed text such as "[Ảnh minh họa]" stays.
const KNOWN_SHORTCODES: &[&str] = &[
    "caption",
    "wp_caption",
    "gallery",
    "audio",
    "video",
    "playlist",
    "embed",
    "contact-form-7",
    "vc_row",
    "vc_column",
    "vc_column_text",
    "et_pb_section",
    "et_pb_row",
    "et_pb_column",
    "et_pb_text",
];

/// The body as bantin stores it: `map` gives the new address of an image
/// or link of the old site (see [`urls`]), `old_base` the old site's
/// address (`https://xa.example.vn`) whose own links become relative, so
/// that they reach the redirects.
pub fn clean(
    html: &str,
    map: &HashMap<String, String>,
    old_base: Option<&str>,
    style: Option<vntext::ToneStyle>,
) -> String {
    let html = drop_block_comments(html);
    let html = strip_shortcodes(&html);
    let html = if html.contains("<p") || html.contains("<P") {
        html
    } else {
        autop(&html)
    };
    let html = rewrite_urls(&html, |url| {
        if let Some(new) = map.get(url) {
            return Some(new.clone());
        }
        let base = old_base?.trim_end_matches('/');
        let rest = url.strip_prefix(base)?;
        match rest.chars().next() {
            None => Some("/".into()),
            Some('/' | '?') => Some(rest.to_owned()),
            _ => None,
        }
    });
    sanitize::body(&html, style)
}

/// `<!-- wp:paragraph -->`, `<!-- /wp:image -->`: Gutenberg's block marks.
fn drop_block_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find("-->") else {
            rest = "";
            break;
        };
        let inner = after[..end].trim_start();
        if !(inner.starts_with("wp:") || inner.starts_with("/wp:")) {
            out.push_str(&rest[start..start + 4 + end + 3]);
        }
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

/// Drops `[name attr="…"]`, `[/name]` and `[name /]`, keeping what is
/// between them.
pub fn strip_shortcodes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        match shortcode_at(tail) {
            Some((name, len)) if KNOWN_SHORTCODES.contains(&name) || closes(tail, name) => {
                rest = &tail[len..];
            }
            _ => {
                out.push('[');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A shortcode tag at the start of `s`: its name and length.
fn shortcode_at(s: &str) -> Option<(&str, usize)> {
    let body = s.strip_prefix('[')?;
    let body = body.strip_prefix('/').unwrap_or(body);
    let name_len = body
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'))
        .unwrap_or(body.len());
    let name = &body[..name_len];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let after = &body[name_len..];
    if !(after.starts_with(']') || after.starts_with(' ') || after.starts_with('/')) {
        return None;
    }
    let end = s.find(']')?;
    // An attribute holding "[" means this is not one tag.
    if s[1..end].contains('[') || s[..end].contains('\n') {
        return None;
    }
    Some((name, end + 1))
}

fn closes(s: &str, name: &str) -> bool {
    s.contains(&format!("[/{name}]"))
}

const BLOCKS: &[&str] = &[
    "<p",
    "<h1",
    "<h2",
    "<h3",
    "<h4",
    "<h5",
    "<h6",
    "<ul",
    "<ol",
    "<li",
    "<table",
    "<blockquote",
    "<div",
    "<figure",
    "<pre",
    "<hr",
    "<!--",
    "<thead",
    "<tbody",
    "<tr",
    "<td",
    "<th",
    "</",
];

/// WordPress's classic editor stores paragraphs as blank lines and line
/// breaks as newlines; each paragraph that is not a block already becomes
/// `<p>`.
fn autop(html: &str) -> String {
    let html = html.replace("\r\n", "\n");
    let mut out = String::with_capacity(html.len() + 64);
    for chunk in html.split("\n\n") {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        let lower = chunk.to_ascii_lowercase();
        if BLOCKS.iter().any(|b| lower.starts_with(b)) {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

/// Every `src` and `href` value in the body, decoded (`&amp;` → `&`).
pub fn urls(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    rewrite_urls(html, |u| {
        found.push(u.to_owned());
        None
    });
    found
}

/// Replaces `src` and `href` values for which `f` gives a new one.
fn rewrite_urls(html: &str, mut f: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = ["src=", "href=", "SRC=", "HREF="]
            .iter()
            .filter_map(|a| {
                rest.match_indices(a)
                    .find(|(i, _)| *i > 0 && rest.as_bytes()[i - 1].is_ascii_whitespace())
                    .map(|(i, _)| (i, a.len()))
            })
            .min();
        let Some((at, name_len)) = next else {
            out.push_str(rest);
            return out;
        };
        let value_start = at + name_len;
        let quote = rest[value_start..].chars().next();
        let Some(q @ ('"' | '\'')) = quote else {
            out.push_str(&rest[..value_start]);
            rest = &rest[value_start..];
            continue;
        };
        let inner_start = value_start + 1;
        let Some(len) = rest[inner_start..].find(q) else {
            out.push_str(rest);
            return out;
        };
        let raw = &rest[inner_start..inner_start + len];
        let decoded = raw.replace("&amp;", "&").replace("&#038;", "&");
        out.push_str(&rest[..inner_start]);
        match f(decoded.trim()) {
            Some(new) => out.push_str(&new.replace('&', "&amp;").replace('"', "&quot;")),
            None => out.push_str(raw),
        }
        rest = &rest[inner_start + len..];
    }
}

/// An uploaded file of the old site, found in its copied uploads folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// Its path under the uploads folder (`2023/05/anh.jpg`): what the
    /// ledger knows it by.
    pub key: String,
    pub file: PathBuf,
}

/// The file an address of the old site's uploads names (`…/wp-content/
/// uploads/2023/05/anh-300x200.jpg`, `/uploads/news/2024_03/anh.jpg`), in
/// the copy at `dir`. A WordPress size variant that was not copied falls
/// back to the original. `None`: not an upload, or not in the copy.
pub fn locate(dir: &Path, url: &str) -> Option<Upload> {
    let path = url.split(['?', '#']).next()?;
    let rel = match path.find("/uploads/") {
        Some(i) => &path[i + "/uploads/".len()..],
        None if !path.contains("://") && !path.starts_with('/') => path,
        None => return None,
    };
    let rel = percent_decoded(rel)?;
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == ".." || *p == "." || p.contains('\\'))
    {
        return None;
    }
    let rel = parts.join("/");
    let file = dir.join(&rel);
    if file.is_file() {
        return Some(Upload { key: rel, file });
    }
    let original = without_size_suffix(&rel)?;
    let file = dir.join(&original);
    file.is_file().then_some(Upload {
        key: original,
        file,
    })
}

/// `anh-300x200.jpg` → `anh.jpg` (WordPress's resized copies).
fn without_size_suffix(rel: &str) -> Option<String> {
    let (stem, ext) = rel.rsplit_once('.')?;
    let (base, size) = stem.rsplit_once('-')?;
    let (w, h) = size.split_once('x')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(w) && digits(h)).then(|| format!("{base}.{ext}"))
}

fn percent_decoded(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_go_their_content_stays() {
        let s = r#"[caption id="attachment_5" align="alignnone" width="300"]<img src="a.jpg"> Lễ hội[/caption] [gallery ids="1,2"] [Ảnh minh họa] [note]x[/note] [1]"#;
        assert_eq!(
            strip_shortcodes(s),
            r#"<img src="a.jpg"> Lễ hội  [Ảnh minh họa] x [1]"#
        );
        assert_eq!(strip_shortcodes("[khong dong]"), "[khong dong]");
    }

    #[test]
    fn block_comments_go_other_comments_stay_for_the_sanitiser() {
        let s = "<!-- wp:paragraph --><p>Một</p><!-- /wp:paragraph --><!-- ghi chú -->";
        assert_eq!(drop_block_comments(s), "<p>Một</p><!-- ghi chú -->");
    }

    #[test]
    fn classic_editor_text_gets_paragraphs() {
        let html = clean(
            "Dòng một\ndòng hai\n\n<strong>Đoạn</strong> hai\n\n<ul><li>Mục</li></ul>",
            &HashMap::new(),
            None,
            None,
        );
        assert_eq!(
            html,
            "<p>Dòng một<br>dòng hai</p><p><strong>Đoạn</strong> hai</p><ul><li>Mục</li></ul>"
        );
    }

    #[test]
    fn addresses_are_rewritten() {
        let mut map = HashMap::new();
        map.insert(
            "https://xa.example.vn/wp-content/uploads/2023/05/a-300x200.jpg".to_owned(),
            "/media/abc.jpg".to_owned(),
        );
        let html = clean(
            r#"<p><img src="https://xa.example.vn/wp-content/uploads/2023/05/a-300x200.jpg" alt="Ảnh"> <a href="https://xa.example.vn/?p=12&amp;x=1">bài cũ</a> <a href="https://khac.vn/">ngoài</a></p>"#,
            &map,
            Some("https://xa.example.vn"),
            None,
        );
        assert!(html.contains(r#"src="/media/abc.jpg""#), "{html}");
        assert!(html.contains(r#"href="/?p=12&amp;x=1""#), "{html}");
        assert!(html.contains(r#"href="https://khac.vn/""#), "{html}");
        assert_eq!(
            urls(r#"<a href="/x?a=1&amp;b=2"><img src='y.jpg'></a>"#),
            vec!["/x?a=1&b=2", "y.jpg"]
        );
    }

    #[test]
    fn uploads_are_found_with_their_original_size() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("2023/05")).unwrap();
        std::fs::write(dir.path().join("2023/05/ảnh.jpg"), b"x").unwrap();
        let found = locate(
            dir.path(),
            "https://xa.example.vn/wp-content/uploads/2023/05/%E1%BA%A3nh-300x200.jpg",
        )
        .unwrap();
        assert_eq!(found.key, "2023/05/ảnh.jpg");
        assert_eq!(locate(dir.path(), "/uploads/../../etc/passwd"), None);
        assert_eq!(locate(dir.path(), "https://khac.vn/anh.jpg"), None);
    }
}
