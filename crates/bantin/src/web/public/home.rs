//! `/`: the home page, with the latest news.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::ListItem;
use super::page_cache::RenderedPage;
use crate::content::import::public_path;
use crate::localtime;
use crate::site::Site;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav};
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

const HOME_ARTICLES: usize = 10;
/// How many of the communes' newest articles a province's portal shows.
const FROM_COMMUNES: i64 = 10;

/// An article of a commune's site, on its province's portal.
pub struct FromCommune {
    pub title: String,
    /// On the commune's own site.
    pub href: String,
    pub commune: String,
    pub date: String,
    pub datetime: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    articles: Vec<ListItem>,
    has_more: bool,
    /// "Tin từ các xã": on a province's portal only.
    from_communes: Vec<FromCommune>,
    /// "Văn bản mới": the newest documents.
    documents: Vec<super::documents::Row>,
}

/// The newest articles of a province's communes, linking to their sites.
async fn from_communes(state: &AppState, site: &Site) -> Result<Vec<FromCommune>, AppError> {
    let children = state.sites().shown_children(site.id);
    if children.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let list = state
        .public_reads()
        .latest_of_sites(state.db(), &ids, state.now(), FROM_COMMUNES)
        .await?;
    Ok(list
        .iter()
        .filter_map(|a| {
            let commune = children.iter().find(|c| c.id == a.site_id)?;
            let base = state
                .public_url(commune)
                .unwrap_or_else(|| format!("https://{}", commune.label()));
            Some(FromCommune {
                title: a.title.clone(),
                href: format!("{base}{}", public_path(&a.slug)),
                commune: commune.name.clone(),
                date: localtime::format_datetime(a.published_at),
                datetime: localtime::rfc3339_local(a.published_at),
            })
        })
        .collect())
}

/// The home page: rendered with markers for the visitor numbers, kept as
/// long as the reads it was made from (and "Đọc nhiều" from the same
/// snapshot), the numbers filled in per reader.
pub async fn show(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    super::feeds::BaseUrl(base): super::feeds::BaseUrl,
    super::page_cache::AcceptsGzip(gzip): super::page_cache::AcceptsGzip,
) -> Result<Response, AppError> {
    let now = state.now();
    let widget = super::widget(&state, &site).await?;
    let key = (site.id, base);
    if let Some(page) = state
        .home_pages()
        .get(&key, now)
        .filter(|p| p.snapshot == widget.snapshot)
    {
        return Ok(super::page_cache::answer(&page, &widget.counts, gzip));
    }
    let generation = crate::content::cache::generation();
    let list = state
        .public_reads()
        .latest(state.db(), site.id, now, HOME_ARTICLES as i64 + 1)
        .await?;
    let has_more = list.len() > HOME_ARTICLES;
    let list = list.iter().take(HOME_ARTICLES).cloned().collect();
    let page = HomePage {
        layout: Layout::new(&site, "", "")
            .nav(Nav::Home)
            .chrome(&super::chrome(&state, &site).await?, "/")
            .dublin_core(&site.name, &site.name, None, &format!("{}/", key.1))
            .sidebar(super::marked_sidebar(&widget)),
        articles: super::items_with_thumbs(&state, &site, list).await?,
        has_more,
        from_communes: from_communes(&state, &site).await?,
        documents: super::documents::latest_for_home(&state, &site).await?,
    };
    let html = page.render()?;
    let page = RenderedPage::cut(&html, None, widget.snapshot)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the home template lost its markers")))?;
    let response = super::page_cache::answer(&page, &widget.counts, gzip);
    state.home_pages().put(key, Arc::new(page), now, generation);
    Ok(response)
}
