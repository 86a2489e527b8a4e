//! Machine endpoints under `/api/v1/` (JSON).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

/// `GET /api/v1/stats` → `{"online":…,"today":…,"week":…,"total":…}`, the
/// widget's numbers. This server's latest views are written first, so the
/// answer is exact for everything it has seen.
pub async fn stats(State(state): State<AppState>, CurrentSite(site): CurrentSite) -> Response {
    let stats = state.stats();
    let result = async {
        stats.flush().await?;
        stats.counts(site.id, site.stats_start_total).await
    }
    .await;
    match result {
        Ok(counts) => ([("cache-control", "no-store")], Json(counts)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "statistics unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "Thống kê tạm thời không truy cập được."})),
            )
                .into_response()
        }
    }
}
