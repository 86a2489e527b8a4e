//! `GET /admin/articles`: articles, most recently changed first, by status.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;

use super::{Row, rows};
use crate::content::article::{self, Status};
use crate::web::admin::{AdminLayout, ListQuery};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::params;
use crate::web::state::AppState;

const PAGE_SIZE: i64 = 20;

#[derive(Template)]
#[template(path = "admin/articles.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<Row>,
    filters: Vec<(&'static str, &'static str, bool)>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| AppError::BadRequest("Trạng thái không hợp lệ.".into()))?,
        ),
    };
    let raw_page = q.trang.as_deref().map(|t| format!("trang={t}"));
    let page = i64::from(params::page(raw_page.as_deref())?);
    // Authors see their own articles; reviewers see all.
    let author = (!staff.role().can_review()).then_some(staff.user.id);
    let (db, site) = (state.db(), staff.site.clone());
    let total = article::count_admin(db, site.id, status, author).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let list = article::list_admin(
        db,
        site.id,
        status,
        author,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let filter = status.map_or("", Status::as_str);
    let href = |n: i64| {
        let mut h = format!("/admin/articles?trang={n}");
        if !filter.is_empty() {
            h.push_str("&trang-thai=");
            h.push_str(filter);
        }
        h
    };
    let mut filters = vec![("", "Tất cả", status.is_none())];
    filters.extend(
        Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), Some(*s) == status)),
    );
    let view = ListPage {
        layout: AdminLayout::new(&staff, "articles", "Bài viết").notice(q.notice.as_deref()),
        rows: rows(list, state.now()),
        filters,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    };
    Ok(Html(view.render()?))
}
