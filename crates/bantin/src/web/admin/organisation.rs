//! `/admin/lanh-dao` and `/admin/co-cau` (editors and admins): the
//! commune's leaders and the bodies of its organisation, shown on the pages
//! that ask for them (Lãnh đạo, Cơ cấu tổ chức).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery};
use crate::content::media;
use crate::content::people::{self, Leader, Typed, Unit};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "admin/leaders.html")]
struct LeadersPage {
    layout: AdminLayout,
    leaders: Vec<Leader>,
    /// (url, label) of the site's images.
    images: Vec<(String, String)>,
    new: Typed,
    error: String,
}

#[derive(Template)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    layout: AdminLayout,
    units: Vec<Unit>,
    new: Typed,
    error: String,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    units: bool,
    new: Typed,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let (db, site_id) = (state.db(), staff.site.id);
    let html = if units {
        UnitsPage {
            layout: AdminLayout::new(staff, "organisation", "Cơ cấu tổ chức").notice(notice),
            units: people::units(db, site_id).await?,
            new,
            error: error.to_owned(),
        }
        .render()?
    } else {
        let images = media::list(db, site_id, 100)
            .await?
            .into_iter()
            .map(|i| {
                (
                    i.url(),
                    format!("{} ({}×{})", i.original, i.width, i.height),
                )
            })
            .collect();
        LeadersPage {
            layout: AdminLayout::new(staff, "organisation", "Lãnh đạo").notice(notice),
            leaders: people::leaders(db, site_id).await?,
            images,
            new,
            error: error.to_owned(),
        }
        .render()?
    };
    Ok(Html(html))
}

fn base(units: bool) -> &'static str {
    if units {
        "/admin/co-cau"
    } else {
        "/admin/lanh-dao"
    }
}

async fn show(
    state: AppState,
    staff: Staff,
    units: bool,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_review())?;
    let notice = query.ok().and_then(|q| q.0.notice);
    render(
        &state,
        &staff,
        units,
        Typed::default(),
        "",
        notice.as_deref(),
    )
    .await
}

pub async fn show_leaders(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    show(state, staff, false, query).await
}

pub async fn show_units(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    show(state, staff, true, query).await
}

#[derive(Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    typed: Typed,
}

async fn save(
    state: AppState,
    staff: Staff,
    units: bool,
    id: Option<i64>,
    form: PersonForm,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_review())?;
    staff.check_csrf(&form.csrf)?;
    let (db, site_id, user, now) = (state.db(), staff.site.id, Some(staff.user.id), state.now());
    let done = if units {
        people::save_unit(db, site_id, user, id, &form.typed, now).await?
    } else {
        people::save_leader(db, site_id, user, id, &form.typed, now).await?
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("{}?thong-bao=da-luu", base(units))).into_response()),
        Err(e) => {
            // A refused new entry keeps what was typed; a refused change
            // shows the stored one again with the reason.
            let new = if id.is_none() {
                form.typed
            } else {
                Typed::default()
            };
            let page = render(&state, &staff, units, new, &e, None).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
    }
}

pub async fn create_leader(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<PersonForm>,
) -> Result<Response, AppError> {
    save(state, staff, false, None, form).await
}

pub async fn update_leader(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<PersonForm>,
) -> Result<Response, AppError> {
    save(state, staff, false, Some(id), form).await
}

pub async fn create_unit(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<PersonForm>,
) -> Result<Response, AppError> {
    save(state, staff, true, None, form).await
}

pub async fn update_unit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<PersonForm>,
) -> Result<Response, AppError> {
    save(state, staff, true, Some(id), form).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn delete(
    state: AppState,
    staff: Staff,
    units: bool,
    id: i64,
    form: CsrfForm,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_review())?;
    staff.check_csrf(&form.csrf)?;
    if !people::remove(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        units,
        id,
        state.now(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("{}?thong-bao=da-xoa", base(units))).into_response())
}

pub async fn delete_leader(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    delete(state, staff, false, id, form).await
}

pub async fn delete_unit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    delete(state, staff, true, id, form).await
}
