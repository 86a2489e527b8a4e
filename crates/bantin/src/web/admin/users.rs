//! `/admin/users` (admins), and `/admin/sites/{id}/users` (the province IT
//! office): accounts, roles, passwords, disabling.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::target::Target;
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
    two_factor: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct Page {
    layout: AdminLayout,
    base: String,
    own_site: bool,
    site_name: String,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    error: String,
    /// A generated password, shown once after creating an account.
    generated: Option<(String, String)>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    target: &Target,
    error: &str,
    generated: Option<(String, String)>,
) -> Result<Html<String>, AppError> {
    let users = user::list(state.db(), target.site.id).await?;
    let section = if target.own { "users" } else { "sites" };
    let view = Page {
        layout: AdminLayout::new(staff, section, "Người dùng"),
        base: target.base.clone(),
        own_site: target.own,
        site_name: target.site.name.clone(),
        users: users
            .into_iter()
            .map(|u| UserRow {
                role: u.role.as_str(),
                created: date(u.created_at),
                two_factor: u.totp_secret.is_some(),
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

async fn refuse(
    state: &AppState,
    staff: &Staff,
    target: &Target,
    error: &str,
) -> Result<Response, AppError> {
    Ok((
        StatusCode::BAD_REQUEST,
        page(state, staff, target, error, None).await?,
    )
        .into_response())
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, AppError> {
    let target = Target::own(&staff)?;
    page(&state, &staff, &target, "", None).await
}

pub async fn list_site(
    State(state): State<AppState>,
    staff: Staff,
    Path(site_id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let target = Target::other(&state, &staff, site_id).await?;
    page(&state, &staff, &target, "", None).await
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

async fn create_for(
    state: &AppState,
    staff: &Staff,
    target: &Target,
    form: CreateForm,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let Some(role) = Role::parse(&form.role) else {
        return refuse(state, staff, target, "Vai trò không hợp lệ.").await;
    };
    let new = manage::NewAccount {
        username: &form.username,
        display_name: &form.display_name,
        role,
        password: (!form.password.is_empty()).then(|| form.password.clone()),
        operator: false,
    };
    let (db, now) = (state.db(), state.now());
    match manage::create(db, target.site.id, Some(staff.user.id), new, now).await {
        Ok(created) => match created.generated_password {
            Some(password) => {
                Ok(
                    page(state, staff, target, "", Some((created.username, password)))
                        .await?
                        .into_response(),
                )
            }
            None => Ok(Redirect::to(&format!("{}/users", target.base)).into_response()),
        },
        Err(manage::Error::Invalid(e)) => refuse(state, staff, target, &e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CreateForm>,
) -> Result<Response, AppError> {
    let target = Target::own(&staff)?;
    create_for(&state, &staff, &target, form).await
}

pub async fn create_site(
    State(state): State<AppState>,
    staff: Staff,
    Path(site_id): Path<i64>,
    VForm(form): VForm<CreateForm>,
) -> Result<Response, AppError> {
    let target = Target::other(&state, &staff, site_id).await?;
    create_for(&state, &staff, &target, form).await
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

async fn update_for(
    state: &AppState,
    staff: &Staff,
    target: &Target,
    id: i64,
    form: UpdateForm,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let (db, now) = (state.db(), state.now());
    // Another site's account id is no account of this site.
    let account = user::find(db, target.site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(role) = Role::parse(&form.role) else {
        return refuse(state, staff, target, "Vai trò không hợp lệ.").await;
    };
    let change = manage::Change {
        display_name: Some(form.display_name),
        role,
        disabled: form.disabled.is_some(),
        password: (!form.password.is_empty()).then_some(form.password),
    };
    match manage::update(
        db,
        target.site.id,
        Some(staff.user.id),
        &account,
        change,
        now,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{}/users", target.base)).into_response()),
        Err(manage::Error::Invalid(e)) => refuse(state, staff, target, &e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<UpdateForm>,
) -> Result<Response, AppError> {
    let target = Target::own(&staff)?;
    update_for(&state, &staff, &target, id, form).await
}

pub async fn update_site(
    State(state): State<AppState>,
    staff: Staff,
    Path((site_id, id)): Path<(i64, i64)>,
    VForm(form): VForm<UpdateForm>,
) -> Result<Response, AppError> {
    let target = Target::other(&state, &staff, site_id).await?;
    update_for(&state, &staff, &target, id, form).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// An admin turns off a staff member's two-factor login (a lost phone and
/// no recovery codes left); they set it up again at their next login if
/// the site requires it.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    let target = Target::own(&staff)?;
    staff.check_csrf(&form.csrf)?;
    let account = user::find(state.db(), target.site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::accounts::two_factor::turn_off(
        state.db(),
        target.site.id,
        Some(staff.user.id),
        &account,
        state.now(),
    )
    .await?;
    Ok(Redirect::to("/admin/users?thong-bao=da-dat-lai-xac-thuc").into_response())
}
