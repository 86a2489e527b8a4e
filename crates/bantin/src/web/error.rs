//! The one error type of the web layer, and the Vietnamese error pages.
//!
//! Handlers return [`AppError`]; it becomes a response with the right status
//! and an [`ErrorPage`] marker, which [`render_error_pages`] turns into a
//! full page in the site's layout. Empty error responses that axum makes
//! itself (405 and the like) get the same treatment.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;

use crate::accounts::manage;
use crate::content::editorial;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::redirects;
use crate::web::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("too many: {0}")]
    TooMany(String),
    #[error("overloaded")]
    Overloaded,
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
}

const NOT_ALLOWED: &str = "Bạn không có quyền thực hiện thao tác này.";

impl From<editorial::Error> for AppError {
    fn from(e: editorial::Error) -> AppError {
        match e {
            editorial::Error::Invalid(message) => AppError::BadRequest(message),
            editorial::Error::Forbidden => AppError::Forbidden(NOT_ALLOWED.into()),
            editorial::Error::NotFound => AppError::NotFound,
            editorial::Error::Conflict(_) => AppError::Conflict(
                "Bài viết vừa được người khác lưu. Hãy mở lại bài rồi thử lần nữa.".into(),
            ),
            editorial::Error::Database(e) => AppError::Database(e),
            editorial::Error::Storage(e) => AppError::Internal(e.into()),
        }
    }
}

impl From<manage::Error> for AppError {
    fn from(e: manage::Error) -> AppError {
        match e {
            manage::Error::Invalid(message) => AppError::BadRequest(message),
            manage::Error::NotFound => AppError::NotFound,
            manage::Error::Database(e) => AppError::Database(e),
            manage::Error::Hashing(e) => AppError::Internal(e),
        }
    }
}

/// Marks a response whose body the error-page middleware writes.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub message: String,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::BadRequest(message)
            | AppError::Forbidden(message)
            | AppError::TooLarge(message)
            | AppError::Conflict(message)
            | AppError::TooMany(message) => message.clone(),
            AppError::NotFound | AppError::Overloaded => default_message(status).to_owned(),
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                default_message(status).to_owned()
            }
        };
        let mut response = (status, message.clone()).into_response();
        response.extensions_mut().insert(ErrorPage { message });
        response
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => {
            "Không tìm thấy trang bạn yêu cầu. Có thể bài viết đã được gỡ hoặc đường dẫn bị gõ sai."
        }
        StatusCode::METHOD_NOT_ALLOWED => "Phương thức yêu cầu không được hỗ trợ cho địa chỉ này.",
        StatusCode::REQUEST_TIMEOUT => "Yêu cầu mất quá nhiều thời gian. Vui lòng thử lại.",
        StatusCode::PAYLOAD_TOO_LARGE => "Dữ liệu gửi lên quá lớn.",
        StatusCode::FORBIDDEN => "Bạn không có quyền thực hiện thao tác này.",
        StatusCode::SERVICE_UNAVAILABLE => "Máy chủ đang quá tải. Vui lòng thử lại sau ít giây.",
        s if s.is_client_error() => "Yêu cầu không hợp lệ.",
        _ => "Máy chủ gặp sự cố. Vui lòng thử lại sau ít phút.",
    }
}

fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Không tìm thấy trang",
        StatusCode::FORBIDDEN => "Không có quyền truy cập",
        StatusCode::SERVICE_UNAVAILABLE => "Máy chủ đang bận",
        s if s.is_client_error() => "Yêu cầu không hợp lệ",
        _ => "Lỗi máy chủ",
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    heading: &'static str,
    message: String,
    status: u16,
}

/// The answer for a host no site answers: no data of any site.
pub fn unknown_site() -> Response {
    let heading = title(StatusCode::NOT_FOUND);
    let page = ErrorTemplate {
        layout: Layout::neutral(heading),
        heading,
        message: "Không có trang thông tin điện tử nào ở địa chỉ này. Hãy kiểm tra lại tên miền."
            .into(),
        status: 404,
    };
    let html = page.render().unwrap_or_else(|_| heading.to_owned());
    (
        StatusCode::NOT_FOUND,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

pub async fn render_error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let site = request.extensions().get::<CurrentSite>().cloned();
    // An old address of the site (kept by an import) answers 301 instead
    // of the page it would get: the home page, or a 404.
    let old = match &site {
        Some(s) if redirects::is_read(request.method()) => Some((s.0.id, request.uri().clone())),
        _ => None,
    };
    if let Some((site_id, uri)) = &old
        && redirects::before_routing(request.method(), uri)
        && let Some(moved) = redirects::follow(&state, *site_id, uri).await
    {
        return moved;
    }
    let response = next.run(request).await;
    let status = response.status();
    if let (StatusCode::NOT_FOUND, Some((site_id, uri))) = (status, &old)
        && let Some(moved) = redirects::follow(&state, *site_id, uri).await
    {
        return moved;
    }
    let marked = response.extensions().get::<ErrorPage>().cloned();
    let bare_error = status.as_u16() >= 400 && response.body().size_hint().exact() == Some(0);
    let message = match marked {
        Some(page) => page.message,
        None if bare_error => default_message(status).to_owned(),
        None => return response,
    };
    let heading = title(status);
    let layout = match &site {
        Some(s) => Layout::new(&s.0, heading, ""),
        None => Layout::neutral(heading),
    };
    let page = ErrorTemplate {
        layout,
        heading,
        message,
        status: status.as_u16(),
    };
    let Ok(html) = page.render() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}
