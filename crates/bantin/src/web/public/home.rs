//! `/`: the home page, with the latest news.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::{ListItem, items};
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav};
use crate::web::state::AppState;

const HOME_ARTICLES: usize = 10;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    articles: Vec<ListItem>,
    has_more: bool,
}

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let site = state.site();
    let list = state
        .public_reads()
        .latest(state.db(), site.id, state.now(), HOME_ARTICLES as i64 + 1)
        .await?;
    let has_more = list.len() > HOME_ARTICLES;
    let list = list.iter().take(HOME_ARTICLES).cloned().collect();
    let page = HomePage {
        layout: Layout::new(&site, "", "")
            .nav(Nav::Home)
            .sidebar(super::sidebar(&state).await?),
        articles: items(list),
        has_more,
    };
    Ok(Html(page.render()?))
}
