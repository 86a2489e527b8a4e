//! `/chuyen-muc/{slug}`: a category's articles, newest first, `?trang=N`,
//! with its RSS feed.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Html;

use super::{ListItem, items_with_thumbs};
use crate::content::{article, category};
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav};
use crate::web::middleware::site::CurrentSite;
use crate::web::params;
use crate::web::state::AppState;

pub const PAGE_SIZE: i64 = 10;

#[derive(Template)]
#[template(path = "category.html")]
struct CategoryPage {
    layout: Layout,
    name: String,
    feed: String,
    articles: Vec<ListItem>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, AppError> {
    let page = i64::from(params::page(query.as_deref())?);
    let (db, now) = (state.db(), state.now());
    let cat = category::find_by_slug(db, site.id, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let total = article::count_public_in_category(db, site.id, cat.id, now).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let list = article::list_public_in_category(
        db,
        site.id,
        cat.id,
        now,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let here = format!("/chuyen-muc/{}", cat.slug);
    let href = |n: i64| {
        if n == 1 {
            here.clone()
        } else {
            format!("{here}?trang={n}")
        }
    };
    let title = if page == 1 {
        cat.name.clone()
    } else {
        format!("{} - Trang {page}", cat.name)
    };
    let canonical = format!("{}{here}", super::feeds::base_url(&state, &site, &headers));
    let view = CategoryPage {
        layout: Layout::new(&site, &title, "")
            .nav(Nav::News)
            .chrome(&super::chrome(&state, &site).await?, &here)
            .dublin_core(&cat.name, &site.name, None, &canonical)
            .sidebar(super::sidebar(&state, &site).await?),
        feed: format!("{here}/rss.xml"),
        articles: items_with_thumbs(&state, &site, list).await?,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        name: cat.name,
        page,
        pages,
    };
    Ok(Html(view.render()?))
}
