//! `/so-do` (Sơ đồ cổng): the whole structure of the site as a page of
//! links — its sections, its published pages as a tree, its categories.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::content::category::{self, Category};
use crate::content::page::{self, Node};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "site_map.html")]
struct SiteMapPage {
    layout: Layout,
    /// Top-level pages, each with its published sub-pages.
    pages: Vec<(Node, Vec<Node>)>,
    categories: Vec<Category>,
}

pub async fn show(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: axum::http::HeaderMap,
) -> Result<Html<String>, AppError> {
    let (db, now) = (state.db(), state.now());
    let all: Vec<Node> = page::tree(db, site.id)
        .await?
        .into_iter()
        .filter(|n| n.is_public(now) && n.slug != "lien-he")
        .collect();
    let pages = all
        .iter()
        .filter(|n| n.parent_id.is_none())
        .map(|top| {
            let children = all
                .iter()
                .filter(|n| n.parent_id == Some(top.id))
                .cloned()
                .collect();
            (top.clone(), children)
        })
        .collect();
    let base = super::feeds::base_url(&state, &site, &headers);
    let view = SiteMapPage {
        layout: Layout::new(&site, "Sơ đồ cổng", "")
            .chrome(&super::chrome(&state, &site).await?, "/so-do")
            .dublin_core("Sơ đồ cổng", &site.name, None, &format!("{base}/so-do"))
            .sidebar(super::sidebar(&state, &site).await?),
        pages,
        categories: category::list(db, site.id).await?,
    };
    Ok(Html(view.render()?))
}
