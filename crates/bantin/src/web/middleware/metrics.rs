//! Times every request and counts its answer by route pattern; with
//! `--access-log`, one log line per request with the client's address.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::web::client;
use crate::web::state::AppState;

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(không khớp)".to_owned(), |p| p.as_str().to_owned());
    // Visitor addresses are logged only when the operator asks for it.
    let client = state
        .settings()
        .access_log
        .then(|| client::of_request(&request, &state.settings().trusted_proxies));
    let path = client.is_some().then(|| request.uri().path().to_owned());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics()
        .record(method.as_str(), &route, status, elapsed);
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
