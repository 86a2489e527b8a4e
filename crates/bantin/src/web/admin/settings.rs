//! `/admin/settings` (admins): the site's name, contact details, the
//! statistics starting total and the house style for tone marks.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery};
use crate::app::AppState;
use crate::audit;
use crate::site::{self, Settings, tone_style_value};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;

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

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    stats_start_total: String,
    #[serde(default)]
    tone_style: String,
}

fn render(
    state: &AppState,
    staff: &Staff,
    form: SettingsForm,
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
    let s = state.site();
    let form = SettingsForm {
        name: s.name.clone(),
        description: s.description.clone(),
        address: s.address.clone(),
        phone: s.phone.clone(),
        email: s.email.clone(),
        stats_start_total: s.stats_start_total.to_string(),
        tone_style: tone_style_value(s.tone_style()).to_owned(),
        ..SettingsForm::default()
    };
    render(
        &state,
        &staff,
        form,
        "",
        query.as_ref().ok().and_then(|q| q.notice.as_deref()),
    )
}

fn one_line(s: &str, max: usize) -> String {
    vntext::normalize(s)
        .replace('\n', " ")
        .chars()
        .take(max)
        .collect()
}

fn checked(form: &SettingsForm) -> Result<Settings, &'static str> {
    let name = one_line(&form.name, 200);
    if name.is_empty() {
        return Err("Tên trang không được để trống.");
    }
    let email = form.email.trim().to_owned();
    if !email.is_empty()
        && (!email.contains('@') || email.contains(char::is_whitespace) || email.len() > 200)
    {
        return Err("Địa chỉ thư điện tử không hợp lệ.");
    }
    let phone = one_line(&form.phone, 50);
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +().-".contains(c))
    {
        return Err("Số điện thoại chỉ gồm chữ số và các dấu + ( ) . -");
    }
    let stats_start_total = match form.stats_start_total.trim().replace('.', "") {
        s if s.is_empty() => 0,
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or("Số lượt truy cập ban đầu phải là số không âm.")?,
    };
    let tone_style = match form.tone_style.as_str() {
        "old" => Some(vntext::ToneStyle::Old),
        "new" => Some(vntext::ToneStyle::New),
        "author" | "" => None,
        _ => return Err("Kiểu bỏ dấu không hợp lệ."),
    };
    Ok(Settings {
        name,
        description: one_line(&form.description, 500),
        address: one_line(&form.address, 300),
        phone,
        email,
        stats_start_total,
        tone_style,
    })
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<SettingsForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let settings = match checked(&form) {
        Ok(s) => s,
        Err(e) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                render(&state, &staff, form, e, None)?,
            )
                .into_response());
        }
    };
    let (db, site, now) = (state.db(), state.site(), state.now());
    site::update(db, site.id, &settings, now).await?;
    state.reload_site().await?;
    audit::record(
        db,
        site.id,
        Some(staff.user.id),
        "settings_update",
        "",
        &settings.name,
        now,
    )
    .await?;
    Ok(Redirect::to("/admin/settings?thong-bao=da-luu").into_response())
}
