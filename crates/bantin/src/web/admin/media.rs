//! `/admin/media`: upload images, see the recent ones and their addresses.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{AdminLayout, ListQuery, date};
use crate::content::media::{self, Image};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::read_multipart;
use crate::web::state::AppState;

struct ImageRow {
    url: String,
    thumb: String,
    original: String,
    size: String,
    date: String,
}

#[derive(Template)]
#[template(path = "admin/media.html")]
struct Page {
    layout: AdminLayout,
    images: Vec<ImageRow>,
    error: String,
    max_upload_mb: u64,
}

fn row(i: Image) -> ImageRow {
    ImageRow {
        url: i.url(),
        thumb: i.url_for_width(400),
        size: format!("{}×{}, {} KB", i.width, i.height, (i.bytes + 1023) / 1024),
        date: date(i.created_at),
        original: i.original,
    }
}

async fn page(
    state: &AppState,
    staff: &Staff,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let images = media::list(state.db(), staff.site.id, 100).await?;
    let view = Page {
        layout: AdminLayout::new(staff, "media", "Ảnh").notice(notice),
        images: images.into_iter().map(row).collect(),
        error: error.to_owned(),
        max_upload_mb: state.settings().max_upload_bytes / (1024 * 1024),
    };
    Ok(Html(view.render()?))
}

/// Past the upload quota (`content::media::UploadQuota`).
pub fn too_many_uploads() -> AppError {
    AppError::TooMany(
        "Bạn đã tải lên quá nhiều ảnh trong ít phút. Vui lòng đợi một lát rồi thử lại.".into(),
    )
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    page(
        &state,
        &staff,
        "",
        query.as_ref().ok().and_then(|q| q.notice.as_deref()),
    )
    .await
}

pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let multipart =
        multipart.map_err(|_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into()))?;
    let form = read_multipart(multipart).await?;
    staff.check_csrf(form.text("csrf"))?;
    let Some((_, name, bytes)) = form.file else {
        return Ok((
            StatusCode::BAD_REQUEST,
            page(&state, &staff, "Chưa chọn tệp ảnh.", None).await?,
        )
            .into_response());
    };
    if !state.upload_quota().take(staff.user.id) {
        return Err(too_many_uploads());
    }
    let (db, site, now) = (state.db(), staff.site.clone(), state.now());
    let upload = media::Upload {
        file_name: name,
        bytes,
    };
    match media::upload(
        db,
        &state.library(),
        site.id,
        Some(staff.user.id),
        upload,
        now,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/admin/media?thong-bao=da-tai-anh").into_response()),
        Err(media::StoreError::Rejected(r)) => {
            let status = match r {
                media::Rejection::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Ok((status, page(&state, &staff, &r.to_string(), None).await?).into_response())
        }
        Err(e) => Err(anyhow::anyhow!(e).into()),
    }
}

/// An image as the editor's picker sees it.
#[derive(serde::Serialize)]
pub struct Picked {
    url: String,
    thumb: String,
    name: String,
    width: i64,
    height: i64,
}

fn picked(i: &media::Image) -> Picked {
    Picked {
        url: i.url(),
        thumb: i.url_for_width(400),
        name: i.original.clone(),
        width: i.width,
        height: i.height,
    }
}

/// `GET /admin/anh`: the site's newest images, for the editor's picker.
pub async fn library_json(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<axum::Json<Vec<Picked>>, AppError> {
    let images = media::list(state.db(), staff.site.id, 60).await?;
    Ok(axum::Json(images.iter().map(picked).collect()))
}

/// `POST /admin/anh`: an image uploaded from the editor; the same checks,
/// pipeline and quota as the image page; answers the stored image.
pub async fn upload_json(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let multipart =
        multipart.map_err(|_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into()))?;
    let form = read_multipart(multipart).await?;
    staff.check_csrf(form.text("csrf"))?;
    let Some((_, name, bytes)) = form.file else {
        return Err(AppError::BadRequest("Chưa chọn tệp ảnh.".into()));
    };
    if !state.upload_quota().take(staff.user.id) {
        return Err(too_many_uploads());
    }
    let upload = media::Upload {
        file_name: name,
        bytes,
    };
    match media::upload(
        state.db(),
        &state.library(),
        staff.site.id,
        Some(staff.user.id),
        upload,
        state.now(),
    )
    .await
    {
        Ok(image) => Ok(axum::Json(picked(&image)).into_response()),
        Err(media::StoreError::Rejected(r)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({ "error": r.to_string() })),
        )
            .into_response()),
        Err(e) => Err(anyhow::anyhow!(e).into()),
    }
}
