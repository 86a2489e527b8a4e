//! Pages for readers.

pub mod article;
pub mod category;
pub mod contact;
pub mod documents;
pub mod feeds;
pub mod home;
pub mod news;
pub mod page;
pub mod page_cache;
pub mod questions;
pub mod rating;
pub mod search;
pub mod site_map;
pub mod sitemap;

use crate::content::article::Listed;
use crate::content::import::public_path;
use crate::localtime;
use crate::site::Site;
use crate::web::error::AppError;
use crate::web::layout::{Sidebar, format_count};
use crate::web::middleware::visits::current_visit;
use crate::web::state::AppState;

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
    /// The featured image's 400 px variant: (address, width, height).
    pub thumb: Option<(String, i64, i64)>,
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
            thumb: None,
        }
    }
}

/// A list with each article's thumbnail, where it has a featured image.
pub async fn items_with_thumbs(
    state: &AppState,
    site: &Site,
    list: Vec<Listed>,
) -> Result<Vec<ListItem>, AppError> {
    let urls: Vec<&str> = list.iter().map(|a| a.featured_image.as_str()).collect();
    let thumbs = state.thumbs().of(state.db(), site.id, &urls).await?;
    Ok(list
        .into_iter()
        .map(|a| {
            let thumb = thumbs.get(&a.featured_image).cloned();
            let mut item = ListItem::from(a);
            item.thumb = thumb;
            item
        })
        .collect())
}

pub fn items(list: Vec<Listed>) -> Vec<ListItem> {
    list.into_iter().map(ListItem::from).collect()
}

/// What the frame of a site's public pages shows (menu, notice), cached.
pub async fn chrome(
    state: &AppState,
    site: &Site,
) -> Result<std::sync::Arc<crate::content::cache::Chrome>, AppError> {
    Ok(state
        .public_reads()
        .chrome(state.db(), site.id, state.now())
        .await?)
}

/// The sidebar of public pages; the page's own viewer is already counted.
pub async fn sidebar(state: &AppState, site: &Site) -> Result<Sidebar, AppError> {
    let crate::stats::Widget {
        counts, most_read, ..
    } = widget(state, site).await?;
    Ok(Sidebar {
        online: format_count(counts.online),
        today: format_count(counts.today),
        week: format_count(counts.week),
        total: format_count(counts.total),
        most_read: most_read_links(&most_read),
    })
}

/// The sidebar of a page that is kept: markers where the numbers go (see
/// `page_cache`), "Đọc nhiều" from this snapshot.
pub fn marked_sidebar(widget: &crate::stats::Widget) -> Sidebar {
    let [online, today, week, total] = page_cache::MARKERS.map(str::to_owned);
    Sidebar {
        online,
        today,
        week,
        total,
        most_read: most_read_links(&widget.most_read),
    }
}

/// The visitor numbers (this viewer counted) and the most read articles.
pub async fn widget(state: &AppState, site: &Site) -> Result<crate::stats::Widget, AppError> {
    let viewer = current_visit();
    Ok(state
        .stats()
        .widget(site.id, site.stats_start_total, viewer.as_ref())
        .await?)
}

/// "Đọc nhiều" as (title, href).
pub fn most_read_links(most_read: &[crate::stats::store::MostRead]) -> Vec<(String, String)> {
    most_read
        .iter()
        .map(|m| (m.title.clone(), public_path(&m.slug)))
        .collect()
}
