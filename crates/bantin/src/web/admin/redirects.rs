//! `/admin/chuyen-huong` (admins): the old addresses that answer 301 —
//! those imports kept and those added by hand — listed, searched, added,
//! pointed elsewhere and deleted.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, date};
use crate::content::redirect::{self, Refused};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::params;
use crate::web::state::AppState;

const PAGE_SIZE: i64 = 50;

struct Row {
    id: i64,
    old_path: String,
    destination: String,
    title: String,
    source: &'static str,
    version: i64,
    updated: String,
}

#[derive(Template)]
#[template(path = "admin/redirects.html")]
struct Page {
    layout: AdminLayout,
    rows: Vec<Row>,
    total: i64,
    q: String,
    error: String,
    old: String,
    target: String,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "thong-bao")]
    notice: Option<String>,
    trang: Option<String>,
    #[serde(default)]
    q: String,
}

fn source_label(source: &str) -> &'static str {
    match source {
        "wordpress" => "WordPress",
        "nukeviet" => "NukeViet",
        _ => "Thêm tay",
    }
}

struct Shown<'a> {
    q: &'a str,
    page: i64,
    notice: Option<&'a str>,
    error: &'a str,
    old: &'a str,
    target: &'a str,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    shown: Shown<'_>,
) -> Result<Html<String>, AppError> {
    let (db, site) = (state.db(), staff.site.id);
    let q: String = shown.q.trim().chars().take(200).collect();
    let total = redirect::count(db, site, &q).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if shown.page > pages {
        return Err(AppError::NotFound);
    }
    let list = redirect::list(db, site, &q, (shown.page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let href = |n: i64| {
        let query = serde_urlencoded::to_string([("q", q.as_str()), ("trang", &n.to_string())])
            .unwrap_or_default();
        format!("/admin/chuyen-huong?{query}")
    };
    let view = Page {
        layout: AdminLayout::new(staff, "redirects", "Chuyển hướng").notice(shown.notice),
        rows: list
            .into_iter()
            .map(|r| Row {
                destination: r.destination(),
                id: r.id,
                title: r.title.clone().unwrap_or_default(),
                source: source_label(&r.source),
                version: r.version,
                updated: date(r.updated_at),
                old_path: r.old_path,
            })
            .collect(),
        total,
        error: shown.error.to_owned(),
        old: shown.old.to_owned(),
        target: shown.target.to_owned(),
        prev_href: (shown.page > 1).then(|| href(shown.page - 1)),
        next_href: (shown.page < pages).then(|| href(shown.page + 1)),
        page: shown.page,
        pages,
        q,
    };
    Ok(Html(view.render()?))
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_administer())?;
    let q = query
        .map(|Query(q)| q)
        .map_err(|_| AppError::BadRequest("Địa chỉ trang danh sách không hợp lệ.".into()))?;
    let raw = q.trang.as_deref().map(|t| format!("trang={t}"));
    let page = i64::from(params::page(raw.as_deref())?);
    let shown = Shown {
        q: &q.q,
        page,
        notice: q.notice.as_deref(),
        error: "",
        old: "",
        target: "",
    };
    render(&state, &staff, shown).await
}

#[derive(Deserialize)]
pub struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    old: String,
    #[serde(default)]
    target: String,
}

/// The list again with the refusal (and what was typed), as a 4xx.
async fn refused(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    error: &str,
    old: &str,
    target: &str,
) -> Result<Response, AppError> {
    let shown = Shown {
        q: "",
        page: 1,
        notice: None,
        error,
        old,
        target,
    };
    Ok((status, render(state, staff, shown).await?).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<NewForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let (db, site, now) = (state.db(), staff.site.id, state.now());
    match redirect::create(db, site, Some(staff.user.id), &form.old, &form.target, now).await? {
        Ok(_) => Ok(Redirect::to("/admin/chuyen-huong?thong-bao=da-luu").into_response()),
        Err(e) => {
            let (old, target) = (form.old.as_str(), form.target.as_str());
            refused(&state, &staff, StatusCode::BAD_REQUEST, &e, old, target).await
        }
    }
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    version: String,
}

fn version(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Thiếu phiên bản của chuyển hướng.".into()))
}

async fn after(
    state: &AppState,
    staff: &Staff,
    done: Result<(), Refused>,
    notice: &str,
) -> Result<Response, AppError> {
    match done {
        Ok(()) => {
            Ok(Redirect::to(&format!("/admin/chuyen-huong?thong-bao={notice}")).into_response())
        }
        Err(Refused::NotFound) => Err(AppError::NotFound),
        Err(Refused::Stale) => {
            let e = "Chuyển hướng này vừa được người khác sửa hoặc xoá; đây là danh sách hiện tại, hãy sửa lại nếu cần.";
            refused(state, staff, StatusCode::CONFLICT, e, "", "").await
        }
        Err(Refused::Invalid(e)) => {
            refused(state, staff, StatusCode::BAD_REQUEST, &e, "", "").await
        }
    }
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<EditForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let version = version(&form.version)?;
    let (db, site, now) = (state.db(), staff.site.id, state.now());
    let done = redirect::update(
        db,
        site,
        Some(staff.user.id),
        id,
        version,
        &form.target,
        now,
    )
    .await?;
    after(&state, &staff, done, "da-luu").await
}

pub async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<EditForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let version = version(&form.version)?;
    let (db, site, now) = (state.db(), staff.site.id, state.now());
    let done = redirect::delete(db, site, Some(staff.user.id), id, version, now).await?;
    after(&state, &staff, done, "da-xoa").await
}
