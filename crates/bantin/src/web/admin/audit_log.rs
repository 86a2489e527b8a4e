//! `/admin/audit` (admins): who did what, when.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;

use super::{AdminLayout, ListQuery, date};
use crate::audit;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::params;
use crate::web::state::AppState;

const PAGE_SIZE: i64 = 50;

struct EntryRow {
    date: String,
    user: String,
    action: &'static str,
    target: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct Page {
    layout: AdminLayout,
    entries: Vec<EntryRow>,
    page: i64,
    pages: i64,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_administer())?;
    let raw = query
        .as_ref()
        .ok()
        .and_then(|q| q.trang.as_deref())
        .map(|t| format!("trang={t}"));
    let page = i64::from(params::page(raw.as_deref())?);
    let (db, site) = (state.db(), staff.site.clone());
    let pages = ((audit::count(db, site.id).await? + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let entries = audit::list(db, site.id, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let view = Page {
        layout: AdminLayout::new(&staff, "audit", "Nhật ký"),
        entries: entries
            .into_iter()
            .map(|e| EntryRow {
                date: date(e.created_at),
                action: e.label(),
                user: e.username.unwrap_or_else(|| "(hệ thống)".into()),
                target: e.target,
                detail: e.detail,
            })
            .collect(),
        page,
        pages,
    };
    Ok(Html(view.render()?))
}
