//! `/admin/users` (admins): accounts, roles, passwords, disabling.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, date};
use crate::accounts::{Role, manage, user};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

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
                role: u.role.as_str(),
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
    let Some(role) = Role::parse(&form.role) else {
        return refuse(&state, &staff, "Vai trò không hợp lệ.").await;
    };
    let new = manage::NewAccount {
        username: &form.username,
        display_name: &form.display_name,
        role,
        password: (!form.password.is_empty()).then(|| form.password.clone()),
    };
    let (db, site, now) = (state.db(), state.site(), state.now());
    match manage::create(db, site.id, Some(staff.user.id), new, now).await {
        Ok(created) => match created.generated_password {
            Some(password) => Ok(page(&state, &staff, "", Some((created.username, password)))
                .await?
                .into_response()),
            None => Ok(Redirect::to("/admin/users").into_response()),
        },
        Err(manage::Error::Invalid(e)) => refuse(&state, &staff, &e).await,
        Err(e) => Err(e.into()),
    }
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
    let change = manage::Change {
        display_name: Some(form.display_name),
        role,
        disabled: form.disabled.is_some(),
        password: (!form.password.is_empty()).then_some(form.password),
    };
    match manage::update(db, site.id, Some(staff.user.id), &target, change, now).await {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(manage::Error::Invalid(e)) => refuse(&state, &staff, &e).await,
        Err(e) => Err(e.into()),
    }
}
