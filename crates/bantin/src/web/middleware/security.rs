//! Security headers on every response.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style anywhere; pages cannot be framed.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
    script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";

use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

/// Staff pages, and the forms where passwords are typed, are never kept by
/// a browser's or proxy's cache (a shared computer in a commune office).
fn private(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || path == "/dang-nhap" || path == "/dang-xuat"
}

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let private = private(request.uri().path());
    let mut response = next.run(request).await;
    if private {
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    let https = response
        .extensions()
        .get::<CurrentSite>()
        .is_some_and(|s| state.https(&s.0));
    let h = response.headers_mut();
    if https {
        h.insert(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
