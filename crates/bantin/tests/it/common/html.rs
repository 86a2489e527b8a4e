//! Reading pages the way a browser reads a form: the value of a field by
//! its name, whatever the order of the attributes; text with its character
//! references decoded. Tests use these instead of cutting strings.

/// The attributes of each start tag `<name …>` in `html`, in order.
pub fn tags(html: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        // `<input` must not match `<inputs`.
        if !after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
            rest = after;
            continue;
        }
        let end = tag_end(after);
        out.push(attributes(&after[..end]));
        rest = &after[end..];
    }
    out
}

/// Where a tag's attributes end (at its `>`, quotes respected).
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    s.len()
}

fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.trim_end_matches('/').char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() || c == '=' {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let name = s[start..end].to_ascii_lowercase();
        while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek().is_some_and(|(_, c)| *c == '=') {
            chars.next();
            while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                chars.next();
            }
            match chars.peek().map(|&(_, c)| c) {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    for (_, c) in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    while let Some(&(_, c)) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                }
            }
        }
        if !name.is_empty() {
            out.push((name, unescape(&value)));
        }
    }
    out
}

/// The attribute `wanted` of the first `<tag>` whose attribute `key` is
/// `value` (`img` with class `featured` → its `src`).
pub fn attr_of(html: &str, tag: &str, (key, value): (&str, &str), wanted: &str) -> Option<String> {
    tags(html, tag)
        .into_iter()
        .find(|t| attr(t, key) == Some(value))
        .and_then(|t| attr(&t, wanted).map(str::to_owned))
}

fn attr<'a>(tag: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tag.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Decodes the character references askama writes (and numeric ones).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(semi) = after.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let entity = &after[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value a form would send for the field `name`: an `<input>`'s
/// value, a `<textarea>`'s text, or a `<select>`'s selected option.
pub fn field(html: &str, name: &str) -> Option<String> {
    if let Some(input) = tags(html, "input")
        .into_iter()
        .find(|t| attr(t, "name") == Some(name))
    {
        return Some(attr(&input, "value").unwrap_or("").to_owned());
    }
    if let Some(text) = element_text(html, "textarea", name) {
        return Some(unescape(text.strip_prefix('\n').unwrap_or(text)));
    }
    let select = element_text(html, "select", name)?;
    let options = tags(select, "option");
    let chosen = options
        .iter()
        .find(|o| attr(o, "selected").is_some())
        .or(options.first())?;
    Some(attr(chosen, "value").unwrap_or("").to_owned())
}

/// Each element `<tag …>…</tag>`: its attributes and raw content.
fn elements<'a>(html: &'a str, tag: &str) -> Vec<(Vec<(String, String)>, &'a str)> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let end = tag_end(after);
        let content = after.get(end + 1..).unwrap_or("");
        out.push((
            attributes(&after[..end]),
            &content[..content.find(&close).unwrap_or(content.len())],
        ));
        rest = content;
    }
    out
}

/// The raw content of the element `<tag … name="name">…</tag>`.
fn element_text<'a>(html: &'a str, tag: &str, name: &str) -> Option<&'a str> {
    elements(html, tag)
        .into_iter()
        .find(|(attrs, _)| attr(attrs, "name") == Some(name))
        .map(|(_, content)| content)
}

/// The text inside the first element `<tag class="class">`, tags removed
/// and references decoded (`code`, `secret` → the generated password).
pub fn text_of(html: &str, tag: &str, class: &str) -> Option<String> {
    elements(html, tag)
        .into_iter()
        .find(|(attrs, _)| {
            attr(attrs, "class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
        })
        .map(|(_, inner)| unescape(&strip_tags(inner)))
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn fields_whatever_the_attribute_order() {
    let page = r#"<form><input type="hidden" name="csrf" value="abc"><input value='7' name=version>
<textarea id="body" name="body" rows="3">
&lt;p&gt;Xin chào &amp; hẹn gặp&lt;/p&gt;</textarea>
<select id="c" name="category"><option value="">(không)</option><option value="2" selected>Tin tức</option></select>
<p class="x secret">mật <b>khẩu</b></p></form>"#;
    assert_eq!(field(page, "csrf").as_deref(), Some("abc"));
    assert_eq!(field(page, "version").as_deref(), Some("7"));
    assert_eq!(
        field(page, "body").as_deref(),
        Some("<p>Xin chào & hẹn gặp</p>")
    );
    assert_eq!(field(page, "category").as_deref(), Some("2"));
    assert_eq!(field(page, "missing"), None);
    assert_eq!(text_of(page, "p", "secret").as_deref(), Some("mật khẩu"));
    assert_eq!(unescape("&#39;&#x1EA1;"), "'ạ");
    assert_eq!(
        attr_of(page, "input", ("name", "csrf"), "type").as_deref(),
        Some("hidden")
    );
}
