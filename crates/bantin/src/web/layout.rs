//! What every public page's frame shows: the site's name, the menu, the
//! search box, the log-in link, the sidebar.

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
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
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
        }
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
    }
}
