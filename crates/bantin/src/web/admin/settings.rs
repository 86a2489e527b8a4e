//! `/admin/settings` (admins): the site's name, contact details, the
//! statistics starting total and the house style for tone marks.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery};
use crate::site::{self, Typed};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct Page {
    layout: AdminLayout,
    name: String,
    description: String,
    address: String,
    phone: String,
    email: String,
    stats_start_total: String,
    tone_style: String,
    error: String,
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    typed: Typed,
}

fn render(
    state: &AppState,
    staff: &Staff,
    form: Typed,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let view = Page {
        layout: AdminLayout::new(state, staff, "settings", "Cài đặt").notice(notice),
        name: form.name,
        description: form.description,
        address: form.address,
        phone: form.phone,
        email: form.email,
        stats_start_total: form.stats_start_total,
        tone_style: form.tone_style,
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
    render(
        &state,
        &staff,
        Typed::of(&state.site()),
        "",
        query.as_ref().ok().and_then(|q| q.notice.as_deref()),
    )
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<SettingsForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let typed = form.typed;
    let settings = match site::checked(&typed) {
        Ok(s) => s,
        Err(e) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                render(&state, &staff, typed, e, None)?,
            )
                .into_response());
        }
    };
    let (db, site, now) = (state.db(), state.site(), state.now());
    site::update(db, site.id, Some(staff.user.id), &settings, now).await?;
    state.reload_site().await?;
    Ok(Redirect::to("/admin/settings?thong-bao=da-luu").into_response())
}
