//! WordPress's export format (WXR: RSS 2.0 with the `wp:`, `content:`,
//! `excerpt:` and `dc:` namespaces), read as a stream: one author,
//! category or item at a time, so a 200 MB export needs no more memory
//! than its largest post. Comments (`wp:comment`) are passed over.

use std::io::BufRead;

use quick_xml::events::Event;

/// One entry of the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Author(Author),
    Category(Category),
    Item(Box<Item>),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Author {
    pub id: String,
    pub login: String,
    pub display_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Category {
    pub term_id: String,
    pub nicename: String,
    pub parent: String,
    pub name: String,
}

/// A post, page, attachment or other item, with the fields bantin reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub guid: String,
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: String,
    /// Local time of the site, `2023-05-01 08:00:00`.
    pub post_date: String,
    /// UTC, or `0000-00-00 00:00:00` for a draft never published.
    pub post_date_gmt: String,
    pub post_name: String,
    pub status: String,
    pub post_parent: String,
    pub menu_order: String,
    pub post_type: String,
    pub attachment_url: String,
    /// `(domain, nicename, name)`: `category` or `post_tag`.
    pub terms: Vec<(String, String, String)>,
    pub meta: Vec<(String, String)>,
}

impl Item {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A file that is not a WXR export, or is damaged.
#[derive(Debug, thiserror::Error)]
#[error("tệp xuất WordPress hỏng ở byte {position}: {message}")]
pub struct WxrError {
    pub position: u64,
    pub message: String,
}

enum Open {
    None,
    Author(Author),
    Category(Category),
    Item(Box<Item>),
}

/// Reads entries one by one.
pub struct Reader<R: BufRead> {
    xml: quick_xml::Reader<R>,
    buf: Vec<u8>,
    text: String,
    open: Open,
    /// Inside a `wp:comment` (or another element skipped whole).
    skipping: usize,
    meta_key: String,
    term: Option<(String, String)>,
    seen_rss: bool,
    /// `wp:base_site_url` of the channel.
    pub base_site_url: String,
    /// `wp:base_blog_url` of the channel.
    pub base_blog_url: String,
    /// `wp:wxr_version`: present in every real export.
    pub wxr_version: String,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        let xml = quick_xml::Reader::from_reader(input);
        Reader {
            xml,
            buf: Vec::with_capacity(64 * 1024),
            text: String::new(),
            open: Open::None,
            skipping: 0,
            meta_key: String::new(),
            term: None,
            seen_rss: false,
            base_site_url: String::new(),
            base_blog_url: String::new(),
            wxr_version: String::new(),
        }
    }

    fn error(&self, message: impl std::fmt::Display) -> WxrError {
        WxrError {
            position: self.xml.buffer_position(),
            message: message.to_string(),
        }
    }

    /// The next entry; `Ok(None)` at the end of the file.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, WxrError> {
        loop {
            self.buf.clear();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    let message = e.to_string();
                    return Err(self.error(message));
                }
            };
            match event {
                Event::Start(start) => {
                    let name = start.name().into_inner().to_owned();
                    if !self.seen_rss {
                        if name != "rss" {
                            return Err(self.error("không phải tệp xuất WordPress (WXR)"));
                        }
                        self.seen_rss = true;
                        continue;
                    }
                    if self.skipping > 0 || name == "wp:comment" {
                        self.skipping += 1;
                        continue;
                    }
                    self.text.clear();
                    match name.as_str() {
                        "item" => self.open = Open::Item(Box::default()),
                        "wp:author" if matches!(self.open, Open::None) => {
                            self.open = Open::Author(Author::default())
                        }
                        "wp:category" if matches!(self.open, Open::None) => {
                            self.open = Open::Category(Category::default())
                        }
                        "category" if matches!(self.open, Open::Item(_)) => {
                            let attr = |key: &str| {
                                start
                                    .try_get_attribute(key)
                                    .ok()
                                    .flatten()
                                    .and_then(|a| {
                                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                            .ok()
                                            .map(|v| v.into_owned())
                                    })
                                    .unwrap_or_default()
                            };
                            self.term = Some((attr("domain"), attr("nicename")));
                        }
                        _ => {}
                    }
                }
                Event::Empty(_) => self.text.clear(),
                Event::Text(t) if self.skipping == 0 => self.text.push_str(&t.xml10_content()),
                Event::CData(t) if self.skipping == 0 => self.text.push_str(&t),
                Event::GeneralRef(r) => {
                    if self.skipping > 0 {
                        continue;
                    }
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match &*r {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            _ => None,
                        },
                        Err(e) => return Err(self.error(e)),
                    };
                    match c {
                        Some(c) => self.text.push(c),
                        None => {
                            let name = r.to_string();
                            return Err(self.error(format!("thực thể không biết &{name};")));
                        }
                    }
                }
                Event::End(end) => {
                    if self.skipping > 0 {
                        self.skipping -= 1;
                        continue;
                    }
                    let name = end.name().into_inner().to_owned();
                    let text = std::mem::take(&mut self.text);
                    if let Some(entry) = self.close(&name, text) {
                        return Ok(Some(entry));
                    }
                }
                Event::Eof => {
                    if !self.seen_rss {
                        return Err(self.error("tệp rỗng, không phải tệp xuất WordPress"));
                    }
                    if !matches!(self.open, Open::None) {
                        return Err(self.error("tệp bị cắt giữa chừng"));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// An element ended: its text goes to the open entry; the entry itself
    /// ending is returned.
    fn close(&mut self, name: &str, text: String) -> Option<Entry> {
        match &mut self.open {
            Open::None => {
                match name {
                    "wp:base_site_url" => self.base_site_url = text.trim().to_owned(),
                    "wp:base_blog_url" => self.base_blog_url = text.trim().to_owned(),
                    "wp:wxr_version" => self.wxr_version = text.trim().to_owned(),
                    _ => {}
                }
                None
            }
            Open::Author(a) => {
                match name {
                    "wp:author_id" => a.id = text.trim().to_owned(),
                    "wp:author_login" => a.login = text.trim().to_owned(),
                    "wp:author_display_name" => a.display_name = text.trim().to_owned(),
                    "wp:author" => {
                        let Open::Author(a) = std::mem::replace(&mut self.open, Open::None) else {
                            unreachable!()
                        };
                        return Some(Entry::Author(a));
                    }
                    _ => {}
                }
                None
            }
            Open::Category(c) => {
                match name {
                    "wp:term_id" => c.term_id = text.trim().to_owned(),
                    "wp:category_nicename" => c.nicename = text.trim().to_owned(),
                    "wp:category_parent" => c.parent = text.trim().to_owned(),
                    "wp:cat_name" => c.name = text.trim().to_owned(),
                    "wp:category" => {
                        let Open::Category(c) = std::mem::replace(&mut self.open, Open::None)
                        else {
                            unreachable!()
                        };
                        return Some(Entry::Category(c));
                    }
                    _ => {}
                }
                None
            }
            Open::Item(item) => {
                let t = || text.trim().to_owned();
                match name {
                    "title" => item.title = t(),
                    "link" => item.link = t(),
                    "guid" => item.guid = t(),
                    "dc:creator" => item.creator = t(),
                    "content:encoded" => item.content = text,
                    "excerpt:encoded" => item.excerpt = text,
                    "wp:post_id" => item.post_id = t(),
                    "wp:post_date" => item.post_date = t(),
                    "wp:post_date_gmt" => item.post_date_gmt = t(),
                    "wp:post_name" => item.post_name = t(),
                    "wp:status" => item.status = t(),
                    "wp:post_parent" => item.post_parent = t(),
                    "wp:menu_order" => item.menu_order = t(),
                    "wp:post_type" => item.post_type = t(),
                    "wp:attachment_url" => item.attachment_url = t(),
                    "wp:meta_key" => self.meta_key = t(),
                    "wp:meta_value" => item.meta.push((std::mem::take(&mut self.meta_key), text)),
                    "category" => {
                        if let Some((domain, nicename)) = self.term.take() {
                            item.terms.push((domain, nicename, t()));
                        }
                    }
                    "item" => {
                        let Open::Item(item) = std::mem::replace(&mut self.open, Open::None) else {
                            unreachable!()
                        };
                        return Some(Entry::Item(item));
                    }
                    _ => {}
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Xã Thử</title>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://xa.example.vn</wp:base_site_url>
  <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[lan]]></wp:author_login>
    <wp:author_display_name><![CDATA[Nguyễn Thị Lan]]></wp:author_display_name></wp:author>
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[tin-xa]]></wp:category_nicename>
    <wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[Tin xã]]></wp:cat_name></wp:category>
  <item>
    <title><![CDATA[Họp dân &amp; bầu cử]]></title>
    <link>https://xa.example.vn/2023/05/hop-dan/</link>
    <dc:creator><![CDATA[lan]]></dc:creator>
    <content:encoded><![CDATA[<p>Một ]]]]><![CDATA[> hai</p>]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="tin-xa"><![CDATA[Tin xã]]></category>
    <wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[40]]></wp:meta_value></wp:postmeta>
    <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[Hay]]></wp:comment_content></wp:comment>
  </item>
</channel>
</rss>"#;

    #[test]
    fn entries_one_by_one() {
        let mut r = Reader::new(EXPORT.as_bytes());
        let Some(Entry::Author(a)) = r.next_entry().unwrap() else {
            panic!()
        };
        assert_eq!(
            (a.id.as_str(), a.display_name.as_str()),
            ("2", "Nguyễn Thị Lan")
        );
        assert_eq!(r.base_site_url, "https://xa.example.vn");
        let Some(Entry::Category(c)) = r.next_entry().unwrap() else {
            panic!()
        };
        assert_eq!(c.nicename, "tin-xa");
        let Some(Entry::Item(item)) = r.next_entry().unwrap() else {
            panic!()
        };
        assert_eq!(
            item.title, "Họp dân &amp; bầu cử",
            "CDATA is taken as it is"
        );
        assert_eq!(item.content, "<p>Một ]]> hai</p>");
        assert_eq!(item.meta("_thumbnail_id"), Some("40"));
        assert_eq!(item.terms[0].1, "tin-xa");
        assert_eq!(r.next_entry().unwrap(), None);
    }

    #[test]
    fn damaged_files_are_refused() {
        let cut = &EXPORT[..EXPORT.len() / 2];
        let mut r = Reader::new(cut.as_bytes());
        let mut result = Ok(None);
        for _ in 0..10 {
            result = r.next_entry();
            if !matches!(result, Ok(Some(_))) {
                break;
            }
        }
        assert!(result.is_err(), "{result:?}");
        let mut r = Reader::new("<html><body>x</body></html>".as_bytes());
        assert!(r.next_entry().is_err());
    }
}
