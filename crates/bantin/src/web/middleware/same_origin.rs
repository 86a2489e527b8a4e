//! Refuses state-changing requests from other sites (see
//! `accounts::csrf` for the rule and the form tokens).

use axum::extract::Request;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};

use crate::accounts::csrf::{self, Origin};
use crate::web::error::AppError;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

/// The refusal of a state-changing request from elsewhere; reads pass.
pub fn refusal(state: &AppState, request: &Request) -> Option<Response> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return None;
    }
    let headers = request.headers();
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = Origin {
        fetch_site: value(header::HeaderName::from_static("sec-fetch-site")),
        origin: value(header::ORIGIN),
        host: value(header::HOST),
    };
    let public_url = request
        .extensions()
        .get::<CurrentSite>()
        .and_then(|s| state.public_url(&s.0));
    if !csrf::is_same_origin(origin, public_url.as_deref()) {
        return Some(AppError::Forbidden(
            "Yêu cầu bị từ chối vì không được gửi từ chính trang này. Hãy tải lại trang rồi thử lại.".into(),
        )
        .into_response());
    }
    None
}
