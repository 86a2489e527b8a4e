//! What a request must pass before its handler, as one step where there
//! were four layers: the same-origin check of state-changing requests,
//! the body read whole (before a slot is taken), load shedding, and the
//! check of the path and query string. Run by `routed` after routing,
//! inside the error pages, so each refusal is a page in Vietnamese.

use std::future::Future;

use axum::extract::Request;
use axum::response::Response;

use super::{body, input, overload, same_origin};
use crate::web::client;
use crate::web::state::AppState;

/// The refusal of `request`, or what `next` answers to it.
pub async fn check<F, Fut>(state: &AppState, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    if let Some(refused) = same_origin::refusal(state, &request) {
        return refused;
    }
    let request = match body::buffer(state, request).await {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let client = client::of_request(&request, &state.settings().trusted_proxies);
    let _slots = match overload::take(state, client).await {
        Ok(slots) => slots,
        Err(refused) => return refused,
    };
    if let Some(refused) = input::refusal(&request) {
        return refused;
    }
    next(request).await
}
