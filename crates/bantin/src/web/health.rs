//! `GET /healthz`: 200 when the database answers, for load balancers.

use axum::extract::State;
use axum::http::StatusCode;

use crate::web::state::AppState;

pub async fn check(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db().ping().await {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    }
}
