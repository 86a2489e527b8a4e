//! `/tin-tuc/{slug}`: one article.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Html;

use super::{ListItem, SIDEBAR_LATEST, items};
use crate::app::AppState;
use crate::content::article;
use crate::localtime;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav};

/// Slugs are at most 80 bytes, plus a `-N` suffix; anything longer is not one.
const MAX_SLUG_BYTES: usize = 100;

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    layout: Layout,
    title: String,
    date: String,
    datetime: String,
    category: String,
    body: String,
    byline: String,
    latest: Vec<ListItem>,
}

pub async fn show(
    State(state): State<AppState>,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Html<String>, AppError> {
    let Ok(Path(slug)) = slug else {
        return Err(AppError::BadRequest(
            "Đường dẫn bài viết không hợp lệ.".into(),
        ));
    };
    if slug.len() > MAX_SLUG_BYTES {
        return Err(AppError::NotFound);
    }
    let (site, now, db) = (state.site(), state.now(), state.db());
    let a = article::find_public(db, site.id, &slug, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let latest = article::list_public(db, site.id, now, SIDEBAR_LATEST + 1, 0).await?;
    let latest = items(
        latest
            .into_iter()
            .filter(|l| l.slug != a.slug)
            .take(SIDEBAR_LATEST as usize)
            .collect(),
    );
    let published = a.published_at.unwrap_or(a.updated_at);
    let view = ArticlePage {
        layout: Layout::new(&site, &a.title, &a.summary).nav(Nav::News),
        date: localtime::format_datetime(published),
        datetime: localtime::rfc3339_local(published),
        category: a.category_name.unwrap_or_default(),
        title: a.title,
        body: a.body,
        byline: a.byline,
        latest,
    };
    Ok(Html(view.render()?))
}
