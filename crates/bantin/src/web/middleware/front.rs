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
//! - its time and answer counted by route pattern, and with
//!   `--access-log` one line with the client's address;
//! - the security headers on whatever comes back, timeouts and panics
//!   included.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::request_id::{self, REQUEST_ID};
use super::site::{CurrentSite, site_free};
use crate::web::client;
use crate::web::error;
use crate::web::state::AppState;

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
        let route = request.extensions().get::<MatchedPath>().cloned();
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
                next.run(request).await
            }
            None if site_free(request.uri().path()) => next.run(request).await,
            None => error::unknown_site(),
        };
        secure(response.headers_mut(), private, https);
        response.headers_mut().insert(REQUEST_ID.clone(), id);
        let elapsed = started.elapsed();
        let status = response.status().as_u16();
        state.metrics().record(
            method.as_str(),
            route.as_ref().map_or("(không khớp)", |p| p.as_str()),
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
