//! What every public page's frame shows: the site's name, the menu, the
//! search box, a maintenance notice, the sidebar, and the footer with the
//! body's contacts and the log-in link; Dublin Core metadata in the head.

use std::sync::Arc;

use crate::content::cache::Chrome;
use crate::content::menu::Entry;
use crate::localtime;
use crate::site::Site;
use crate::web::assets;

/// Which menu entry is the current page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    Home,
    News,
    None,
}

pub struct Layout {
    pub site_name: String,
    pub site_description: String,
    /// The `<title>`: the page's own title, then the site's name.
    pub page_title: String,
    pub meta_description: String,
    pub stylesheet: &'static str,
    pub nav: Nav,
    pub search_query: String,
    /// Public pages have a sidebar with the visitor statistics.
    pub sidebar: Option<Sidebar>,
    /// The main menu (empty on pages that name no site).
    pub menu: Vec<MenuLink>,
    /// Planned downtime, announced.
    pub notice: String,
    /// The footer: the body's contacts (Law 104/2016 Art. 19).
    pub address: String,
    pub phone: String,
    pub email: String,
    pub info_officer: String,
    pub content_responsible: String,
    pub licence: String,
    /// `DC.*` metadata (Circular 24/2011): (name, value).
    pub dublin_core: Vec<(&'static str, String)>,
}

/// A menu entry as the frame shows it.
pub struct MenuLink {
    pub label: String,
    pub href: String,
    pub current: bool,
    pub children: Vec<MenuLink>,
}

impl MenuLink {
    /// Whether the heading has a page of its own (not one of its entries'),
    /// listed first under it.
    pub fn own_page(&self) -> bool {
        !self.children.iter().any(|c| c.href == self.href)
    }

    fn of(e: &Entry, here: &str) -> MenuLink {
        let children: Vec<MenuLink> = e.children.iter().map(|c| MenuLink::of(c, here)).collect();
        MenuLink {
            current: e.href == here || children.iter().any(|c| c.current),
            label: e.label.clone(),
            href: e.href.clone(),
            children,
        }
    }
}

/// The sidebar every public page shows: "Đọc nhiều" and "Thống kê truy cập".
pub struct Sidebar {
    pub online: String,
    pub today: String,
    pub week: String,
    pub total: String,
    /// (title, href)
    pub most_read: Vec<(String, String)>,
}

/// `1234567` → `1.234.567`, as Vietnamese write numbers.
pub fn format_count(n: i64) -> String {
    Count::new(n).as_str().to_owned()
}

/// A number written as [`format_count`] writes it, on the stack: the kept
/// pages put four of them into every answer without allocating.
pub struct Count {
    /// The text, right-aligned: `-9.223.372.036.854.775.808` fits.
    buf: [u8; 26],
    start: usize,
}

impl Count {
    pub fn new(n: i64) -> Count {
        let mut buf = [0u8; 26];
        let mut start = buf.len();
        let mut rest = n.unsigned_abs();
        let mut digits = 0;
        loop {
            if digits > 0 && digits % 3 == 0 {
                start -= 1;
                buf[start] = b'.';
            }
            start -= 1;
            buf[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            digits += 1;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            start -= 1;
            buf[start] = b'-';
        }
        Count { buf, start }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits, dots and a minus sign were written.
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or_default()
    }
}

impl Layout {
    pub fn new(site: &Site, title: &str, description: &str) -> Layout {
        let page_title = if title.is_empty() {
            site.name.clone()
        } else {
            format!("{title} - {}", site.name)
        };
        // Search engines and link previews show this; a site without a
        // description still says what it is.
        let meta_description = match (description, site.description.as_str()) {
            ("", "") => format!("Tin tức, thông báo và hoạt động của {}.", site.name),
            ("", site_description) => site_description.to_owned(),
            (description, _) => description.to_owned(),
        };
        Layout {
            site_name: site.name.clone(),
            site_description: site.description.clone(),
            page_title,
            meta_description,
            stylesheet: assets::stylesheet_href(),
            nav: Nav::None,
            search_query: String::new(),
            sidebar: None,
            menu: Vec::new(),
            notice: String::new(),
            address: site.address.clone(),
            phone: site.phone.clone(),
            email: site.email.clone(),
            info_officer: site.info_officer.clone(),
            content_responsible: site.content_responsible.clone(),
            licence: site.licence.clone(),
            dublin_core: Vec::new(),
        }
    }

    /// The menu (the entry of `here`, a path, marked current) and the
    /// maintenance notice.
    pub fn chrome(mut self, chrome: &Arc<Chrome>, here: &str) -> Layout {
        self.menu = chrome.menu.iter().map(|e| MenuLink::of(e, here)).collect();
        if let Some(n) = &chrome.notice {
            self.notice = format!(
                "Thông báo bảo trì: từ {} đến {}. {}",
                localtime::format_datetime(n.starts_at),
                localtime::format_datetime(n.ends_at),
                n.message
            );
        }
        self
    }

    /// Dublin Core metadata: title, creator, date, description, publisher,
    /// identifier (the page's address), in Vietnamese.
    pub fn dublin_core(
        mut self,
        title: &str,
        creator: &str,
        date: Option<chrono::DateTime<chrono::Utc>>,
        identifier: &str,
    ) -> Layout {
        let mut dc = vec![
            ("DC.title", title.to_owned()),
            ("DC.creator", creator.to_owned()),
        ];
        if let Some(d) = date {
            dc.push(("DC.date", localtime::rfc3339_local(d)));
        }
        dc.push(("DC.description", self.meta_description.clone()));
        dc.push(("DC.publisher", self.site_name.clone()));
        dc.push(("DC.identifier", identifier.to_owned()));
        dc.push(("DC.language", "vi".to_owned()));
        self.dublin_core = dc;
        self
    }

    /// A frame that names no site (a host no site answers).
    pub fn neutral(title: &str) -> Layout {
        Layout {
            site_name: "Cổng thông tin điện tử".into(),
            site_description: String::new(),
            page_title: title.to_owned(),
            meta_description: String::new(),
            stylesheet: assets::stylesheet_href(),
            nav: Nav::None,
            search_query: String::new(),
            sidebar: None,
            menu: Vec::new(),
            notice: String::new(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            info_officer: String::new(),
            content_responsible: String::new(),
            licence: String::new(),
            dublin_core: Vec::new(),
        }
    }

    pub fn sidebar(mut self, sidebar: Sidebar) -> Layout {
        self.sidebar = Some(sidebar);
        self
    }

    pub fn nav(mut self, nav: Nav) -> Layout {
        self.nav = nav;
        self
    }

    /// The phone number as a `tel:` link wants it.
    pub fn phone_digits(&self) -> String {
        self.phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }

    pub fn is_home(&self) -> bool {
        self.nav == Nav::Home
    }

    pub fn is_news(&self) -> bool {
        self.nav == Nav::News
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1234), "1.234");
        assert_eq!(format_count(98765432), "98.765.432");
        assert_eq!(format_count(100000), "100.000");
        assert_eq!(format_count(-1234), "-1.234");
        assert_eq!(format_count(i64::MAX), "9.223.372.036.854.775.807");
        assert_eq!(format_count(i64::MIN), "-9.223.372.036.854.775.808");
    }
}
