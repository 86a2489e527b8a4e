//! Cross-site request forgery, refused twice over:
//!
//! 1. [`same_origin`] rejects any state-changing request (POST, PUT, PATCH,
//!    DELETE) that a browser marks as coming from another site
//!    (`Sec-Fetch-Site`) or whose `Origin` is not this site;
//! 2. every staff form carries the session's CSRF token ([`token_matches`]).
//!
//! Session cookies are also `SameSite=Lax`.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::secret::constant_time_eq;
use super::session::Session;
use crate::app::AppState;
use crate::web::error::AppError;

pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) && !is_same_origin(&state, &request)
    {
        return AppError::Forbidden(
            "Yêu cầu bị từ chối vì không được gửi từ chính trang này. Hãy tải lại trang rồi thử lại.".into(),
        )
        .into_response();
    }
    next.run(request).await
}

fn is_same_origin(state: &AppState, request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Not a browser (or a very old one): the form token still applies.
        return true;
    };
    if state
        .public_url()
        .is_some_and(|u| u.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Whether a submitted form token is the session's.
pub fn token_matches(session: &Session, submitted: &str) -> bool {
    !session.csrf_token.is_empty()
        && constant_time_eq(session.csrf_token.as_bytes(), submitted.as_bytes())
}
