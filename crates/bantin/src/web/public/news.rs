//! `/tin-tuc`: all news, newest first, `?trang=N`.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;

use super::{ListItem, SIDEBAR_LATEST, items};
use crate::content::article;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav};
use crate::web::middleware::site::CurrentSite;
use crate::web::params;
use crate::web::state::AppState;

pub const PAGE_SIZE: i64 = 10;

#[derive(Template)]
#[template(path = "news.html")]
struct NewsPage {
    layout: Layout,
    articles: Vec<ListItem>,
    latest: Vec<ListItem>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn page_href(n: i64) -> String {
    if n == 1 {
        "/tin-tuc".to_owned()
    } else {
        format!("/tin-tuc?trang={n}")
    }
}

pub async fn list(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, AppError> {
    let page = i64::from(params::page(query.as_deref())?);
    let (now, db) = (state.now(), state.db());
    let total = article::count_public(db, site.id, now).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let list = article::list_public(db, site.id, now, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let latest = if page > 1 {
        items(article::list_public(db, site.id, now, SIDEBAR_LATEST, 0).await?)
    } else {
        Vec::new() // the first page already lists the newest
    };
    let title = if page == 1 {
        "Tin tức".to_owned()
    } else {
        format!("Tin tức - Trang {page}")
    };
    let view = NewsPage {
        layout: Layout::new(&site, &title, "")
            .nav(Nav::News)
            .chrome(&super::chrome(&state, &site).await?, "/tin-tuc")
            .sidebar(super::sidebar(&state, &site).await?),
        articles: super::items_with_thumbs(&state, &site, list).await?,
        latest,
        page,
        pages,
        prev_href: (page > 1).then(|| page_href(page - 1)),
        next_href: (page < pages).then(|| page_href(page + 1)),
    };
    Ok(Html(view.render()?))
}
