//! `/admin/menu` (admins): the main menu readers see — entries to pages,
//! categories, the site's sections or other addresses, their order, and
//! one level of sub-entries.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery};
use crate::content::menu::{self, Typed};
use crate::content::{category, page};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

/// An entry's form.
pub struct Row {
    pub id: i64,
    pub label: String,
    pub target: String,
    pub url: String,
    pub parent: String,
    pub sort: i64,
    pub is_child: bool,
}

#[derive(Template)]
#[template(path = "admin/menu.html")]
struct MenuPage {
    layout: AdminLayout,
    rows: Vec<Row>,
    /// (code, label) of what an entry can open.
    targets: Vec<(String, String)>,
    /// (id, label) of the top-level entries.
    parents: Vec<(String, String)>,
    new: Typed,
    error: String,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    new: Typed,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let (db, site_id) = (state.db(), staff.site.id);
    let items = menu::items(db, site_id).await?;
    let mut rows = Vec::with_capacity(items.len());
    for top in items.iter().filter(|i| i.parent_id.is_none()) {
        for item in std::iter::once(top).chain(items.iter().filter(|i| i.parent_id == Some(top.id)))
        {
            rows.push(Row {
                id: item.id,
                label: item.label.clone(),
                target: item.target.clone(),
                url: item.url.clone(),
                parent: item.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                sort: item.sort,
                is_child: item.parent_id.is_some(),
            });
        }
    }
    let mut targets: Vec<(String, String)> = [
        ("home", "Trang chủ"),
        ("news", "Tin tức (mọi bài)"),
        ("documents", "Văn bản"),
        ("search", "Tìm kiếm"),
        ("sitemap", "Sơ đồ cổng"),
        ("contact", "Liên hệ (từ phần Cài đặt)"),
    ]
    .into_iter()
    .map(|(c, l)| (c.to_owned(), l.to_owned()))
    .collect();
    for p in page::tree(db, site_id).await? {
        let indent = if p.parent_id.is_some() { "— " } else { "" };
        targets.push((
            format!("page:{}", p.id),
            format!("Trang: {indent}{}", p.title),
        ));
    }
    for c in category::list(db, site_id).await? {
        targets.push((
            format!("category:{}", c.id),
            format!("Chuyên mục: {}", c.name),
        ));
    }
    targets.push(("url".into(), "Địa chỉ khác (ghi ở ô Địa chỉ)".into()));
    let parents = items
        .iter()
        .filter(|i| i.parent_id.is_none())
        .map(|i| (i.id.to_string(), i.label.clone()))
        .collect();
    let view = MenuPage {
        layout: AdminLayout::new(staff, "menu", "Trình đơn").notice(notice),
        rows,
        targets,
        parents,
        new,
        error: error.to_owned(),
    };
    Ok(Html(view.render()?))
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_administer())?;
    let notice = query.ok().and_then(|q| q.0.notice);
    render(&state, &staff, Typed::default(), "", notice.as_deref()).await
}

#[derive(Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    typed: Typed,
}

async fn answer(
    state: &AppState,
    staff: &Staff,
    new: Typed,
    done: Result<(), String>,
) -> Result<Response, AppError> {
    match done {
        Ok(()) => Ok(Redirect::to("/admin/menu?thong-bao=da-luu").into_response()),
        Err(e) => Ok((
            StatusCode::BAD_REQUEST,
            render(state, staff, new, &e, None).await?,
        )
            .into_response()),
    }
}

/// `POST /admin/menu`: a new entry.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<EntryForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let done = menu::save(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        None,
        &form.typed,
        state.now(),
    )
    .await?;
    answer(&state, &staff, form.typed, done).await
}

/// `POST /admin/menu/{id}`: an entry changed.
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<EntryForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let done = menu::save(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        Some(id),
        &form.typed,
        state.now(),
    )
    .await?;
    answer(&state, &staff, Typed::default(), done).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/menu/{id}/xoa`: an entry and its sub-entries removed.
pub async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    if !menu::remove(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        id,
        state.now(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/menu?thong-bao=da-luu").into_response())
}
