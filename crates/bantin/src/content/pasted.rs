//! HTML from Word, LibreOffice, Google Docs and web pages made into
//! bantin's own structure: paragraphs, two levels of headings, bold and
//! italic (as `<strong>` and `<em>`, which screen readers announce),
//! underline, links, lists (Word's `mso-list` paragraphs included,
//! which are not `<ul>`), quotes and tables (merged cells and a header row
//! kept). Styles, classes, fonts, colours, `<o:p>`, conditional comments
//! and VML are dropped. Images that cannot come along (`file:///` from
//! Word's clipboard, another site's address) become a visible note, never
//! silently nothing.
//!
//! One cleaner for every way such HTML arrives: what the editor sends, a
//! .docx made into HTML (`content::docx`) and the site importers all reach
//! it through `sanitize::body`, whose allow-list then has the last word.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::content::html::escape;

/// What the cleaner made, and the images it could not bring.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub html: String,
    /// The file names of images left out (shown in the text as a note).
    pub missing_images: Vec<String>,
}

/// Whether `html` carries an office suite's or a web page's formatting
/// (styles, classes, fonts, spans, Word's markup) rather than the plain
/// structure bantin stores: only such HTML needs cleaning, so stored
/// bodies pass through unchanged.
pub fn is_foreign(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    [
        "style=", "class=", "<span", "<font", "<o:p", "<![if", "<!--[if", "mso-", "<div", "<h1",
        "<meta", "<style",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

/// A note in the text where an image could not come along.
pub fn missing_image_note(name: &str) -> String {
    if name.is_empty() {
        "[Ảnh chưa được chèn: ảnh này không dán được, hãy tải ảnh lên bằng nút Chèn ảnh.]".into()
    } else {
        format!("[Ảnh chưa được chèn: “{name}” không dán được, hãy tải ảnh lên bằng nút Chèn ảnh.]")
    }
}

// ---- a small tree from the tokens -------------------------------------

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    El(Element),
}

#[derive(Clone, Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn style(&self) -> String {
        self.attr("style").unwrap_or("").to_ascii_lowercase()
    }
}

/// Elements whose content is never text of the document.
const SKIPPED: &[&str] = &[
    "style",
    "script",
    "head",
    "title",
    "xml",
    "template",
    "noscript",
    "object",
    "iframe",
    "svg",
    "math",
    "v:shape",
    "v:shapetype",
    "v:imagedata",
    "o:p",
    "select",
    "button",
    "textarea",
];
const VOID: &[&str] = &[
    "br", "img", "hr", "meta", "link", "input", "col", "wbr", "area", "base", "source",
];

#[derive(Default)]
struct Builder {
    stack: Vec<Element>,
    /// Inside a skipped element: its name and nesting.
    skipping: Option<(String, usize)>,
    /// Inside Word's `<![if !supportLists]>` … `<![endif]>`: the list marker.
    in_marker: bool,
    marker: String,
}

impl Builder {
    fn new() -> Self {
        Builder {
            stack: vec![Element {
                name: "#root".into(),
                ..Element::default()
            }],
            ..Builder::default()
        }
    }

    fn push_node(&mut self, node: Node) {
        self.stack
            .last_mut()
            .expect("the root stays")
            .children
            .push(node);
    }

    fn close(&mut self, name: &str) {
        let Some(pos) = self.stack.iter().rposition(|e| e.name == name) else {
            return;
        };
        if pos == 0 {
            return;
        }
        while self.stack.len() > pos {
            let done = self.stack.pop().expect("above the root");
            self.push_node(Node::El(done));
        }
    }

    /// A new `p`, `li`, `td`… ends an open one of its kind in the same container.
    fn implied_close(&mut self, name: &str) {
        let (same, stops): (&[&str], &[&str]) = match name {
            "p" => (&["p"], &["td", "th", "li", "blockquote", "div", "table"]),
            "li" => (&["li"], &["ul", "ol"]),
            "td" | "th" => (&["td", "th"], &["tr", "table"]),
            "tr" => (&["tr"], &["table", "tbody", "thead", "tfoot"]),
            _ => return,
        };
        if let Some(pos) = self
            .stack
            .iter()
            .rposition(|e| same.contains(&e.name.as_str()) || stops.contains(&e.name.as_str()))
            && same.contains(&self.stack[pos].name.as_str())
        {
            let name = self.stack[pos].name.clone();
            self.close(&name);
        }
    }

    fn tag(&mut self, tag: Tag) {
        let name = tag.name.to_string();
        if let Some((skipped, depth)) = &mut self.skipping {
            if *skipped == name {
                match tag.kind {
                    TagKind::StartTag if !tag.self_closing => *depth += 1,
                    TagKind::EndTag => *depth -= 1,
                    _ => {}
                }
                if *depth == 0 {
                    self.skipping = None;
                }
            }
            return;
        }
        match tag.kind {
            TagKind::StartTag => {
                if SKIPPED.contains(&name.as_str()) {
                    if !tag.self_closing && !VOID.contains(&name.as_str()) {
                        self.skipping = Some((name, 1));
                    }
                    return;
                }
                let attrs: Vec<(String, String)> = tag
                    .attrs
                    .iter()
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect();
                let element = Element {
                    name: name.clone(),
                    attrs,
                    children: Vec::new(),
                };
                // Word's list marker without the conditional comment.
                if name == "span" && element.style().contains("mso-list:ignore") {
                    self.in_marker = true;
                    self.stack.push(element);
                    return;
                }
                self.implied_close(&name);
                if tag.self_closing || VOID.contains(&name.as_str()) {
                    self.push_node(Node::El(element));
                } else {
                    self.stack.push(element);
                }
            }
            TagKind::EndTag => {
                if let Some(top) = self.stack.last()
                    && top.name == "span"
                    && name == "span"
                    && top.style().contains("mso-list:ignore")
                {
                    self.stack.pop();
                    self.in_marker = false;
                    self.note_marker();
                    return;
                }
                self.close(&name);
            }
        }
    }

    /// Hangs the marker just read on the paragraph it belongs to.
    fn note_marker(&mut self) {
        let marker = std::mem::take(&mut self.marker);
        if let Some(p) = self
            .stack
            .iter_mut()
            .rev()
            .find(|e| e.name == "p" || e.name.starts_with('h'))
        {
            p.attrs
                .push(("data-marker".into(), marker.trim().to_owned()));
        }
    }

    fn comment(&mut self, text: &str) {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("[if !supportlists]") {
            self.in_marker = true;
        } else if t.starts_with("[endif]") && self.in_marker {
            self.in_marker = false;
            self.note_marker();
        }
    }

    fn text(&mut self, text: &str) {
        if self.skipping.is_some() {
            return;
        }
        if self.in_marker {
            self.marker.push_str(text);
            return;
        }
        match self.stack.last_mut().and_then(|e| e.children.last_mut()) {
            Some(Node::Text(t)) => t.push_str(text),
            _ => self.push_node(Node::Text(text.to_owned())),
        }
    }

    fn finish(mut self) -> Element {
        while self.stack.len() > 1 {
            let done = self.stack.pop().expect("above the root");
            self.push_node(Node::El(done));
        }
        self.stack.pop().expect("the root")
    }
}

struct Sink(RefCell<Builder>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut b = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => b.tag(tag),
            Token::CommentToken(c) => b.comment(&c),
            Token::CharacterTokens(t) => b.text(&t),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn parse(html: &str) -> Element {
    let sink = Sink(RefCell::new(Builder::new()));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.into_inner().finish()
}

// ---- from the tree to blocks ------------------------------------------

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Fmt {
    bold: bool,
    italic: bool,
    underline: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inline {
    Text(String, Fmt, Option<String>),
    Break,
    Image { src: String, alt: String },
    Missing(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Para,
    /// The level as written (1–6), mapped to h2/h3 when rendered.
    Heading(u8),
    Quote,
    Item {
        ordered: bool,
        level: usize,
    },
}

#[derive(Clone, Debug)]
enum Block {
    Text(Kind, Vec<Inline>),
    Table(Table),
    /// An image with its caption (`<figure>`, as the editor inserts one).
    Figure(Vec<Inline>, Vec<Inline>),
}

#[derive(Clone, Debug, Default)]
struct Table {
    rows: Vec<Vec<Cell>>,
    /// Rows given as the header (`<thead>` or `<th>` cells).
    head: Vec<bool>,
}

#[derive(Clone, Debug, Default)]
struct Cell {
    header: bool,
    colspan: u32,
    rowspan: u32,
    /// Its paragraphs.
    lines: Vec<Vec<Inline>>,
}

#[derive(Clone, Default)]
struct Ctx {
    fmt: Fmt,
    href: Option<String>,
    /// Open lists, innermost last: ordered or not.
    lists: Vec<bool>,
    /// Inside a `<blockquote>`.
    quote: bool,
}

fn fmt_of(e: &Element, mut f: Fmt) -> Fmt {
    let style = e.style().replace(' ', "");
    match e.name.as_str() {
        "b" | "strong" => f.bold = true,
        "i" | "em" | "cite" | "dfn" => f.italic = true,
        "u" | "ins" => f.underline = true,
        "th" => f.bold = false,
        _ => {}
    }
    for decl in style.split(';') {
        let Some((k, v)) = decl.split_once(':') else {
            continue;
        };
        match k {
            "font-weight" => {
                f.bold = matches!(v, "bold" | "bolder" | "600" | "700" | "800" | "900");
            }
            "font-style" => f.italic = v == "italic" || v == "oblique",
            "text-decoration" | "text-decoration-line" => {
                if v.contains("underline") {
                    f.underline = true;
                } else if v == "none" {
                    f.underline = false;
                }
            }
            _ => {}
        }
    }
    f
}

/// The level of a Word list paragraph (`mso-list:l0 level2 lfo1`), if it is one.
fn mso_level(style: &str) -> Option<usize> {
    let at = style.find("mso-list:")?;
    let rest = &style[at + 9..];
    if rest.trim_start().starts_with("ignore") || rest.trim_start().starts_with("none") {
        return None;
    }
    let level = rest
        .split_whitespace()
        .find_map(|w| w.strip_prefix("level"))?;
    level
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()
}

/// Whether a list marker is a number or letter (`1.`, `a)`, `IV.`) rather
/// than a bullet (`·`, `o`, `§`, `-`: Word's bullets are characters of
/// symbol fonts, `o` among them).
fn ordered_marker(marker: &str) -> bool {
    let marker = marker.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
    let punct = marker.ends_with(['.', ')']);
    let m = marker
        .trim_start_matches('(')
        .trim_end_matches(['.', ')', ':']);
    !m.is_empty()
        && (m.chars().all(|c| c.is_ascii_digit() || c == '.')
            || (punct && m.chars().count() <= 4 && m.chars().all(|c| c.is_ascii_alphabetic())))
}

/// Whether an element holds blocks (Google Docs wraps a whole document in
/// one `<b>`).
fn holds_blocks(e: &Element) -> bool {
    e.children.iter().any(|c| match c {
        Node::El(c) => {
            matches!(
                c.name.as_str(),
                "p" | "div"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "ul"
                    | "ol"
                    | "li"
                    | "table"
                    | "blockquote"
                    | "section"
                    | "article"
            ) || holds_blocks(c)
        }
        Node::Text(_) => false,
    })
}

struct Walker {
    blocks: Vec<Block>,
    kind: Kind,
    line: Vec<Inline>,
    missing: Vec<String>,
}

impl Walker {
    fn flush(&mut self) {
        let line = std::mem::take(&mut self.line);
        if has_content(&line) {
            let kind = std::mem::replace(&mut self.kind, Kind::Para);
            self.blocks.push(Block::Text(kind, line));
        }
        self.kind = Kind::Para;
    }

    fn image(&mut self, e: &Element) -> Inline {
        let src = e.attr("src").unwrap_or("").trim().to_owned();
        let alt = e.attr("alt").unwrap_or("").trim().to_owned();
        if src.starts_with("/media/") && !src.starts_with("//") {
            return Inline::Image { src, alt };
        }
        let name = src
            .rsplit(['/', '\\'])
            .next()
            .filter(|n| !n.is_empty() && !src.starts_with("data:"))
            .unwrap_or("")
            .chars()
            .take(80)
            .collect::<String>();
        self.missing.push(name.clone());
        Inline::Missing(name)
    }

    fn inline(&mut self, nodes: &[Node], ctx: &Ctx, out: &mut Vec<Inline>) {
        for n in nodes {
            match n {
                Node::Text(t) => out.push(Inline::Text(t.clone(), ctx.fmt, ctx.href.clone())),
                Node::El(e) => match e.name.as_str() {
                    "br" => out.push(Inline::Break),
                    "img" => {
                        let img = self.image(e);
                        out.push(img);
                    }
                    "a" => {
                        let mut inner = ctx.clone();
                        inner.href = e
                            .attr("href")
                            .map(str::trim)
                            .filter(|h| {
                                !h.is_empty() && !h.starts_with('#') && !h.starts_with("file:")
                            })
                            .map(str::to_owned);
                        self.inline(&e.children, &inner, out);
                    }
                    "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                        // A block inside a cell or an item: a new line.
                        if has_content(out) {
                            out.push(Inline::Break);
                        }
                        let inner = Ctx {
                            fmt: fmt_of(e, ctx.fmt),
                            ..ctx.clone()
                        };
                        self.inline(&e.children, &inner, out);
                    }
                    "table" => {
                        // A table in a cell: its text.
                        let mut inner = Vec::new();
                        self.inline(&e.children, ctx, &mut inner);
                        out.extend(inner);
                    }
                    "td" | "th" | "tr" => {
                        if has_content(out) {
                            out.push(Inline::Text(" ".into(), Fmt::default(), None));
                        }
                        self.inline(&e.children, ctx, out);
                    }
                    _ => {
                        let inner = Ctx {
                            fmt: fmt_of(e, ctx.fmt),
                            ..ctx.clone()
                        };
                        self.inline(&e.children, &inner, out);
                    }
                },
            }
        }
    }

    fn walk(&mut self, nodes: &[Node], ctx: &Ctx) {
        for n in nodes {
            let e = match n {
                Node::Text(t) => {
                    if ctx.quote && self.kind == Kind::Para {
                        self.kind = Kind::Quote;
                    }
                    self.line
                        .push(Inline::Text(t.clone(), ctx.fmt, ctx.href.clone()));
                    continue;
                }
                Node::El(e) => e,
            };
            let name = e.name.as_str();
            match name {
                "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre"
                | "address" | "center" | "section" | "article" | "header" | "footer" | "main"
                | "aside" | "figcaption" | "dd" | "dt" | "body" | "html" => {
                    let in_item = matches!(self.kind, Kind::Item { .. });
                    let style = e.style();
                    let class = e.attr("class").unwrap_or("").to_ascii_lowercase();
                    let list_level = if name == "p" { mso_level(&style) } else { None };
                    let kind = if let Some(level) = list_level {
                        let ordered = e.attr("data-marker").is_some_and(ordered_marker);
                        Some(Kind::Item { ordered, level })
                    } else {
                        match name {
                            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                                Some(Kind::Heading(name.as_bytes()[1] - b'0'))
                            }
                            "blockquote" => Some(Kind::Quote),
                            "p" if class.contains("msotitle") => Some(Kind::Heading(1)),
                            "p" if class.contains("msoquote")
                                || class.contains("msointensequote") =>
                            {
                                Some(Kind::Quote)
                            }
                            "p" | "pre" | "address" | "dd" | "dt" | "figcaption" => {
                                Some(Kind::Para)
                            }
                            _ => None,
                        }
                    };
                    let kind = match kind {
                        Some(Kind::Para) | None if ctx.quote => Some(Kind::Quote),
                        k => k,
                    };
                    let inner = Ctx {
                        fmt: fmt_of(e, ctx.fmt),
                        quote: ctx.quote || name == "blockquote",
                        ..ctx.clone()
                    };
                    if in_item && matches!(kind, Some(Kind::Para) | None) {
                        // Google Docs and LibreOffice put a paragraph in each item.
                        if has_content(&self.line) {
                            self.line.push(Inline::Break);
                        }
                        self.walk(&e.children, &inner);
                        continue;
                    }
                    self.flush();
                    if let Some(k) = kind {
                        self.kind = k;
                    }
                    self.walk(&e.children, &inner);
                    self.flush();
                }
                "ul" | "ol" | "dl" | "menu" => {
                    self.flush();
                    let mut inner = ctx.clone();
                    inner.lists.push(name == "ol");
                    self.walk(&e.children, &inner);
                    self.flush();
                }
                "li" => {
                    self.flush();
                    self.kind = Kind::Item {
                        ordered: ctx.lists.last().copied().unwrap_or(false),
                        level: ctx.lists.len().max(1),
                    };
                    let inner = Ctx {
                        fmt: fmt_of(e, ctx.fmt),
                        ..ctx.clone()
                    };
                    // Nested lists end the item's own line first.
                    for child in &e.children {
                        if let Node::El(c) = child
                            && (c.name == "ul" || c.name == "ol")
                        {
                            let kind = self.kind.clone();
                            self.flush();
                            self.walk(std::slice::from_ref(child), &inner);
                            self.kind = kind;
                            continue;
                        }
                        self.walk(std::slice::from_ref(child), &inner);
                    }
                    self.flush();
                }
                "table" => {
                    self.flush();
                    let table = self.table(e, ctx);
                    if !table.rows.is_empty() {
                        self.blocks.push(Block::Table(table));
                    }
                }
                "br" => self.line.push(Inline::Break),
                "img" => {
                    let img = self.image(e);
                    self.line.push(img);
                }
                "hr" => self.flush(),
                "figure" => {
                    self.flush();
                    let (mut image, mut caption) = (Vec::new(), Vec::new());
                    for child in &e.children {
                        match child {
                            Node::El(c) if c.name == "figcaption" => {
                                self.inline(&c.children, ctx, &mut caption)
                            }
                            other => self.inline(std::slice::from_ref(other), ctx, &mut image),
                        }
                    }
                    let has_image = image
                        .iter()
                        .any(|i| matches!(i, Inline::Image { .. } | Inline::Missing(_)));
                    if has_image {
                        self.blocks.push(Block::Figure(image, caption));
                    } else {
                        // A figure of text only: its text as a paragraph.
                        image.extend(caption);
                        self.line = image;
                        self.flush();
                    }
                }
                _ if holds_blocks(e) => {
                    let inner = Ctx {
                        fmt: fmt_of(e, ctx.fmt),
                        ..ctx.clone()
                    };
                    self.walk(&e.children, &inner);
                }
                _ => {
                    let mut out = Vec::new();
                    self.inline(std::slice::from_ref(n), ctx, &mut out);
                    self.line.extend(out);
                }
            }
        }
    }

    fn table(&mut self, table: &Element, ctx: &Ctx) -> Table {
        let mut t = Table::default();
        let mut rows: Vec<(&Element, bool)> = Vec::new();
        fn collect<'a>(e: &'a Element, head: bool, rows: &mut Vec<(&'a Element, bool)>) {
            // Cells with no row around them (`<table><td>…`) make one.
            if e.children
                .iter()
                .any(|c| matches!(c, Node::El(c) if c.name == "td" || c.name == "th"))
            {
                rows.push((e, head));
            }
            for c in &e.children {
                if let Node::El(c) = c {
                    match c.name.as_str() {
                        "tr" => rows.push((c, head)),
                        "thead" => collect(c, true, rows),
                        "tbody" | "tfoot" => collect(c, false, rows),
                        _ => {}
                    }
                }
            }
        }
        collect(table, false, &mut rows);
        let cell_ctx = Ctx {
            lists: Vec::new(),
            ..ctx.clone()
        };
        for (tr, head) in rows {
            let mut cells = Vec::new();
            for c in &tr.children {
                let Node::El(td) = c else { continue };
                if td.name != "td" && td.name != "th" {
                    continue;
                }
                let span = |k: &str| {
                    td.attr(k)
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .filter(|n| (1..=100).contains(n))
                        .unwrap_or(1)
                };
                let mut lines: Vec<Vec<Inline>> = Vec::new();
                let mut sub = Walker {
                    blocks: Vec::new(),
                    kind: Kind::Para,
                    line: Vec::new(),
                    missing: Vec::new(),
                };
                sub.walk(&td.children, &cell_ctx);
                sub.flush();
                self.missing.append(&mut sub.missing);
                for b in sub.blocks {
                    match b {
                        Block::Text(Kind::Item { ordered, .. }, line) => {
                            let mut l = vec![Inline::Text(
                                if ordered {
                                    String::new()
                                } else {
                                    "• ".into()
                                },
                                Fmt::default(),
                                None,
                            )];
                            l.extend(line);
                            lines.push(l);
                        }
                        Block::Text(_, line) => lines.push(line),
                        Block::Figure(image, caption) => {
                            lines.push(image);
                            lines.push(caption);
                        }
                        Block::Table(inner) => {
                            for row in inner.rows {
                                let mut l = Vec::new();
                                for cell in row {
                                    for line in cell.lines {
                                        if has_content(&l) {
                                            l.push(Inline::Text(
                                                " · ".into(),
                                                Fmt::default(),
                                                None,
                                            ));
                                        }
                                        l.extend(line);
                                    }
                                }
                                lines.push(l);
                            }
                        }
                    }
                }
                cells.push(Cell {
                    header: td.name == "th",
                    colspan: span("colspan"),
                    rowspan: span("rowspan"),
                    lines,
                });
            }
            if !cells.is_empty() {
                let header = head || cells.iter().all(|c| c.header);
                t.rows.push(cells);
                t.head.push(header);
            }
        }
        // No header given: a first row of bold labels is one (Word, Google Docs).
        if !t.head.iter().any(|h| *h) && t.rows.len() > 1 {
            let first = &t.rows[0];
            let bold = first.iter().all(|c| {
                let texts: Vec<&Inline> = c
                    .lines
                    .iter()
                    .flatten()
                    .filter(|i| matches!(i, Inline::Text(s, _, _) if !s.trim().is_empty()))
                    .collect();
                !texts.is_empty()
                    && texts
                        .iter()
                        .all(|i| matches!(i, Inline::Text(_, f, _) if f.bold))
            });
            if bold {
                t.head[0] = true;
            }
        }
        // Only leading rows can be the header.
        let lead = t.head.iter().take_while(|h| **h).count();
        for (i, h) in t.head.iter_mut().enumerate() {
            *h = i < lead;
        }
        t
    }
}

fn has_content(line: &[Inline]) -> bool {
    line.iter().any(|i| match i {
        Inline::Text(t, _, _) => {
            !t.trim().is_empty() && t.chars().any(|c| !c.is_whitespace() && c != '\u{a0}')
        }
        Inline::Break => false,
        _ => true,
    })
}

// ---- rendering ----------------------------------------------------------

fn render_inline(line: &[Inline], in_header: bool, out: &mut String) {
    // Leading and trailing breaks and spaces go.
    let blank = |i: &Inline| match i {
        Inline::Break => true,
        Inline::Text(t, _, _) => t.chars().all(|c| c.is_whitespace()),
        _ => false,
    };
    let start = line.iter().position(|i| !blank(i)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|i| !blank(i))
        .map_or(start, |e| e + 1);
    let mut line: Vec<Inline> = line[start..end].to_vec();
    if let Some(Inline::Text(t, _, _)) = line.first_mut() {
        *t = t
            .trim_start_matches(|c: char| c.is_whitespace() && c != '\u{a0}')
            .to_owned();
    }
    if let Some(Inline::Text(t, _, _)) = line.last_mut() {
        *t = t
            .trim_end_matches(|c: char| c.is_whitespace() && c != '\u{a0}')
            .to_owned();
    }
    let (start, end) = (0, line.len());
    let mut open: (Fmt, Option<String>) = (Fmt::default(), None);
    let close = |open: &mut (Fmt, Option<String>), out: &mut String| {
        if open.0.underline {
            out.push_str("</u>");
        }
        if open.0.italic {
            out.push_str("</em>");
        }
        if open.0.bold {
            out.push_str("</strong>");
        }
        if open.1.is_some() {
            out.push_str("</a>");
        }
        *open = (Fmt::default(), None);
    };
    for item in &line[start..end] {
        match item {
            Inline::Text(text, fmt, href) => {
                let mut fmt = *fmt;
                if in_header {
                    fmt.bold = false;
                }
                let collapsed = collapse(text);
                if collapsed.trim().is_empty() {
                    // Spaces between runs keep the formatting they are in.
                    if !collapsed.is_empty() && !out.ends_with(' ') && !out.ends_with("<br>") {
                        out.push(' ');
                    }
                    continue;
                }
                if (fmt, href.clone()) != open {
                    close(&mut open, out);
                    if let Some(h) = href {
                        out.push_str(&format!("<a href=\"{}\">", escape(h)));
                    }
                    if fmt.bold {
                        out.push_str("<strong>");
                    }
                    if fmt.italic {
                        out.push_str("<em>");
                    }
                    if fmt.underline {
                        out.push_str("<u>");
                    }
                    open = (fmt, href.clone());
                }
                out.push_str(&escape(&collapsed));
            }
            Inline::Break => {
                close(&mut open, out);
                out.push_str("<br>");
            }
            Inline::Image { src, alt } => {
                close(&mut open, out);
                out.push_str(&format!(
                    "<img src=\"{}\" alt=\"{}\">",
                    escape(src),
                    escape(alt)
                ));
            }
            Inline::Missing(name) => {
                close(&mut open, out);
                out.push_str(&escape(&missing_image_note(name)));
            }
        }
    }
    close(&mut open, out);
}

/// HTML's white space: runs of spaces, tabs and newlines are one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn render(blocks: &[Block]) -> String {
    // The levels used, highest first: the first becomes h2, the rest h3.
    let mut levels: Vec<u8> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Text(Kind::Heading(l), _) => Some(*l),
            _ => None,
        })
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let heading = |l: u8| if levels.first() == Some(&l) { 2 } else { 3 };
    let mut out = String::new();
    // Open lists: (ordered, level).
    let mut lists: Vec<(bool, usize)> = Vec::new();
    let mut in_quote = false;
    for b in blocks {
        let item = match b {
            Block::Text(Kind::Item { ordered, level }, _) => Some((*ordered, (*level).clamp(1, 6))),
            _ => None,
        };
        // Close lists deeper than this item, or all of them.
        let want = item.map_or(0, |(_, l)| l);
        while let Some(&(o, l)) = lists.last() {
            if l > want || (l == want && item.is_some_and(|(ord, _)| ord != o)) {
                out.push_str(if o { "</li></ol>" } else { "</li></ul>" });
                lists.pop();
            } else {
                break;
            }
        }
        let quote = matches!(b, Block::Text(Kind::Quote, _));
        if in_quote && !quote {
            out.push_str("</blockquote>");
            in_quote = false;
        }
        match b {
            Block::Text(Kind::Item { .. }, line) => {
                let (ordered, level) = item.expect("an item");
                if lists.last().is_some_and(|&(_, l)| l == level) {
                    out.push_str("</li><li>");
                } else {
                    // A deeper level (or the first): a list inside the open item.
                    out.push_str(if ordered { "<ol><li>" } else { "<ul><li>" });
                    lists.push((ordered, level));
                }
                render_inline(line, false, &mut out);
            }
            Block::Text(kind, line) => {
                let (open, close) = match kind {
                    Kind::Heading(l) => {
                        let h = heading(*l);
                        (format!("<h{h}>"), format!("</h{h}>"))
                    }
                    Kind::Quote => {
                        if !in_quote {
                            out.push_str("<blockquote>");
                            in_quote = true;
                        }
                        ("<p>".into(), "</p>".into())
                    }
                    _ => ("<p>".into(), "</p>".into()),
                };
                out.push_str(&open);
                render_inline(line, false, &mut out);
                out.push_str(&close);
                out.push('\n');
            }
            Block::Figure(image, caption) => {
                out.push_str("<figure>");
                render_inline(image, false, &mut out);
                if has_content(caption) {
                    out.push_str("<figcaption>");
                    render_inline(caption, false, &mut out);
                    out.push_str("</figcaption>");
                }
                out.push_str("</figure>\n");
            }
            Block::Table(t) => {
                out.push_str("<table>");
                let head = t.head.iter().filter(|h| **h).count();
                for (i, row) in t.rows.iter().enumerate() {
                    if i == 0 && head > 0 {
                        out.push_str("<thead>");
                    }
                    if i == head {
                        out.push_str("<tbody>");
                    }
                    out.push_str("<tr>");
                    for c in row {
                        let tag = if i < head { "th" } else { "td" };
                        out.push('<');
                        out.push_str(tag);
                        if c.colspan > 1 {
                            out.push_str(&format!(" colspan=\"{}\"", c.colspan));
                        }
                        if c.rowspan > 1 {
                            out.push_str(&format!(" rowspan=\"{}\"", c.rowspan));
                        }
                        if i < head {
                            out.push_str(" scope=\"col\"");
                        }
                        out.push('>');
                        let mut first = true;
                        for line in &c.lines {
                            if !has_content(line) {
                                continue;
                            }
                            if !first {
                                out.push_str("<br>");
                            }
                            render_inline(line, i < head, &mut out);
                            first = false;
                        }
                        out.push_str(&format!("</{tag}>"));
                    }
                    out.push_str("</tr>");
                    if i + 1 == head {
                        out.push_str("</thead>");
                    }
                }
                if head < t.rows.len() {
                    out.push_str("</tbody>");
                }
                out.push_str("</table>\n");
            }
        }
    }
    while let Some((o, _)) = lists.pop() {
        out.push_str(if o { "</li></ol>" } else { "</li></ul>" });
    }
    if in_quote {
        out.push_str("</blockquote>");
    }
    out
}

/// Cleans HTML from an office suite or a web page (see the module's text).
pub fn clean(html: &str) -> Cleaned {
    let root = parse(html);
    let mut w = Walker {
        blocks: Vec::new(),
        kind: Kind::Para,
        line: Vec::new(),
        missing: Vec::new(),
    };
    // Word's clipboard marks the part copied.
    let fragment = fragment_of(&root);
    w.walk(fragment, &Ctx::default());
    w.flush();
    Cleaned {
        html: render(&w.blocks),
        missing_images: w.missing,
    }
}

/// The children of `<body>` when there is one, else everything.
fn fragment_of(root: &Element) -> &[Node] {
    fn body(e: &Element) -> Option<&Element> {
        for c in &e.children {
            if let Node::El(c) = c {
                if c.name == "body" {
                    return Some(c);
                }
                if c.name == "html"
                    && let Some(b) = body(c)
                {
                    return Some(b);
                }
            }
        }
        None
    }
    body(root).map_or(&root.children, |b| &b.children)
}

#[cfg(test)]
mod tests;
