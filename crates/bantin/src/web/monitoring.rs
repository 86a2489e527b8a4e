//! `GET /metrics` (Prometheus text, see `crate::metrics`). Off the public
//! site by default: served on a separate address (`--metrics-listen`, e.g.
//! 127.0.0.1:9184) or, with `--metrics-token`, on the main one to requests
//! carrying `Authorization: Bearer TOKEN`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::accounts::secret::constant_time_eq;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// `GET /metrics` on the main address: only with the configured token.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.settings().metrics_token.as_deref() else {
        return AppError::NotFound.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Cần mã truy cập để xem số liệu giám sát.\n",
        )
            .into_response();
    }
    render(State(state)).await
}

/// `GET /metrics` on the metrics address.
pub async fn render(State(state): State<AppState>) -> Response {
    let text =
        crate::metrics::render(state.db(), state.metrics(), state.stats(), state.now()).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
