//! What a request must pass before its handler, as one step where there
//! were four layers: the same-origin check of state-changing requests,
//! the body read whole (before a slot is taken), load shedding, and the
//! check of the path and query string. Inside the error pages, so each
//! refusal is a page in Vietnamese.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{body, input, overload, same_origin};
use crate::web::client;
use crate::web::state::AppState;

pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(refused) = same_origin::refusal(&state, &request) {
        return refused;
    }
    let request = match body::buffer(&state, request).await {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let client = client::of_request(&request, &state.settings().trusted_proxies);
    let _slots = match overload::take(&state, client).await {
        Ok(slots) => slots,
        Err(refused) => return refused,
    };
    if let Some(refused) = input::refusal(&request) {
        return refused;
    }
    next.run(request).await
}
