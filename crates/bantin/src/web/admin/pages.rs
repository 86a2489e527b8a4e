//! `/admin/pages`: the site's pages as a tree (Giới thiệu and its
//! sub-pages…), each opened in the article editor; admins delete a page
//! that has no sub-pages.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::articles::status_label;
use super::{AdminLayout, ListQuery};
use crate::content::page::{self, Refusal};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

pub struct Row {
    pub id: i64,
    pub title: String,
    pub path: String,
    pub status: String,
    pub public: bool,
    pub is_child: bool,
    pub position: i64,
    pub has_children: bool,
}

#[derive(Template)]
#[template(path = "admin/pages.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<Row>,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let notice = query.ok().and_then(|q| q.0.notice);
    let now = state.now();
    let tree = page::tree(state.db(), staff.site.id).await?;
    let rows = tree
        .iter()
        .map(|n| Row {
            id: n.id,
            title: n.title.clone(),
            path: n.path(),
            status: status_label(n.status, n.published_at, now),
            public: n.is_public(now),
            is_child: n.parent_id.is_some(),
            position: n.position,
            has_children: tree.iter().any(|c| c.parent_id == Some(n.id)),
        })
        .collect();
    let view = ListPage {
        layout: AdminLayout::new(&staff, "pages", "Trang").notice(notice.as_deref()),
        rows,
    };
    Ok(Html(view.render()?))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/pages/{id}/xoa` (admins).
pub async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let done = page::remove(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        id,
        state.now(),
    )
    .await?;
    match done {
        Ok(()) => Ok(Redirect::to("/admin/pages?thong-bao=da-xoa-trang").into_response()),
        Err(Refusal::NotFound) => Err(AppError::NotFound),
        Err(Refusal::HasChildren) => Err(AppError::Conflict(
            "Trang này còn trang con. Hãy xoá hoặc chuyển các trang con sang trang khác trước."
                .into(),
        )),
    }
}
