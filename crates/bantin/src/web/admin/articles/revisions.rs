//! `GET /admin/articles/{id}/revisions/{rev}`: an earlier version;
//! `POST …/restore` brings it back as a new one; `GET …/so-sanh?tu=&den=`
//! two of them compared word by word.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::editor::desk;
use crate::content::revision;
use crate::content::workflow::Action;
use crate::web::admin::{AdminLayout, date};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "admin/revision.html")]
struct RevisionPage {
    layout: AdminLayout,
    article_id: i64,
    revision_id: i64,
    number: i64,
    current_version: i64,
    date: String,
    user: String,
    title: String,
    summary: String,
    body: String,
    byline: String,
    can_restore: bool,
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, rev)): Path<(i64, i64)>,
) -> Result<Html<String>, AppError> {
    let site = staff.site.clone();
    let desk = desk(&state, &staff, &site);
    let a = desk.load(id).await?;
    let r = revision::find(state.db(), a.id, rev)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = RevisionPage {
        layout: AdminLayout::new(
            &staff,
            "articles",
            &format!("Phiên bản {} của bài", r.number),
        ),
        article_id: a.id,
        revision_id: r.id,
        number: r.number,
        current_version: a.version,
        date: date(r.created_at),
        user: r.user_name.unwrap_or_default(),
        title: r.title,
        summary: r.summary,
        body: r.body,
        byline: r.byline,
        can_restore: desk.allowed(Some(&a), Action::Edit),
    };
    Ok(Html(page.render()?))
}

#[derive(serde::Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
}

pub async fn restore(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, rev)): Path<(i64, i64)>,
    VForm(form): VForm<RestoreForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let site = staff.site.clone();
    let desk = desk(&state, &staff, &site);
    let a = desk.load(id).await?;
    match desk.restore(&a, rev, form.version).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/articles/{id}?thong-bao=da-khoi-phuc")).into_response(),
        ),
        Err(crate::content::editorial::Error::Conflict(_)) => Err(AppError::Conflict(
            "Bài viết vừa được người khác lưu. Hãy mở lại bài rồi khôi phục lần nữa.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/revision_compare.html")]
struct ComparePage {
    layout: AdminLayout,
    article_id: i64,
    from: (i64, String, String),
    to: (i64, String, String),
    compared: revision::Compared,
}

#[derive(serde::Deserialize)]
pub struct CompareQuery {
    tu: Option<String>,
    den: Option<String>,
}

pub async fn compare(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    query: Result<axum::extract::Query<CompareQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Html<String>, AppError> {
    let bad = || AppError::BadRequest("Hãy chọn hai phiên bản để so sánh.".into());
    let q = query.map_err(|_| bad())?.0;
    let pick = |v: Option<String>| v.and_then(|v| v.trim().parse::<i64>().ok()).ok_or_else(bad);
    let (from, to) = (pick(q.tu)?, pick(q.den)?);
    let site = staff.site.clone();
    let a = desk(&state, &staff, &site).load(id).await?;
    let old = revision::find(state.db(), a.id, from)
        .await?
        .ok_or(AppError::NotFound)?;
    let new = revision::find(state.db(), a.id, to)
        .await?
        .ok_or(AppError::NotFound)?;
    let (old, new) = if old.version <= new.version {
        (old, new)
    } else {
        (new, old)
    };
    let compared = tokio::task::spawn_blocking({
        let (old, new) = (old.clone(), new.clone());
        move || revision::compare(&old, &new)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("compare: {e}")))?;
    let label = |r: &revision::Revision| {
        (
            r.number,
            date(r.created_at),
            r.user_name.clone().unwrap_or_default(),
        )
    };
    let page = ComparePage {
        layout: AdminLayout::new(
            &staff,
            "articles",
            &format!("So sánh phiên bản {} và {}", old.number, new.number),
        ),
        article_id: a.id,
        from: label(&old),
        to: label(&new),
        compared,
    };
    Ok(Html(page.render()?))
}
