//! A Word file (.docx) made into an article's draft: the title from the
//! first heading or line; paragraphs, headings, bold, italic, underline,
//! links, lists (from the document's numbering), tables (merged cells and
//! header rows kept) and the embedded images with their alt text. What is
//! written here is simple HTML that goes through the same cleaner as a
//! paste from Word (`content::pasted`), so both come out alike.
//!
//! The file is an Office Open XML zip; its parts are read with roxmltree
//! (DTDs refused) and each is read to at most [`MAX_PART`] bytes.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use roxmltree::{Document, Node};

use crate::content::document::files::{self, Kind};
use crate::content::html::escape;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
/// The most bytes read out of one part of the archive (zip bombs).
const MAX_PART: u64 = 64 * 1024 * 1024;
/// Images taken from one document.
pub const MAX_IMAGES: usize = 100;
/// Where an image stands in the body until it is stored: `/media/docx-N`.
pub const PLACEHOLDER: &str = "/media/docx-";

/// Why a file is refused, in Vietnamese.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Chưa chọn tệp Word.")]
    Empty,
    #[error("Tệp lớn quá {0} MB.")]
    TooLarge(u64),
    #[error(
        "Tệp “{0}” có mật khẩu: hãy gỡ mật khẩu trong Word (Tệp › Thông tin › Bảo vệ tài liệu) rồi nhập lại."
    )]
    Encrypted(String),
    #[error(
        "Tệp “{0}” là tệp Word cũ (.doc): hãy mở bằng Word, chọn Lưu thành… › Tài liệu Word (.docx) rồi nhập lại."
    )]
    OldWord(String),
    #[error("Tệp “{0}” không phải tệp Word (.docx): bantin xem nội dung tệp, không xem tên.")]
    NotDocx(String),
    #[error("Tệp “{0}” bị hỏng, không đọc được.")]
    Damaged(String),
    #[error("Tệp “{0}” không có nội dung nào.")]
    Blank(String),
}

/// An image of the document, still as it was in the file.
#[derive(Clone, Debug)]
pub struct Image {
    /// Its place in the body: `PLACEHOLDER` + this number.
    pub number: usize,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub alt: String,
}

#[derive(Clone, Debug)]
pub struct Converted {
    pub title: String,
    /// HTML for `sanitize::body` (images as placeholders).
    pub html: String,
    pub images: Vec<Image>,
}

fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut entry = zip.by_name(name).ok()?;
    let mut out = Vec::new();
    entry.by_ref().take(MAX_PART).read_to_end(&mut out).ok()?;
    Some(out)
}

fn parse(text: &str) -> Option<Document<'_>> {
    Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    )
    .ok()
}

fn val(n: Node<'_, '_>) -> Option<String> {
    n.attribute((W, "val")).map(str::to_owned)
}

/// A run property that is on: `<w:b/>`, `<w:b w:val="1"/>`; off with `0`, `false`, `none`.
fn on(props: Option<Node<'_, '_>>, name: &str) -> bool {
    let Some(p) = props else { return false };
    p.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .is_some_and(|c| !matches!(val(c).as_deref(), Some("0" | "false" | "none" | "off")))
}

struct Reader {
    rels: HashMap<String, (String, bool)>,
    headings: HashMap<String, u8>,
    quotes: Vec<String>,
    /// (numId, level) → ordered.
    numbering: HashMap<(String, u32), bool>,
    images: Vec<Image>,
    media: HashMap<String, Vec<u8>>,
}

impl Reader {
    fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
        n.children().find(|c| {
            c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(W)
        })
    }

    fn runs(&mut self, n: Node<'_, '_>, out: &mut String) {
        for c in n.children().filter(|c| c.is_element()) {
            match (c.tag_name().namespace(), c.tag_name().name()) {
                (Some(W), "r") => self.run(c, out),
                (Some(W), "hyperlink") => {
                    let target = c
                        .attribute((R, "id"))
                        .and_then(|id| self.rels.get(id))
                        .filter(|(_, external)| *external)
                        .map(|(t, _)| t.clone());
                    match target {
                        Some(href) => {
                            out.push_str(&format!("<a href=\"{}\">", escape(&href)));
                            self.runs(c, out);
                            out.push_str("</a>");
                        }
                        None => self.runs(c, out),
                    }
                }
                (Some(W), "ins" | "smartTag" | "fldSimple" | "customXml" | "sdtContent") => {
                    self.runs(c, out)
                }
                (Some(W), "sdt") => {
                    if let Some(content) = Self::child(c, "sdtContent") {
                        self.runs(content, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn run(&mut self, r: Node<'_, '_>, out: &mut String) {
        let props = Self::child(r, "rPr");
        let (b, i, u) = (on(props, "b"), on(props, "i"), on(props, "u"));
        let mut text = String::new();
        for c in r.children().filter(|c| c.is_element()) {
            match c.tag_name().name() {
                "t" => text.push_str(&escape(c.text().unwrap_or(""))),
                "tab" => text.push(' '),
                "br" | "cr" => text.push_str("<br>"),
                "noBreakHyphen" => text.push('-'),
                "drawing" => {
                    if let Some(img) = self.drawing(c) {
                        text.push_str(&img);
                    }
                }
                _ => {}
            }
        }
        if text.is_empty() {
            return;
        }
        let (open, close) = (
            format!(
                "{}{}{}",
                if b { "<b>" } else { "" },
                if i { "<i>" } else { "" },
                if u { "<u>" } else { "" }
            ),
            format!(
                "{}{}{}",
                if u { "</u>" } else { "" },
                if i { "</i>" } else { "" },
                if b { "</b>" } else { "" }
            ),
        );
        out.push_str(&open);
        out.push_str(&text);
        out.push_str(&close);
    }

    /// An embedded picture (`a:blip r:embed`) with its alt text (`wp:docPr descr`).
    fn drawing(&mut self, d: Node<'_, '_>) -> Option<String> {
        let blip = d.descendants().find(|n| {
            n.is_element() && n.tag_name().name() == "blip" && n.tag_name().namespace() == Some(A)
        })?;
        let (target, external) = self.rels.get(blip.attribute((R, "embed"))?)?.clone();
        let pr = d.descendants().find(|n| {
            n.is_element() && n.tag_name().name() == "docPr" && n.tag_name().namespace() == Some(WP)
        });
        let alt = pr
            .and_then(|p| {
                p.attribute("descr")
                    .filter(|s| !s.trim().is_empty())
                    .or(p.attribute("title"))
            })
            .unwrap_or("")
            .trim()
            .to_owned();
        let file_name = target.rsplit('/').next().unwrap_or("").to_owned();
        let bytes = if external {
            None
        } else {
            self.media.get(&target).cloned()
        };
        match bytes {
            Some(bytes) if self.images.len() < MAX_IMAGES => {
                let number = self.images.len() + 1;
                self.images.push(Image {
                    number,
                    file_name,
                    bytes,
                    alt: alt.clone(),
                });
                Some(format!(
                    "<img src=\"{PLACEHOLDER}{number}\" alt=\"{}\">",
                    escape(&alt)
                ))
            }
            _ => Some(escape(&crate::content::pasted::missing_image_note(
                &file_name,
            ))),
        }
    }

    /// A paragraph as HTML, and whether it is a heading, with its text.
    fn paragraph(&mut self, p: Node<'_, '_>) -> (String, Option<u8>, String) {
        let props = Self::child(p, "pPr");
        let style = props
            .and_then(|pp| Self::child(pp, "pStyle"))
            .and_then(val)
            .unwrap_or_default();
        let mut inner = String::new();
        self.runs(p, &mut inner);
        let text = crate::content::sanitize::plain_text(&inner);
        let heading = self.headings.get(&style).copied();
        let list = props
            .and_then(|pp| Self::child(pp, "numPr"))
            .and_then(|np| {
                let id = Self::child(np, "numId").and_then(val)?;
                let level: u32 = Self::child(np, "ilvl")
                    .and_then(val)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                (id != "0").then_some((id, level))
            });
        let html = match (heading, list) {
            (Some(l), _) => format!("<h{l}>{inner}</h{l}>\n"),
            (None, Some((id, level))) => {
                let ordered = self
                    .numbering
                    .get(&(id.clone(), level))
                    .copied()
                    .unwrap_or(false);
                format!(
                    "<p style=\"mso-list:l{} level{}\" data-marker=\"{}\">{inner}</p>\n",
                    escape(&id),
                    level + 1,
                    if ordered { "1." } else { "·" }
                )
            }
            (None, None) if self.quotes.contains(&style) => {
                format!("<blockquote><p>{inner}</p></blockquote>\n")
            }
            (None, None) => format!("<p>{inner}</p>\n"),
        };
        (html, heading, text)
    }

    fn table(&mut self, t: Node<'_, '_>) -> String {
        struct C {
            html: String,
            col: usize,
            span: usize,
            rows: usize,
            cont: bool,
        }
        let mut rows: Vec<(bool, Vec<C>)> = Vec::new();
        for tr in t
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "tr")
        {
            let header =
                Self::child(tr, "trPr").is_some_and(|pr| Self::child(pr, "tblHeader").is_some());
            let mut cells = Vec::new();
            let mut col = 0;
            for tc in tr
                .children()
                .filter(|c| c.is_element() && c.tag_name().name() == "tc")
            {
                let pr = Self::child(tc, "tcPr");
                let span: usize = pr
                    .and_then(|p| Self::child(p, "gridSpan"))
                    .and_then(val)
                    .and_then(|v| v.parse().ok())
                    .filter(|n| (1..=63).contains(n))
                    .unwrap_or(1);
                let cont = pr
                    .and_then(|p| Self::child(p, "vMerge"))
                    .is_some_and(|m| val(m).as_deref() != Some("restart"));
                let mut html = String::new();
                for c in tc.children().filter(|c| c.is_element()) {
                    match c.tag_name().name() {
                        "p" => html.push_str(&self.paragraph(c).0),
                        "tbl" => html.push_str(&self.table(c)),
                        _ => {}
                    }
                }
                cells.push(C {
                    html,
                    col,
                    span,
                    rows: 1,
                    cont,
                });
                col += span;
            }
            rows.push((header, cells));
        }
        // A merged cell's continuations add to the row span of the cell above.
        for r in 1..rows.len() {
            for i in 0..rows[r].1.len() {
                if !rows[r].1[i].cont {
                    continue;
                }
                let col = rows[r].1[i].col;
                if let Some(start) = (0..r).rev().find_map(|above| {
                    rows[above]
                        .1
                        .iter()
                        .position(|c| c.col == col && !c.cont)
                        .map(|p| (above, p))
                }) {
                    rows[start.0].1[start.1].rows += 1;
                }
            }
        }
        let mut out = String::from("<table>");
        for (header, cells) in &rows {
            out.push_str("<tr>");
            for c in cells.iter().filter(|c| !c.cont) {
                let tag = if *header { "th" } else { "td" };
                out.push_str(&format!("<{tag}"));
                if c.span > 1 {
                    out.push_str(&format!(" colspan=\"{}\"", c.span));
                }
                if c.rows > 1 {
                    out.push_str(&format!(" rowspan=\"{}\"", c.rows));
                }
                out.push('>');
                out.push_str(&c.html);
                out.push_str(&format!("</{tag}>"));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>\n");
        out
    }
}

fn relationships(xml: &str) -> HashMap<String, (String, bool)> {
    let mut out = HashMap::new();
    if let Some(doc) = parse(xml) {
        for r in doc
            .descendants()
            .filter(|n| n.tag_name().name() == "Relationship")
        {
            if let (Some(id), Some(target)) = (r.attribute("Id"), r.attribute("Target")) {
                let external = r.attribute("TargetMode") == Some("External");
                let target = if external {
                    target.to_owned()
                } else {
                    // Relative to word/ (or absolute in the package).
                    target
                        .strip_prefix('/')
                        .map_or_else(|| format!("word/{target}"), str::to_owned)
                };
                out.insert(id.to_owned(), (target, external));
            }
        }
    }
    out
}

/// Heading levels (1–6) of the styles, by style id, and the quote styles.
fn styles(xml: &str) -> (HashMap<String, u8>, Vec<String>) {
    let mut headings = HashMap::new();
    let mut quotes = Vec::new();
    if let Some(doc) = parse(xml) {
        for s in doc
            .descendants()
            .filter(|n| n.tag_name().name() == "style" && n.tag_name().namespace() == Some(W))
        {
            let Some(id) = s.attribute((W, "styleId")) else {
                continue;
            };
            let name = Reader::child(s, "name")
                .and_then(val)
                .unwrap_or_default()
                .to_lowercase();
            let outline: Option<u8> = Reader::child(s, "pPr")
                .and_then(|p| Reader::child(p, "outlineLvl"))
                .and_then(val)
                .and_then(|v| v.parse::<u8>().ok())
                .filter(|l| *l < 6);
            let level = if name == "title" {
                Some(1)
            } else if let Some(n) = name.strip_prefix("heading ") {
                n.trim().parse::<u8>().ok().filter(|l| (1..=6).contains(l))
            } else {
                outline.map(|l| l + 1)
            };
            if let Some(l) = level {
                headings.insert(id.to_owned(), l);
            }
            if name == "quote" || name == "intense quote" {
                quotes.push(id.to_owned());
            }
        }
    }
    // Word's own ids, for documents without a styles part.
    for l in 1..=6u8 {
        headings.entry(format!("Heading{l}")).or_insert(l);
    }
    headings.entry("Title".into()).or_insert(1);
    (headings, quotes)
}

/// Whether each (numId, level) of the numbering part is numbered (not bullets).
fn numbering(xml: &str) -> HashMap<(String, u32), bool> {
    let mut out = HashMap::new();
    let Some(doc) = parse(xml) else { return out };
    let mut abstracts: HashMap<String, HashMap<u32, bool>> = HashMap::new();
    for a in doc
        .descendants()
        .filter(|n| n.tag_name().name() == "abstractNum")
    {
        let Some(id) = a.attribute((W, "abstractNumId")) else {
            continue;
        };
        let mut levels = HashMap::new();
        for l in a.children().filter(|c| c.tag_name().name() == "lvl") {
            let level: u32 = l
                .attribute((W, "ilvl"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let format = Reader::child(l, "numFmt").and_then(val).unwrap_or_default();
            levels.insert(level, !matches!(format.as_str(), "bullet" | "none" | ""));
        }
        abstracts.insert(id.to_owned(), levels);
    }
    for n in doc
        .descendants()
        .filter(|n| n.tag_name().name() == "num" && n.tag_name().namespace() == Some(W))
    {
        let (Some(id), Some(abs)) = (
            n.attribute((W, "numId")),
            Reader::child(n, "abstractNumId").and_then(val),
        ) else {
            continue;
        };
        if let Some(levels) = abstracts.get(&abs) {
            for (l, ordered) in levels {
                out.insert((id.to_owned(), *l), *ordered);
            }
        }
    }
    out
}

/// Reads a .docx (CPU work: call on a blocking thread).
pub fn convert(name: &str, bytes: &[u8], max_bytes: u64) -> Result<Converted, Refusal> {
    let shown = crate::site::one_line(name, 120);
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(Refusal::TooLarge(max_bytes / (1024 * 1024)));
    }
    match files::sniff(name, bytes) {
        Ok(Kind::Docx) => {}
        Ok(Kind::Doc) => return Err(Refusal::OldWord(shown)),
        Err(files::Refusal::Encrypted(_)) => return Err(Refusal::Encrypted(shown)),
        Err(files::Refusal::Damaged(_)) => return Err(Refusal::Damaged(shown)),
        _ => return Err(Refusal::NotDocx(shown)),
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::Damaged(shown.clone()))?;
    let text = |zip: &mut zip::ZipArchive<Cursor<&[u8]>>, part: &str| {
        read_part(zip, part).map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let document =
        text(&mut zip, "word/document.xml").ok_or_else(|| Refusal::Damaged(shown.clone()))?;
    let rels = text(&mut zip, "word/_rels/document.xml.rels")
        .map(|x| relationships(&x))
        .unwrap_or_default();
    let (headings, quotes) = styles(&text(&mut zip, "word/styles.xml").unwrap_or_default());
    let numbering = numbering(&text(&mut zip, "word/numbering.xml").unwrap_or_default());
    let mut media = HashMap::new();
    for (target, external) in rels.values() {
        if !external
            && target.starts_with("word/media/")
            && media.len() < MAX_IMAGES
            && let Some(b) = read_part(&mut zip, target)
        {
            media.insert(target.clone(), b);
        }
    }
    let doc = parse(&document).ok_or_else(|| Refusal::Damaged(shown.clone()))?;
    let body = doc
        .descendants()
        .find(|n| n.tag_name().name() == "body" && n.tag_name().namespace() == Some(W))
        .ok_or_else(|| Refusal::Damaged(shown.clone()))?;
    let mut reader = Reader {
        rels,
        headings,
        quotes,
        numbering,
        images: Vec::new(),
        media,
    };
    // (html, heading level, text) of each block.
    let mut blocks: Vec<(String, Option<u8>, String)> = Vec::new();
    fn walk(reader: &mut Reader, n: Node<'_, '_>, blocks: &mut Vec<(String, Option<u8>, String)>) {
        for c in n
            .children()
            .filter(|c| c.is_element() && c.tag_name().namespace() == Some(W))
        {
            match c.tag_name().name() {
                "p" => blocks.push(reader.paragraph(c)),
                "tbl" => {
                    let html = reader.table(c);
                    blocks.push((html, None, String::from("\u{0}table")));
                }
                "sdt" => {
                    if let Some(content) = Reader::child(c, "sdtContent") {
                        walk(reader, content, blocks);
                    }
                }
                _ => {}
            }
        }
    }
    walk(&mut reader, body, &mut blocks);
    // The title: the first heading among the first lines, else the first line.
    let firsts: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.2.trim().is_empty() && !b.2.starts_with('\u{0}'))
        .map(|(i, _)| i)
        .take(3)
        .collect();
    let chosen = firsts
        .iter()
        .copied()
        .find(|i| blocks[*i].1.is_some())
        .or(firsts.first().copied());
    let mut title = String::new();
    if let Some(i) = chosen {
        let t = blocks[i].2.trim().to_owned();
        if t.chars().count() <= 300 {
            title = t;
            blocks.remove(i);
        } else {
            title = t.chars().take(120).collect();
        }
    }
    let html: String = blocks.into_iter().map(|b| b.0).collect();
    if title.is_empty()
        && crate::content::sanitize::plain_text(&html)
            .trim()
            .is_empty()
        && reader.images.is_empty()
    {
        return Err(Refusal::Blank(shown));
    }
    // The same cleaner as a paste from Word: lists grouped, levels mapped.
    let cleaned = crate::content::pasted::clean(&format!("<div>{html}</div>"));
    Ok(Converted {
        title,
        html: cleaned.html,
        images: reader.images,
    })
}

#[cfg(test)]
mod tests;
