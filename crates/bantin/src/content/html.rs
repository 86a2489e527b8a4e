//! Building article HTML from plain text.

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Plain-text paragraphs as `<p>` elements, escaped.
pub fn paragraphs_to_html<S: AsRef<str>>(paragraphs: &[S]) -> String {
    let mut html = String::new();
    for p in paragraphs {
        html.push_str("<p>");
        html.push_str(&escape(p.as_ref()));
        html.push_str("</p>\n");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(
            paragraphs_to_html(&["<script>alert('x')</script> & \"y\""]),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;</p>\n"
        );
    }
}
