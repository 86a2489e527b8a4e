//! `/tim-kiem?q=…&trang=N`: search, and `/api/v1/search` with the same
//! results in the same order.

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::content::import::public_path;
use crate::localtime;
use crate::search::{self, Query};
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav, format_count};
use crate::web::params;
use crate::web::state::AppState;

const PER_PAGE: i64 = 10;

struct ResultView {
    title: String,
    href: String,
    snippet: String,
    date: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    searched: bool,
    total: String,
    results: Vec<ResultView>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// `q` and the page number from the query string.
fn parse(raw: Option<&str>) -> Result<(String, i64), AppError> {
    let pairs: Vec<(String, String)> = match raw {
        Some(q) => serde_urlencoded::from_str(q)
            .map_err(|_| AppError::BadRequest("Từ khoá tìm kiếm không hợp lệ.".into()))?,
        None => Vec::new(),
    };
    let q = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.chars().take(search::query::MAX_QUERY_CHARS).collect())
        .unwrap_or_default();
    Ok((q, i64::from(params::page(raw)?)))
}

async fn run(state: &AppState, q: &str, page: i64) -> Result<(search::Results, i64), AppError> {
    let query = Query::parse(q);
    let results = search::search(
        state.db(),
        state.site().id,
        &query,
        state.now(),
        page,
        PER_PAGE,
    )
    .await?;
    let pages = ((results.total + PER_PAGE - 1) / PER_PAGE).max(1);
    Ok((results, pages))
}

fn href(q: &str, page: i64) -> String {
    let mut pairs = vec![("q", q.to_owned())];
    if page > 1 {
        pairs.push(("trang", page.to_string()));
    }
    format!(
        "/tim-kiem?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

pub async fn page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let (q, page) = parse(raw.as_deref())?;
    let (found, pages) = run(&state, &q, page).await?;
    if page > pages {
        return Err(AppError::NotFound);
    }
    let title = if q.trim().is_empty() {
        "Tìm kiếm".to_owned()
    } else {
        format!("Tìm kiếm: {q}")
    };
    let mut layout = Layout::new(&state.site(), &title, "")
        .nav(Nav::None)
        .sidebar(super::sidebar(&state).await?);
    layout.search_query = q.clone();
    let view = SearchPage {
        layout,
        searched: !Query::parse(&q).is_empty(),
        total: if found.total > search::COUNT_CAP {
            format!("hơn {}", format_count(search::COUNT_CAP))
        } else {
            format_count(found.total)
        },
        results: found
            .results
            .into_iter()
            .map(|r| ResultView {
                href: public_path(&r.slug),
                date: localtime::format_datetime(r.published_at),
                datetime: localtime::rfc3339_local(r.published_at),
                title: r.title,
                snippet: r.snippet,
            })
            .collect(),
        prev_href: (page > 1).then(|| href(&q, page - 1)),
        next_href: (page < pages).then(|| href(&q, page + 1)),
        query: q,
        page,
        pages,
    };
    Ok(Html(view.render()?))
}

pub async fn api(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let result = async {
        let (q, page) = parse(raw.as_deref())?;
        run(&state, &q, page).await.map(|(r, _)| r)
    }
    .await;
    match result {
        Ok(found) => Json(json!({
            // Counted up to COUNT_CAP; "more" says there are more than that.
            "total": found.total.min(search::COUNT_CAP),
            "more": found.total > search::COUNT_CAP,
            "results": found.results.into_iter().map(|r| json!({
                "title": r.title,
                "url": public_path(&r.slug),
                "snippet": r.snippet,
                "published_at": localtime::rfc3339_local(r.published_at),
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(AppError::BadRequest(m)) => (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": m})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "search failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "Tìm kiếm tạm thời không dùng được."})),
            )
                .into_response()
        }
    }
}
