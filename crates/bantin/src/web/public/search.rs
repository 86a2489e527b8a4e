//! `/tim-kiem?q=…&trang=N`: search, and `/api/v1/search` with the same
//! results in the same order.

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::localtime;
use crate::search::{self, Query, Scope};
use crate::site::Site;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Nav, format_count};
use crate::web::middleware::site::CurrentSite;
use crate::web::params;
use crate::web::state::AppState;

const PER_PAGE: i64 = 10;

struct ResultView {
    title: String,
    href: String,
    /// The commune's name, in a province-wide search.
    source: String,
    snippet: String,
    date: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    /// A province's portal offers to search its communes' sites too.
    offers_scope: bool,
    widened: bool,
    searched: bool,
    total: String,
    results: Vec<ResultView>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// What `/tim-kiem` was asked: `q`, `trang`, and `pham-vi=ca-tinh` for the
/// province-wide scope.
struct Asked {
    q: String,
    page: i64,
    widened: bool,
}

/// The query string, parsed strictly.
fn parse(raw: Option<&str>) -> Result<Asked, AppError> {
    let pairs: Vec<(String, String)> = match raw {
        Some(q) => serde_urlencoded::from_str(q)
            .map_err(|_| AppError::BadRequest("Từ khoá tìm kiếm không hợp lệ.".into()))?,
        None => Vec::new(),
    };
    let last = |name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
    let q = last("q")
        .map(|v| v.chars().take(search::query::MAX_QUERY_CHARS).collect())
        .unwrap_or_default();
    let widened = match last("pham-vi").map(String::as_str) {
        None | Some("") | Some("trang-nay") => false,
        Some("ca-tinh") => true,
        Some(_) => {
            return Err(AppError::BadRequest(
                "Phạm vi tìm kiếm không hợp lệ.".into(),
            ));
        }
    };
    Ok(Asked {
        q,
        page: i64::from(params::page(raw)?),
        widened,
    })
}

/// The sites a search covers: this one, or with `widened` on a province's
/// portal, it and its communes' (those that show their news there).
fn scope(state: &AppState, site: &Site, widened: bool) -> Scope {
    let children = state.sites().shown_children(site.id);
    if !widened || children.is_empty() {
        return Scope::One(site.id);
    }
    Scope::Many(
        std::iter::once(site.id)
            .chain(children.iter().map(|c| c.id))
            .collect(),
    )
}

/// Where a result is: on this site, a path; on a commune's, its address.
fn link(state: &AppState, site: &Site, result_site: i64, path: &str) -> (String, String) {
    let path = path.to_owned();
    if result_site == site.id {
        return (path, String::new());
    }
    match state.site(result_site) {
        Some(s) => {
            let base = state
                .public_url(&s)
                .unwrap_or_else(|| format!("https://{}", s.label()));
            (format!("{base}{path}"), s.name.clone())
        }
        None => (path, String::new()),
    }
}

async fn run(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    scope: &Scope,
    q: &str,
    page: i64,
) -> Result<(search::Results, i64), AppError> {
    let query = Query::parse(q);
    // Past the counted results there is nothing to show: refused unasked.
    if page > search::last_page(PER_PAGE) {
        return Err(AppError::NotFound);
    }
    if !query.is_empty()
        && let Some(ip) = client
        && !state.search_quota().take(ip)
    {
        return Err(AppError::TooMany(
            "Bạn tìm kiếm quá nhiều lần trong một phút. Vui lòng đợi một lát rồi thử lại.".into(),
        ));
    }
    let results = search::search(state.db(), scope, &query, state.now(), page, PER_PAGE).await?;
    let pages = ((results.total + PER_PAGE - 1) / PER_PAGE).max(1);
    Ok((results, pages))
}

fn href(q: &str, widened: bool, page: i64) -> String {
    let mut pairs = vec![("q", q.to_owned())];
    if widened {
        pairs.push(("pham-vi", "ca-tinh".to_owned()));
    }
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
    CurrentSite(site): CurrentSite,
    ClientAddr(client): ClientAddr,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let Asked { q, page, widened } = parse(raw.as_deref())?;
    let offers_scope = state.sites().has_children(site.id);
    let widened = widened && offers_scope;
    let (found, pages) = run(&state, client, &scope(&state, &site, widened), &q, page).await?;
    if page > pages {
        return Err(AppError::NotFound);
    }
    let title = if q.trim().is_empty() {
        "Tìm kiếm".to_owned()
    } else {
        format!("Tìm kiếm: {q}")
    };
    let mut layout = Layout::new(&site, &title, "")
        .nav(Nav::None)
        .chrome(&super::chrome(&state, &site).await?, "/tim-kiem")
        .sidebar(super::sidebar(&state, &site).await?);
    layout.search_query = q.clone();
    let view = SearchPage {
        layout,
        offers_scope,
        widened,
        searched: !Query::parse(&q).is_empty(),
        total: if found.total > search::COUNT_CAP {
            format!("hơn {}", format_count(search::COUNT_CAP))
        } else {
            format_count(found.total)
        },
        results: found
            .results
            .into_iter()
            .map(|r| {
                let (href, source) = link(&state, &site, r.site_id, &r.path);
                ResultView {
                    href,
                    source,
                    date: localtime::format_datetime(r.published_at),
                    datetime: localtime::rfc3339_local(r.published_at),
                    title: r.title,
                    snippet: r.snippet,
                }
            })
            .collect(),
        prev_href: (page > 1).then(|| href(&q, widened, page - 1)),
        next_href: (page < pages).then(|| href(&q, widened, page + 1)),
        query: q,
        page,
        pages,
    };
    Ok(Html(view.render()?))
}

pub async fn api(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(client): ClientAddr,
    RawQuery(raw): RawQuery,
) -> Response {
    let result = async {
        let asked = parse(raw.as_deref())?;
        let widened = asked.widened && state.sites().has_children(site.id);
        run(
            &state,
            client,
            &scope(&state, &site, widened),
            &asked.q,
            asked.page,
        )
        .await
        .map(|(r, _)| r)
    }
    .await;
    match result {
        Ok(found) => Json(json!({
            // Counted up to COUNT_CAP; "more" says there are more than that.
            "total": found.total.min(search::COUNT_CAP),
            "more": found.total > search::COUNT_CAP,
            "results": found.results.into_iter().map(|r| {
                let (url, source) = link(&state, &site, r.site_id, &r.path);
                let mut item = json!({
                    "title": r.title,
                    "url": url,
                    "snippet": r.snippet,
                    "published_at": localtime::rfc3339_local(r.published_at),
                });
                if !source.is_empty() {
                    item["site"] = json!(source);
                }
                item
            }).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(AppError::BadRequest(m)) => (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": m})),
        )
            .into_response(),
        Err(AppError::TooMany(m)) => (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "60")],
            Json(json!({"error": m})),
        )
            .into_response(),
        Err(AppError::NotFound) => (
            axum::http::StatusCode::NOT_FOUND,
            Json(json!({"error": "Không có trang kết quả này."})),
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
