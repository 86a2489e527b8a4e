//! Request ids: every response carries `X-Request-Id` (kept when a trusted
//! proxy sent one; anyone else's is replaced, so a client cannot forge the
//! id its lines are logged under), and every log line of the request
//! shares it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the id, the tracing span and the id's echo.
pub fn layers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    trusted_proxies: Vec<ipnet::IpNet>,
) -> Router<S> {
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                // Path without the query string (search terms stay out of logs).
                let id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    id,
                    method = %request.method(),
                    path = request.uri().path()
                )
            }),
        )
        .layer(SetRequestIdLayer::new(
            REQUEST_ID.clone(),
            RequestIds::default(),
        ))
        .layer(tower::util::MapRequestLayer::new(
            move |mut request: Request<axum::body::Body>| {
                let peer = request
                    .extensions()
                    .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                    .map(|c| c.0.ip().to_canonical());
                if !peer.is_some_and(|ip| trusted_proxies.iter().any(|p| p.contains(&ip))) {
                    request.headers_mut().remove(&REQUEST_ID);
                }
                request
            },
        ))
}

/// This process's random prefix and a counter: unique, cheap, and they say
/// nothing about the client.
#[derive(Clone)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        RequestIds {
            prefix: crate::accounts::secret::hex(&bytes).into(),
            next: Arc::default(),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}
