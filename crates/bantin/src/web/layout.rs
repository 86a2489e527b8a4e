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
}

impl Layout {
    pub fn new(site: &Site, title: &str, description: &str) -> Layout {
        let page_title = if title.is_empty() {
            site.name.clone()
        } else {
            format!("{title} - {}", site.name)
        };
        let meta_description = if description.is_empty() {
            site.description.clone()
        } else {
            description.to_owned()
        };
        Layout {
            site_name: site.name.clone(),
            site_description: site.description.clone(),
            page_title,
            meta_description,
            stylesheet: assets::stylesheet_href(),
            nav: Nav::None,
            search_query: String::new(),
        }
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
