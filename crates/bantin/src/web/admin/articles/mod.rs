//! Articles under `/admin/articles`: the list ([`list`]), the editor (new,
//! edit: [`editor`]), saving, previewing and workflow actions ([`save`]),
//! revisions ([`revisions`]), a Word file made into a draft ([`word`]). The rules and the writes are in
//! `content::editorial`; these handlers parse, call it and render.

pub mod editor;
pub mod list;
pub mod revisions;
pub mod save;
pub mod word;

use chrono::{DateTime, Utc};

use super::date;
use crate::content::article::{AdminListed, Status};
use crate::content::import::public_path;

/// An article in an admin table.
pub struct Row {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    pub status_label: String,
    pub category: String,
    pub author: String,
    pub updated: String,
    pub is_public: bool,
    pub public_href: String,
}

pub(super) fn status_label(
    status: Status,
    published_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> String {
    match published_at {
        Some(at) if status == Status::Published && at > now => format!("Hẹn giờ {}", date(at)),
        _ => status.label().to_owned(),
    }
}

pub fn rows(list: Vec<AdminListed>, now: DateTime<Utc>) -> Vec<Row> {
    list.into_iter()
        .map(|a| Row {
            id: a.id,
            status_label: status_label(a.status, a.published_at, now),
            is_public: a.status == Status::Published && a.published_at.is_some_and(|p| p <= now),
            public_href: public_path(&a.slug),
            status: a.status.as_str(),
            title: a.title,
            category: a.category_name.unwrap_or_default(),
            author: a.author_name.unwrap_or_else(|| "(nhập từ tệp)".into()),
            updated: date(a.updated_at),
        })
        .collect()
}
