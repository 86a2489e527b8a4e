//! `/admin/categories` (admins): create, rename, reorder categories.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AdminLayout;
use crate::content::category::{self, Category};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct Page {
    layout: AdminLayout,
    categories: Vec<Category>,
    error: String,
}

async fn page(state: &AppState, staff: &Staff, error: &str) -> Result<Html<String>, AppError> {
    let view = Page {
        layout: AdminLayout::new(staff, "categories", "Chuyên mục"),
        categories: category::list(state.db(), staff.site.id).await?,
        error: error.to_owned(),
    };
    Ok(Html(view.render()?))
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_administer())?;
    page(&state, &staff, "").await
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    position: String,
}

impl CategoryForm {
    fn form(self) -> category::Form {
        category::Form {
            name: self.name,
            slug: self.slug,
            position: self.position,
        }
    }
}

/// The list again on a refusal, or back to it when done.
async fn answer(
    state: &AppState,
    staff: &Staff,
    done: Result<(), String>,
) -> Result<Response, AppError> {
    match done {
        Ok(()) => Ok(Redirect::to("/admin/categories").into_response()),
        Err(e) => Ok((StatusCode::BAD_REQUEST, page(state, staff, &e).await?).into_response()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CategoryForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let (db, site, now) = (state.db(), staff.site.clone(), state.now());
    let done = category::create(db, site.id, Some(staff.user.id), &form.form(), now).await?;
    answer(&state, &staff, done.map(|_| ())).await
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CategoryForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let (db, site, now) = (state.db(), staff.site.clone(), state.now());
    category::find(db, site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = category::update(db, site.id, Some(staff.user.id), id, &form.form(), now).await?;
    answer(&state, &staff, done).await
}
