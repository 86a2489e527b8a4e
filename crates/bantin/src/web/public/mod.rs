//! Pages for readers.

pub mod article;
pub mod home;
pub mod news;

use crate::content::article::Listed;
use crate::content::import::public_path;
use crate::localtime;

/// How many headlines the sidebar's "Tin mới" shows.
pub const SIDEBAR_LATEST: i64 = 5;

/// An article in a list, ready for a template.
pub struct ListItem {
    pub title: String,
    pub href: String,
    pub summary: String,
    pub date: String,
    pub datetime: String,
    pub category: String,
}

impl From<Listed> for ListItem {
    fn from(a: Listed) -> ListItem {
        ListItem {
            href: public_path(&a.slug),
            date: localtime::format_datetime(a.published_at),
            datetime: localtime::rfc3339_local(a.published_at),
            title: a.title,
            summary: a.summary,
            category: a.category_name.unwrap_or_default(),
        }
    }
}

pub fn items(list: Vec<Listed>) -> Vec<ListItem> {
    list.into_iter().map(ListItem::from).collect()
}
