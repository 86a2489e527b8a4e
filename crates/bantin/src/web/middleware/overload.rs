//! Load shedding: at most `max_in_flight` requests are handled at once.
//! Others wait their turn for up to [`QUEUE_WAIT`], then get a 503 with
//! `Retry-After`, so that a burst far above capacity is answered quickly
//! instead of piling up until every request times out.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::RETRY_AFTER;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::error::AppError;
use crate::web::state::AppState;

/// How long a request may wait for a free slot. Pages take milliseconds,
/// so a second of queue means the server is far behind.
pub const QUEUE_WAIT: Duration = Duration::from_secs(1);

pub async fn shed(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let slot = tokio::time::timeout(QUEUE_WAIT, state.in_flight().acquire()).await;
    let Ok(Ok(_slot)) = slot else {
        let mut response = AppError::Overloaded.into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    next.run(request).await
}
