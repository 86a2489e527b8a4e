//! `/tin-tuc/{slug}`: one article. The editor's preview renders the same
//! page through [`render_article`].

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use chrono::{DateTime, Utc};

use super::page_cache::{self, AcceptsGzip, RenderedPage};
use super::{ListItem, SIDEBAR_LATEST, items};
use crate::localtime;
use crate::site::Site;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav, Sidebar};
use crate::web::middleware::site::CurrentSite;
use crate::web::middleware::visits::ArticleViewed;
use crate::web::state::AppState;

/// Slugs are at most 80 bytes, plus a `-N` suffix; anything longer is not one.
const MAX_SLUG_BYTES: usize = 100;

/// What an article page shows.
pub struct ArticleView {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub category: String,
    pub published_at: DateTime<Utc>,
    /// The featured image (none: empty).
    pub featured: crate::content::media::Featured,
    pub latest: Vec<ListItem>,
    /// Shown to staff before saving: a banner, and not for search engines.
    pub preview: bool,
    /// The site's address (`https://xa.gov.vn`), for absolute URLs.
    pub base_url: String,
    /// The article's path (`/tin-tuc/…`); empty in a preview.
    pub path: String,
    /// `/chuyen-muc/…` of its category, or empty.
    pub category_href: String,
    /// The article's id (its rating form), 0 in a preview.
    pub article_id: i64,
    /// The menu and notice of the frame (none in a preview).
    pub chrome: Option<std::sync::Arc<crate::content::cache::Chrome>>,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    layout: Layout,
    title: String,
    date: String,
    datetime: String,
    category: String,
    category_href: String,
    article_id: i64,
    body: String,
    byline: String,
    image: String,
    image_alt: String,
    latest: Vec<ListItem>,
    preview: bool,
    canonical: String,
    description: String,
    image_abs: String,
    json_ld: String,
}

/// JSON-LD `NewsArticle`, safe inside a `<script>` element.
fn json_ld(
    view: &ArticleView,
    site_name: &str,
    canonical: &str,
    image: &str,
    description: &str,
) -> String {
    let mut doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": view.title,
        "description": description,
        "datePublished": localtime::rfc3339_local(view.published_at),
        "inLanguage": "vi",
        "mainEntityOfPage": canonical,
        "publisher": { "@type": "Organization", "name": site_name },
    });
    if !view.byline.is_empty() {
        doc["author"] = serde_json::json!({ "@type": "Person", "name": view.byline });
    }
    if !image.is_empty() {
        doc["image"] = serde_json::json!([image]);
    }
    doc.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

pub async fn render_article(
    state: &AppState,
    site: &Site,
    view: ArticleView,
) -> Result<Html<String>, AppError> {
    let sidebar = match view.preview {
        true => None,
        false => Some(super::sidebar(state, site).await?),
    };
    render_with(site, view, sidebar)
}

fn render_with(
    site: &Site,
    view: ArticleView,
    sidebar: Option<Sidebar>,
) -> Result<Html<String>, AppError> {
    let mut layout = Layout::new(site, &view.title, &view.summary).nav(Nav::News);
    if let Some(sidebar) = sidebar {
        layout = layout.sidebar(sidebar);
    }
    if let Some(chrome) = &view.chrome {
        layout = layout.chrome(chrome, "/tin-tuc");
    }
    let site_name = site.name.clone();
    let canonical = format!("{}{}", view.base_url, view.path);
    if !view.preview {
        let creator = if view.byline.is_empty() {
            site_name.as_str()
        } else {
            view.byline.as_str()
        };
        layout = layout.dublin_core(&view.title, creator, Some(view.published_at), &canonical);
    }
    let image_abs = if view.featured.share.is_empty() {
        String::new()
    } else {
        format!("{}{}", view.base_url, view.featured.share)
    };
    let description = if view.summary.is_empty() {
        crate::content::sanitize::plain_text(&view.body)
            .chars()
            .take(200)
            .collect()
    } else {
        view.summary.clone()
    };
    let json_ld = json_ld(&view, &site_name, &canonical, &image_abs, &description);
    let page = ArticlePage {
        layout,
        canonical,
        description,
        image_abs,
        json_ld,
        date: localtime::format_datetime(view.published_at),
        datetime: localtime::rfc3339_local(view.published_at),
        category: view.category,
        category_href: view.category_href,
        article_id: view.article_id,
        title: view.title,
        body: view.body,
        byline: view.byline,
        image: view.featured.tag,
        image_alt: view.featured.alt,
        latest: view.latest,
        preview: view.preview,
    };
    Ok(Html(page.render()?))
}

pub async fn show(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    super::feeds::BaseUrl(base_url): super::feeds::BaseUrl,
    AcceptsGzip(gzip): AcceptsGzip,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Ok(Path(slug)) = slug else {
        return Err(AppError::BadRequest(
            "Đường dẫn bài viết không hợp lệ.".into(),
        ));
    };
    if slug.len() > MAX_SLUG_BYTES {
        return Err(AppError::NotFound);
    }
    let (now, db) = (state.now(), state.db());
    let widget = super::widget(&state, &site).await?;
    let key = (site.id, slug, base_url);
    // A kept page holds "Đọc nhiều" as it was: only from the same snapshot.
    if let Some(page) = state
        .article_pages()
        .get(&key, now)
        .filter(|p| p.snapshot == widget.snapshot)
    {
        return Ok(viewed(
            page_cache::answer(&page, &widget.counts, gzip),
            page.article_id,
        ));
    }
    let generation = crate::content::cache::generation();
    let reads = state.public_reads();
    let found = reads
        .article(db, site.id, &key.1, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let (a, featured) = (&found.0, found.1.clone());
    let latest = reads.latest(db, site.id, now, SIDEBAR_LATEST + 1).await?;
    let latest = items(
        latest
            .iter()
            .filter(|l| l.slug != a.slug)
            .take(SIDEBAR_LATEST as usize)
            .cloned()
            .collect(),
    );
    let view = ArticleView {
        published_at: a.published_at.unwrap_or(a.updated_at),
        title: a.title.clone(),
        summary: a.summary.clone(),
        body: a.body.clone(),
        byline: a.byline.clone(),
        category: a.category_name.clone().unwrap_or_default(),
        featured,
        latest,
        preview: false,
        base_url: key.2.clone(),
        path: crate::content::import::public_path(&a.slug),
        category_href: a
            .category_slug
            .as_ref()
            .map(|c| format!("/chuyen-muc/{c}"))
            .unwrap_or_default(),
        article_id: a.id,
        chrome: Some(super::chrome(&state, &site).await?),
    };
    // Rendered with markers for the numbers, kept, then filled in.
    let sidebar = super::marked_sidebar(&widget);
    let Html(html) = render_with(&site, view, Some(sidebar))?;
    let page = RenderedPage::cut(&html, Some(a.id), widget.snapshot).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("the article template lost its markers"))
    })?;
    let response = page_cache::answer(&page, &widget.counts, gzip);
    state
        .article_pages()
        .put(key, Arc::new(page), now, generation);
    Ok(viewed(response, Some(a.id)))
}

/// An article page's response, marked so that the view counts for it.
fn viewed(mut response: Response, article_id: Option<i64>) -> Response {
    if let Some(id) = article_id {
        response.extensions_mut().insert(ArticleViewed(id));
    }
    response
}
