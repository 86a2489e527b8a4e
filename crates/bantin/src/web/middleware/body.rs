//! Request bodies are read whole *before* a request takes one of the
//! `max_in_flight` slots (`overload`), so clients sending their bodies
//! slowly — or never — hold only their own connections. A body that stops
//! arriving fails after `web::body::BODY_IDLE_TIMEOUT` (408). Only staff
//! signed in to the site may send a body as large as an image upload;
//! everyone else's is limited to [`FORM_LIMIT`].

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body::Body as _;

use crate::web::auth;
use crate::web::body::timed_out;
use crate::web::error::AppError;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

/// The largest body of a form (anything but an upload by staff).
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Room for the largest upload plus the rest of the editor's form.
pub fn upload_limit(max_upload_bytes: u64) -> usize {
    max_upload_bytes as usize + 2 * 1024 * 1024
}

async fn limit_for(
    state: &AppState,
    path: &str,
    site: Option<CurrentSite>,
    headers: &HeaderMap,
) -> usize {
    if path == crate::web::public::questions::ASK_PATH {
        // A reader's question may carry one attachment.
        return crate::web::public::questions::ASK_BODY_LIMIT;
    }
    if !path.starts_with("/admin/") {
        return FORM_LIMIT;
    }
    let Some(CurrentSite(site)) = site else {
        return FORM_LIMIT;
    };
    match auth::staff_of(headers, state, &site).await {
        Ok(Some(_)) => upload_limit(state.settings().largest_upload()),
        _ => FORM_LIMIT,
    }
}

/// The request with its body read whole, or the answer to a body too
/// large, too slow or broken.
pub async fn buffer(state: &AppState, request: Request) -> Result<Request, Response> {
    if request.body().is_end_stream() {
        return Ok(request);
    }
    let site = request.extensions().get::<CurrentSite>().cloned();
    let limit = limit_for(state, request.uri().path(), site, request.headers()).await;
    let (parts, body) = request.into_parts();
    let e = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => return Ok(Request::from_parts(parts, Body::from(bytes))),
        Err(e) => e,
    };
    let source = std::error::Error::source(&e);
    Err(if source.is_some_and(timed_out) || timed_out(&e) {
        let message = "Dữ liệu gửi lên đến quá chậm hoặc bị ngắt giữa chừng. Vui lòng thử lại.";
        (StatusCode::REQUEST_TIMEOUT, message).into_response()
    } else if source.is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) {
        AppError::TooLarge("Dữ liệu gửi lên quá lớn.".into()).into_response()
    } else {
        AppError::BadRequest("Không đọc được dữ liệu gửi lên.".into()).into_response()
    })
}
