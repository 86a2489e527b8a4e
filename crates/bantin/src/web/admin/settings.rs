//! `/admin/settings` (admins), and `/admin/sites/{id}/settings` (the
//! province IT office): the site's name, contact details, the statistics
//! starting total, the house style for tone marks, and for a commune
//! whether its news shows on the province's portal.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::target::Target;
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
    base: String,
    own_site: bool,
    site_name: String,
    name: String,
    description: String,
    address: String,
    phone: String,
    email: String,
    stats_start_total: String,
    tone_style: String,
    /// A commune's site: whether its news shows on the province's portal.
    has_parent: bool,
    show_in_parent: bool,
    /// (value, label, chosen) of who must use two-factor login.
    two_factor: Vec<(&'static str, &'static str, bool)>,
    info_officer: String,
    content_responsible: String,
    licence: String,
    map_image: String,
    question_retention_months: String,
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
    staff: &Staff,
    target: &Target,
    form: Typed,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let section = if target.own { "settings" } else { "sites" };
    let view = Page {
        layout: AdminLayout::new(staff, section, "Cài đặt").notice(notice),
        base: target.base.clone(),
        own_site: target.own,
        site_name: target.site.name.clone(),
        name: form.name,
        description: form.description,
        address: form.address,
        phone: form.phone,
        email: form.email,
        stats_start_total: form.stats_start_total,
        tone_style: form.tone_style,
        has_parent: target.site.parent_id.is_some(),
        show_in_parent: form.show_in_parent.is_some(),
        two_factor: crate::accounts::two_factor::Policy::ALL
            .iter()
            .map(|p| (p.as_str(), p.label(), p.as_str() == form.require_2fa))
            .collect(),
        info_officer: form.info_officer,
        content_responsible: form.content_responsible,
        licence: form.licence,
        map_image: form.map_image,
        question_retention_months: form.question_retention_months,
        error: error.to_owned(),
    };
    Ok(Html(view.render()?))
}

fn show_for(
    staff: &Staff,
    target: &Target,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let notice = query.as_ref().ok().and_then(|q| q.notice.clone());
    render(
        staff,
        target,
        Typed::of(&target.site),
        "",
        notice.as_deref(),
    )
}

async fn save_for(
    state: &AppState,
    staff: &Staff,
    target: &Target,
    form: SettingsForm,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let typed = form.typed;
    let settings = match site::checked(&typed) {
        Ok(s) => s,
        Err(e) => {
            let page = render(staff, target, typed, e, None)?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let saved = site::update(
        state.db(),
        target.site.id,
        Some(staff.user.id),
        &settings,
        state.now(),
    )
    .await?;
    if let Err(e) = saved {
        let page = render(staff, target, typed, e, None)?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    state.reload_sites().await?;
    Ok(Redirect::to(&format!("{}/settings?thong-bao=da-luu", target.base)).into_response())
}

pub async fn show(
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    show_for(&staff, &Target::own(&staff)?, query)
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<SettingsForm>,
) -> Result<Response, AppError> {
    let target = Target::own(&staff)?;
    save_for(&state, &staff, &target, form).await
}

pub async fn show_site(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    show_for(&staff, &Target::other(&state, &staff, id).await?, query)
}

pub async fn save_site(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<SettingsForm>,
) -> Result<Response, AppError> {
    let target = Target::other(&state, &staff, id).await?;
    save_for(&state, &staff, &target, form).await
}
