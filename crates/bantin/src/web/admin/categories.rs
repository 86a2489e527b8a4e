//! `/admin/categories` (admins): create, rename, reorder categories.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AdminLayout;
use crate::app::AppState;
use crate::audit;
use crate::content::category::{self, Category};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct Page {
    layout: AdminLayout,
    categories: Vec<Category>,
    error: String,
}

async fn page(state: &AppState, staff: &Staff, error: &str) -> Result<Html<String>, AppError> {
    let view = Page {
        layout: AdminLayout::new(state, staff, "categories", "Chuyên mục"),
        categories: category::list(state.db(), state.site().id).await?,
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

/// Name, slug (from the name when left empty) and position, checked.
fn checked(form: &CategoryForm) -> Result<(String, String, i64), String> {
    let name = vntext::normalize(&form.name).replace('\n', " ");
    if name.is_empty() || name.chars().count() > 100 {
        return Err("Tên chuyên mục cần có từ 1 đến 100 ký tự.".into());
    }
    let slug = vntext::slugify(if form.slug.trim().is_empty() {
        &name
    } else {
        &form.slug
    });
    let position = match form.position.trim() {
        "" => 0,
        p => p
            .parse::<i64>()
            .map_err(|_| "Thứ tự phải là một số nguyên.".to_owned())?,
    };
    Ok((name, slug, position))
}

async fn refuse(state: &AppState, staff: &Staff, error: &str) -> Result<Response, AppError> {
    Ok((StatusCode::BAD_REQUEST, page(state, staff, error).await?).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CategoryForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let (name, slug, position) = match checked(&form) {
        Ok(v) => v,
        Err(e) => return refuse(&state, &staff, &e).await,
    };
    let (db, site, now) = (state.db(), state.site(), state.now());
    if category::create(db, site.id, &name, &slug, position, now)
        .await?
        .is_none()
    {
        return refuse(
            &state,
            &staff,
            &format!("Đã có chuyên mục với đường dẫn “{slug}”."),
        )
        .await;
    }
    audit::record(
        db,
        site.id,
        Some(staff.user.id),
        "category_create",
        &slug,
        &name,
        now,
    )
    .await?;
    Ok(Redirect::to("/admin/categories").into_response())
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CategoryForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let (db, site, now) = (state.db(), state.site(), state.now());
    category::find(db, site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (name, slug, position) = match checked(&form) {
        Ok(v) => v,
        Err(e) => return refuse(&state, &staff, &e).await,
    };
    if !category::update(db, site.id, id, &name, &slug, position).await? {
        return refuse(
            &state,
            &staff,
            &format!("Đã có chuyên mục khác với đường dẫn “{slug}”."),
        )
        .await;
    }
    audit::record(
        db,
        site.id,
        Some(staff.user.id),
        "category_update",
        &slug,
        &name,
        now,
    )
    .await?;
    Ok(Redirect::to("/admin/categories").into_response())
}
