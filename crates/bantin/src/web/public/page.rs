//! `/{page}` and `/{page}/{sub-page}`: the site's pages (Giới thiệu, Lịch
//! sử…), with their sub-pages listed, the leaders or the organisation's
//! bodies where the page shows them, and the rating form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use crate::content::media::Thumb;
use crate::content::page::{self, Node};
use crate::content::people::{self, Leader, Unit};
use crate::localtime;
use crate::site::Site;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::middleware::visits::ArticleViewed;
use crate::web::state::AppState;

/// Paths are at most this long (two slugs).
const MAX_PATH_BYTES: usize = 200;

#[derive(Template)]
#[template(path = "page.html")]
struct PageView {
    layout: Layout,
    title: String,
    body: String,
    byline: String,
    date: String,
    datetime: String,
    canonical: String,
    /// (title, path) of the parent page, for the crumbs.
    parent: Option<(String, String)>,
    children: Vec<Node>,
    /// Each leader with their photo's 400 px variant (address, width, height).
    leaders: Vec<(Leader, Option<Thumb>)>,
    units: Vec<Unit>,
    article_id: i64,
    json_ld: String,
}

pub async fn top(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path(first): Path<String>,
) -> Result<Response, AppError> {
    show(&state, &site, &headers, first).await
}

pub async fn sub(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path((first, second)): Path<(String, String)>,
) -> Result<Response, AppError> {
    show(&state, &site, &headers, format!("{first}/{second}")).await
}

async fn show(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    path: String,
) -> Result<Response, AppError> {
    if path.len() > MAX_PATH_BYTES {
        return Err(AppError::NotFound);
    }
    let (db, now) = (state.db(), state.now());
    let p = page::find_public(db, site.id, &path, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let children = page::public_children(db, site.id, p.id, now).await?;
    let parent = match p.parent_id {
        Some(id) => page::tree(db, site.id)
            .await?
            .into_iter()
            .find(|n| n.id == id && n.is_public(now))
            .map(|n| (n.title.clone(), n.path())),
        None => None,
    };
    let (leaders, units) = match p.shows.as_str() {
        "leaders" => (people::leaders(db, site.id).await?, Vec::new()),
        "units" => (Vec::new(), people::units(db, site.id).await?),
        _ => (Vec::new(), Vec::new()),
    };
    let photos: Vec<&str> = leaders.iter().map(|l| l.photo.as_str()).collect();
    let thumbs = state.thumbs().of(db, site.id, &photos).await?;
    let leaders = leaders
        .into_iter()
        .map(|l| {
            let thumb = thumbs.get(&l.photo).cloned();
            (l, thumb)
        })
        .collect();
    let base = super::feeds::base_url(state, site, headers);
    let here = format!("/{}", p.slug);
    let canonical = format!("{base}{here}");
    let at = p.published_at.unwrap_or(p.updated_at);
    let creator = if p.byline.is_empty() {
        site.name.as_str()
    } else {
        p.byline.as_str()
    };
    let json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": p.title,
        "url": canonical,
        "inLanguage": "vi",
        "dateModified": localtime::rfc3339_local(p.updated_at),
        "publisher": { "@type": "GovernmentOrganization", "name": site.name },
    })
    .to_string()
    .replace('<', "\\u003c")
    .replace('>', "\\u003e")
    .replace('&', "\\u0026");
    let layout = Layout::new(site, &p.title, &p.summary)
        .chrome(&super::chrome(state, site).await?, &here)
        .dublin_core(&p.title, creator, Some(at), &canonical)
        .sidebar(super::sidebar(state, site).await?);
    let view = PageView {
        layout,
        date: localtime::format_datetime(p.updated_at),
        datetime: localtime::rfc3339_local(p.updated_at),
        canonical,
        parent,
        children,
        leaders,
        units,
        article_id: p.id,
        json_ld,
        title: p.title,
        body: p.body,
        byline: p.byline,
    };
    let mut response = Html(view.render()?).into_response();
    response.extensions_mut().insert(ArticleViewed(p.id));
    Ok(response)
}
