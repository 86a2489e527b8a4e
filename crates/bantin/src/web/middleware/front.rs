//! What every request passes first, as one step where there were seven
//! layers (issue 22: each layer cost a boxed service, a clone of what lies
//! below it and a boxed future per request):
//! - its id: kept when a trusted proxy sent one (anyone else's is
//!   replaced, so a client cannot forge the id its lines are logged
//!   under), echoed in `X-Request-Id`, and on every log line of the
//!   request through its span;
//! - the site it is for, by its `Host` header (`site::Directory` decides;
//!   handlers take it as [`CurrentSite`]); a host no site answers gets a
//!   plain Vietnamese 404 page with no data of any site, while the health
//!   check, metrics and static files answer for any host;
//! - its time and answer counted by route pattern (`routed` tells which),
//!   and with `--access-log` one line with the client's address;
//! - a panic, or an answer that takes longer than [`REQUEST_TIMEOUT`],
//!   turned into a plain answer in Vietnamese (500, 408), so the
//!   connection lives on;
//! - the security headers on whatever comes back, timeouts and panics
//!   included.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tracing::Instrument;

use super::request_id::{self, REQUEST_ID};
use super::routed::RouteLabel;
use super::site::{CurrentSite, site_free};
use crate::web::client;
use crate::web::error;
use crate::web::state::AppState;

/// How long a request may take before the server answers 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// No inline script or style anywhere; pages cannot be framed.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
    script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";

/// Staff pages, and the forms where passwords are typed, are never kept by
/// a browser's or proxy's cache (a shared computer in a commune office).
fn private(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || path == "/dang-nhap" || path == "/dang-xuat"
}

pub async fn handle(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let settings = state.settings();
    let id = request_id::of(&mut request, &settings.trusted_proxies);
    let span = tracing::info_span!(
        "request",
        id = id.to_str().unwrap_or("-"),
        method = %request.method(),
        // Without the query string: search terms stay out of logs.
        path = request.uri().path()
    );
    async {
        let method = request.method().clone();
        // Filled in by `routed` once the router has chosen.
        let route = RouteLabel::default();
        request.extensions_mut().insert(route.clone());
        // Visitor addresses are logged only when the operator asks for it.
        let client = settings
            .access_log
            .then(|| client::of_request(&request, &settings.trusted_proxies));
        let path = client.is_some().then(|| request.uri().path().to_owned());
        let private = private(request.uri().path());
        let host = request.headers().get(HOST).and_then(|v| v.to_str().ok());
        let site = state.sites().resolve(host);
        let https = site.as_ref().is_some_and(|s| state.https(s));
        let mut response = match site {
            Some(site) => {
                request.extensions_mut().insert(CurrentSite(site));
                guarded(next.run(request), REQUEST_TIMEOUT).await
            }
            None if site_free(request.uri().path()) => {
                guarded(next.run(request), REQUEST_TIMEOUT).await
            }
            None => error::unknown_site(),
        };
        secure(response.headers_mut(), private, https);
        response.headers_mut().insert(REQUEST_ID.clone(), id);
        let elapsed = started.elapsed();
        let status = response.status().as_u16();
        state.metrics().record(
            method.as_str(),
            route.route().unwrap_or("(không khớp)"),
            status,
            elapsed,
        );
        if status >= 500 {
            tracing::error!(
                status,
                ms = elapsed.as_secs_f64() * 1000.0,
                "response failed"
            );
        }
        if let (Some(client), Some(path)) = (client, path) {
            tracing::info!(
                target: "bantin::access",
                client = %client.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
                method = method.as_str(),
                path,
                status,
                ms = elapsed.as_secs_f64() * 1000.0,
            );
        }
        response
    }
    .instrument(span)
    .await
}

/// `answer` (what the rest of the stack answers); a panic in it, or no
/// answer within `limit`, is answered here.
async fn guarded(answer: impl Future<Output = Response>, limit: Duration) -> Response {
    let answer = tokio::time::timeout(limit, answer);
    match AssertUnwindSafe(answer).catch_unwind().await {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => (
            StatusCode::REQUEST_TIMEOUT,
            "Yêu cầu xử lý quá lâu. Vui lòng thử lại sau.",
        )
            .into_response(),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(không rõ)");
            tracing::error!(panic = what, "request handler panicked");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau.",
            )
                .into_response()
        }
    }
}

/// The security headers of every response (and `no-store` on staff pages).
fn secure(h: &mut HeaderMap, private: bool, https: bool) {
    if private {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        h.insert(
            STRICT_TRANSPORT_SECURITY,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_a_500_and_no_answer_in_time_a_408() {
        let limit = Duration::from_secs(60);
        let answer = guarded(async { StatusCode::NO_CONTENT.into_response() }, limit).await;
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
        let panics = async {
            assert!(limit.is_zero(), "a handler's bug");
            StatusCode::OK.into_response()
        };
        assert_eq!(
            guarded(panics, limit).await.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let never = std::future::pending::<Response>();
        let answer = guarded(never, Duration::from_millis(10)).await;
        assert_eq!(answer.status(), StatusCode::REQUEST_TIMEOUT);
    }
}
