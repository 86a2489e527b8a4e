//! `/admin/users` (admins): accounts, roles, passwords, disabling.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, date};
use crate::accounts::{Role, password, session, user};
use crate::app::AppState;
use crate::audit;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    disabled: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct Page {
    layout: AdminLayout,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    error: String,
    /// A generated password, shown once after creating an account.
    generated: Option<(String, String)>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    error: &str,
    generated: Option<(String, String)>,
) -> Result<Html<String>, AppError> {
    let users = user::list(state.db(), state.site().id).await?;
    let view = Page {
        layout: AdminLayout::new(state, staff, "users", "Người dùng"),
        users: users
            .into_iter()
            .map(|u| UserRow {
                role: u.role().as_str(),
                created: date(u.created_at),
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                disabled: u.disabled,
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        error: error.to_owned(),
        generated,
    };
    Ok(Html(view.render()?))
}

async fn refuse(state: &AppState, staff: &Staff, error: &str) -> Result<Response, AppError> {
    Ok((
        StatusCode::BAD_REQUEST,
        page(state, staff, error, None).await?,
    )
        .into_response())
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_administer())?;
    page(&state, &staff, "", None).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CreateForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let Some(username) = user::normalize_username(&form.username) else {
        return refuse(&state, &staff, "Tên đăng nhập cần 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.").await;
    };
    let Some(role) = Role::parse(&form.role) else {
        return refuse(&state, &staff, "Vai trò không hợp lệ.").await;
    };
    let display_name = match vntext::normalize(&form.display_name).replace('\n', " ") {
        n if n.is_empty() => username.clone(),
        n => n.chars().take(100).collect(),
    };
    let (password, generated) = if form.password.is_empty() {
        (password::generate(), true)
    } else {
        (form.password.clone(), false)
    };
    if let Some(problem) = password::policy_problem(&password, &username) {
        return refuse(&state, &staff, &problem).await;
    }
    let hash = password::hash(password.clone()).await?;
    let (db, site, now) = (state.db(), state.site(), state.now());
    if user::insert(db, site.id, &username, &display_name, &hash, role, now)
        .await?
        .is_none()
    {
        return refuse(
            &state,
            &staff,
            &format!("Tên đăng nhập “{username}” đã có người dùng."),
        )
        .await;
    }
    audit::record(
        db,
        site.id,
        Some(staff.user.id),
        "user_create",
        &username,
        role.as_str(),
        now,
    )
    .await?;
    if generated {
        return Ok(page(&state, &staff, "", Some((username, password)))
            .await?
            .into_response());
    }
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    disabled: Option<String>,
    #[serde(default)]
    password: String,
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<UpdateForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let (db, site, now) = (state.db(), state.site(), state.now());
    let target = user::find(db, site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(role) = Role::parse(&form.role) else {
        return refuse(&state, &staff, "Vai trò không hợp lệ.").await;
    };
    let disabled = form.disabled.is_some();
    if target.id == staff.user.id && disabled {
        return refuse(&state, &staff, "Bạn không thể tự khoá tài khoản của mình.").await;
    }
    let loses_admin =
        target.role() == Role::Admin && !target.disabled && (role != Role::Admin || disabled);
    if loses_admin && user::count_active_admins(db, site.id).await? <= 1 {
        return refuse(
            &state,
            &staff,
            "Phải còn ít nhất một quản trị viên đang hoạt động.",
        )
        .await;
    }
    let display_name = match vntext::normalize(&form.display_name).replace('\n', " ") {
        n if n.is_empty() => target.display_name.clone(),
        n => n.chars().take(100).collect(),
    };
    if !form.password.is_empty() {
        if let Some(problem) = password::policy_problem(&form.password, &target.username) {
            return refuse(&state, &staff, &problem).await;
        }
        let hash = password::hash(form.password.clone()).await?;
        user::set_password(db, target.id, &hash, now).await?;
        session::delete_for_user(db, target.id).await?;
        audit::record(
            db,
            site.id,
            Some(staff.user.id),
            "user_password",
            &target.username,
            "",
            now,
        )
        .await?;
    }
    user::update_profile(db, target.id, &display_name, role, disabled, now).await?;
    if disabled {
        session::delete_for_user(db, target.id).await?;
    }
    let detail = format!("{}{}", role.as_str(), if disabled { ", khoá" } else { "" });
    audit::record(
        db,
        site.id,
        Some(staff.user.id),
        "user_update",
        &target.username,
        &detail,
        now,
    )
    .await?;
    Ok(Redirect::to("/admin/users").into_response())
}
