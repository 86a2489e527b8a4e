//! Article bodies from editors: HTML pasted from Word or a web page, or
//! plain text typed in the form. Stored as sanitised HTML: an allow-list of
//! elements and attributes (ammonia), then the text between tags cleaned
//! like all stored text (`content::text::clean`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use vntext::ToneStyle;

use crate::content::html::{escape, paragraphs_to_html};
use crate::content::text;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "figure",
        "figcaption",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "blockquote",
        "hr",
    ]
    .into();
    let attributes: HashMap<&str, HashSet<&str>> = [
        ("a", ["href", "title"].into()),
        ("img", ["src", "alt", "title", "width", "height"].into()),
        ("td", ["colspan", "rowspan"].into()),
        ("th", ["colspan", "rowspan", "scope"].into()),
        ("ol", ["start"].into()),
    ]
    .into();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .clean_content_tags(["script", "style", "title", "head"].into())
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .url_relative(ammonia::UrlRelative::Custom(Box::new(same_site_only)))
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    b
});

/// Relative addresses stay on the site; a protocol-relative one
/// (`//evil.example/…`, also written with backslashes, which browsers read
/// as slashes) goes to another site and is dropped.
fn same_site_only(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    let lead: String = url.trim_start().chars().take(2).collect();
    if matches!(lead.as_str(), "//" | "\\\\" | "/\\" | "\\/") {
        return None;
    }
    Some(std::borrow::Cow::Borrowed(url))
}

/// Whether the input is HTML rather than plain text.
fn looks_like_html(input: &str) -> bool {
    let bytes = input.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// The body to store: sanitised HTML with clean Vietnamese text.
pub fn body(input: &str, style: Option<ToneStyle>) -> String {
    if !looks_like_html(input) {
        let cleaned = text::clean(input, style);
        let paragraphs: Vec<&str> = cleaned.lines().filter(|l| !l.is_empty()).collect();
        return paragraphs_to_html(&paragraphs);
    }
    // What an office suite or a web page formats is first made into plain
    // structure (lists, tables, bold… kept; styles, fonts, Word's markup
    // gone); bantin's own stored HTML needs no such step.
    let restructured;
    let input = if super::pasted::is_foreign(input) {
        restructured = super::pasted::clean(input).html;
        restructured.as_str()
    } else {
        input
    };
    let safe = CLEANER.clean(input).to_string();
    drop_empty_paragraphs(&clean_text_nodes(&safe, style))
}

/// Cleans the text between tags. White space at a segment's edge becomes
/// one space next to an inline element (`<b>a</b> b`) and disappears next
/// to a block (`</p>\n<p>`).
fn clean_text_nodes(html: &str, style: Option<ToneStyle>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut prev_tag = "";
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            prev_tag = tag_name(&rest[..end]);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let (segment, after) = rest.split_at(end);
        let next_tag = tag_name(after);
        // The serializer writes only these entities in text.
        let segment = segment
            .replace("&nbsp;", " ")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let cleaned = escape(&text::clean(&segment.replace('\n', " "), style));
        let space_before = segment.starts_with(char::is_whitespace) && !is_block(prev_tag);
        let space_after = segment.ends_with(char::is_whitespace) && !is_block(next_tag);
        if cleaned.is_empty() {
            if space_before && space_after {
                out.push(' ');
            }
        } else {
            if space_before {
                out.push(' ');
            }
            out.push_str(&cleaned);
            if space_after {
                out.push(' ');
            }
        }
        rest = after;
    }
    out
}

/// `p` for `<p class=x>`, `</p>` or `<br/>`; empty for no tag.
fn tag_name(s: &str) -> &str {
    let s = s.strip_prefix('<').unwrap_or("").trim_start_matches('/');
    let end = s
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(s.len());
    &s[..end]
}

fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "" | "p"
            | "br"
            | "h2"
            | "h3"
            | "h4"
            | "ul"
            | "ol"
            | "li"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "th"
            | "td"
            | "blockquote"
            | "figure"
            | "figcaption"
            | "hr"
    )
}

fn drop_empty_paragraphs(html: &str) -> String {
    let mut out = html.to_owned();
    for empty in ["<p></p>", "<p> </p>", "<p><br></p>"] {
        out = out.replace(empty, "");
    }
    out.trim().to_owned()
}

/// The text of an HTML body (for lint warnings, summaries and search): tags
/// become spaces, the entities the sanitiser writes are decoded, runs of
/// white space become one space. One pass, one allocation: search ranking
/// calls this for every candidate.
pub fn plain_text(html: &str) -> String {
    const ENTITIES: [(&str, char); 6] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&nbsp;", ' '),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    // Whether a space is owed before the next visible character.
    let mut space = false;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        let mut step = c.len_utf8();
        let visible = match c {
            '<' => {
                in_tag = true;
                None
            }
            '>' if in_tag => {
                in_tag = false;
                space = true;
                None
            }
            _ if in_tag => None,
            '&' => match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
                Some((e, decoded)) => {
                    step = e.len();
                    Some(*decoded)
                }
                None => Some('&'),
            },
            c => Some(c),
        };
        match visible {
            Some(c) if c.is_whitespace() => space = true,
            Some(c) => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
            None => {}
        }
        rest = &rest[step..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_html() {
        assert_eq!(
            plain_text(
                "<p>Tom &amp; Jerry &lt;3, it&#39;s</p>\n<p> Đoạn&nbsp;hai  &quot;x&quot; &amp;lt; &copy;</p>"
            ),
            "Tom & Jerry <3, it's Đoạn hai \"x\" &lt; &copy;"
        );
        assert_eq!(plain_text("  <br>  "), "");
        assert_eq!(plain_text("a<b>b</b>c"), "a b c");
    }

    #[test]
    fn links_to_other_sites_need_their_scheme() {
        for evil in [
            "//evil.example/x",
            " //evil.example/x",
            "\\\\evil.example/x",
            "/\\evil.example/x",
            "\\/evil.example/x",
        ] {
            let html = body(
                &format!("<p><a href=\"{evil}\">xem</a> <img src=\"{evil}\" alt=\"a\"></p>"),
                None,
            );
            assert!(!html.contains("evil.example"), "{evil} → {html}");
        }
        let ok = body(
            "<p><a href=\"/tin-tuc/a\">a</a> <a href=\"https://xa.gov.vn/b\">b</a></p>",
            None,
        );
        assert!(
            ok.contains("href=\"/tin-tuc/a\"") && ok.contains("href=\"https://xa.gov.vn/b\""),
            "{ok}"
        );
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        assert_eq!(
            body("Đoạn một ,  hay.\n\nĐoạn hai.", None),
            "<p>Đoạn một, hay.</p>\n<p>Đoạn hai.</p>\n"
        );
        assert_eq!(
            body("a < b và c > d", None),
            "<p>a &lt; b và c &gt; d</p>\n"
        );
        assert_eq!(
            body("<p>Tom &amp; Jerry &lt;3, it's</p>", None),
            "<p>Tom &amp; Jerry &lt;3, it&#39;s</p>"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="alert(1)">Xin <b>chào</b><script>alert(2)</script></p>
            <a href="javascript:alert(3)">x</a><img src="x" onerror="alert(4)">
            <p style="position:fixed;top:0">y</p><iframe src="https://evil"></iframe>
            <svg><script>alert(5)</script></svg><a href="https://gov.vn">z</a>"#;
        let clean = body(dirty, None);
        for bad in [
            "onclick",
            "alert",
            "javascript",
            "onerror",
            "style",
            "iframe",
            "svg",
            "script",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        // Styled input is restructured first: bold comes out as <strong>.
        assert!(
            clean.contains("<p>Xin <strong>chào</strong></p>"),
            "{clean}"
        );
        assert!(
            clean.contains(r#"<a href="https://gov.vn" rel="noopener noreferrer">z</a>"#),
            "{clean}"
        );
    }

    #[test]
    fn word_paste_is_cleaned() {
        let word = "<p class=MsoNormal style='text-align:justify'><span style='font-size:13pt'>Sa\u{300}ng nay&nbsp;&nbsp;xã  tổ chức hội nghị ,<o:p></o:p></span></p>\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>";
        assert_eq!(body(word, None), "<p>Sàng nay xã tổ chức hội nghị,</p>");
    }

    #[test]
    fn spaces_between_inline_elements_survive() {
        assert_eq!(
            body("<p><b>Hà Nội</b> và <i>Lào Cai</i></p>", None),
            "<p><b>Hà Nội</b> và <i>Lào Cai</i></p>"
        );
        assert_eq!(
            body("<p>Tổ <b>hoà</b> giải</p>", Some(ToneStyle::Old)),
            "<p>Tổ <b>hòa</b> giải</p>"
        );
    }

    #[test]
    fn allowed_structure_stays() {
        let html = r#"<h2>Mục</h2><ul><li>Một</li></ul><table><tr><td colspan="2">Ô</td></tr></table><blockquote>Trích</blockquote><img src="/media/ab.jpg" alt="Ảnh">"#;
        let clean = body(html, None);
        for keep in [
            "<h2>Mục</h2>",
            "<li>Một</li>",
            "colspan=\"2\"",
            "<blockquote>Trích</blockquote>",
            "src=\"/media/ab.jpg\"",
            "alt=\"Ảnh\"",
        ] {
            assert!(clean.contains(keep), "{keep} in {clean}");
        }
        assert_eq!(plain_text(&clean), "Mục Một Ô Trích");
    }
}
