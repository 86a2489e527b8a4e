//! `/rss.xml` (RSS 2.0, the latest 20 articles), a feed per category
//! (`/chuyen-muc/{slug}/rss.xml`) and `/robots.txt` (the sitemap is in
//! `sitemap.rs`).
//! Absolute URLs use the site's public address; only a one-site
//! deployment without one falls back to the request's Host.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST};
use axum::response::{IntoResponse, Response};

use crate::content::article::{self, Listed};
use crate::content::category;
use crate::content::html::escape;
use crate::content::import::public_path;
use crate::localtime;
use crate::site::Site;
use crate::web::error::AppError;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

const FEED_ITEMS: i64 = 20;

/// `https://xa.gov.vn`: the site's public address. A site chosen by its
/// host and without one is `https://HOST`; only the one site of a
/// deployment without hosts may say what the request says.
pub fn base_url(state: &AppState, site: &Site, headers: &HeaderMap) -> String {
    if let Some(url) = state.public_url(site) {
        return url;
    }
    if let Some(host) = &site.host {
        return format!("https://{host}");
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).filter(|h| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
    });
    format!("http://{}", host.unwrap_or("localhost"))
}

/// The site's address as [`base_url`] finds it, taken from the request
/// without copying its headers (the kept pages' path).
pub struct BaseUrl(pub String);

impl axum::extract::FromRequestParts<AppState> for BaseUrl {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, AppError> {
        let site = parts
            .extensions
            .get::<CurrentSite>()
            .ok_or(AppError::NotFound)?;
        Ok(BaseUrl(base_url(state, &site.0, &parts.headers)))
    }
}

pub fn xml(body: String, content_type: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// One entry of a feed.
pub struct Item {
    pub title: String,
    /// Its path on the site.
    pub path: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub category: Option<String>,
    pub description: String,
}

impl From<&Listed> for Item {
    fn from(a: &Listed) -> Item {
        Item {
            title: a.title.clone(),
            path: public_path(&a.slug),
            published_at: a.published_at,
            category: a.category_name.clone(),
            description: a.summary.clone(),
        }
    }
}

/// An RSS 2.0 channel of `items`, its page at `link`.
pub fn rss(site: &Site, base: &str, title: &str, link: &str, items: &[Item]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
    );
    out.push_str(&format!(
        "<title>{}</title>\n<link>{}</link>\n",
        escape(title),
        escape(&format!("{base}{link}"))
    ));
    let description = if site.description.is_empty() {
        format!("Tin tức của {}", site.name)
    } else {
        site.description.clone()
    };
    out.push_str(&format!(
        "<description>{}</description>\n<language>vi</language>\n",
        escape(&description)
    ));
    out.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape(&format!(
            "{base}{}",
            if link == "/" {
                "/rss.xml".to_owned()
            } else {
                format!("{link}/rss.xml")
            }
        ))
    ));
    if let Some(first) = items.first() {
        out.push_str(&format!(
            "<lastBuildDate>{}</lastBuildDate>\n",
            rfc2822(first.published_at)
        ));
    }
    for a in items {
        let url = format!("{base}{}", a.path);
        out.push_str("<item>\n");
        out.push_str(&format!(
            "<title>{}</title>\n<link>{}</link>\n",
            escape(&a.title),
            escape(&url)
        ));
        out.push_str(&format!(
            "<guid isPermaLink=\"true\">{}</guid>\n",
            escape(&url)
        ));
        out.push_str(&format!("<pubDate>{}</pubDate>\n", rfc2822(a.published_at)));
        if let Some(c) = &a.category {
            out.push_str(&format!("<category>{}</category>\n", escape(c)));
        }
        out.push_str(&format!(
            "<description>{}</description>\n",
            escape(&a.description)
        ));
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn rfc2822(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&localtime::vietnam()).to_rfc2822()
}

pub async fn site_feed(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let now = state.now();
    let list = article::list_public(state.db(), site.id, now, FEED_ITEMS, 0).await?;
    let items: Vec<Item> = list.iter().map(Item::from).collect();
    let base = base_url(&state, &site, &headers);
    Ok(xml(
        rss(&site, &base, &site.name, "/", &items),
        "application/rss+xml; charset=utf-8",
    ))
}

pub async fn category_feed(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let now = state.now();
    let cat = category::find_by_slug(state.db(), site.id, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let list =
        article::list_public_in_category(state.db(), site.id, cat.id, now, FEED_ITEMS, 0).await?;
    let items: Vec<Item> = list.iter().map(Item::from).collect();
    let title = format!("{} - {}", cat.name, site.name);
    let link = format!("/chuyen-muc/{}", cat.slug);
    Ok(xml(
        rss(
            &site,
            &base_url(&state, &site, &headers),
            &title,
            &link,
            &items,
        ),
        "application/rss+xml; charset=utf-8",
    ))
}

pub async fn robots(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /admin\nDisallow: /dang-nhap\nDisallow: /tim-kiem\nDisallow: /api/\n\nSitemap: {}/sitemap.xml\n",
        base_url(&state, &site, &headers)
    );
    ([(CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
