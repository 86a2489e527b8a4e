//! Load shedding: at most `max_in_flight` requests are handled at once, and
//! at most `max_in_flight_per_client` of one client address (so that one
//! client looping on a page cannot take every slot). Over either, a
//! request waits its turn for up to [`QUEUE_WAIT`], then gets a 429 (the
//! client's own share) or a 503 (the server's), with `Retry-After`. A burst far above
//! capacity is answered quickly instead of piling up until every request
//! times out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::web::error::AppError;
use crate::web::state::AppState;

/// How long a request may wait for a free slot. Pages take milliseconds,
/// so a second of queue means the server is far behind.
pub const QUEUE_WAIT: Duration = Duration::from_secs(1);

/// Requests being handled, per client address: a semaphore each, kept
/// while someone holds or waits for it.
#[derive(Default)]
pub struct PerClient(Mutex<HashMap<IpAddr, Arc<Semaphore>>>);

/// A client's slot, released (and its semaphore forgotten when idle) on drop.
pub struct Slot<'a> {
    clients: &'a PerClient,
    ip: IpAddr,
    permits: usize,
    semaphore: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
}

impl PerClient {
    /// Waits up to [`QUEUE_WAIT`] for one of the client's `permits` slots.
    async fn take(&self, ip: IpAddr, permits: usize) -> Option<Slot<'_>> {
        let semaphore = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(ip)
            .or_insert_with(|| Arc::new(Semaphore::new(permits)))
            .clone();
        let mut slot = Slot {
            clients: self,
            ip,
            permits,
            semaphore: semaphore.clone(),
            permit: None,
        };
        let permit = tokio::time::timeout(QUEUE_WAIT, semaphore.acquire_owned()).await;
        slot.permit = Some(permit.ok()?.ok()?);
        Some(slot)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut clients = self.clients.0.lock().unwrap_or_else(|e| e.into_inner());
        // Nobody else holds or waits for it (the map and this slot own the
        // only references): forget it.
        if Arc::strong_count(&self.semaphore) == 2
            && self.semaphore.available_permits() == self.permits
        {
            clients.remove(&self.ip);
        }
    }
}

fn retry_after(mut response: Response, seconds: &'static str) -> Response {
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static(seconds));
    response
}

/// The slots a request holds while it is handled (the client's, the
/// server's), released on drop.
pub struct Slots<'a> {
    _client: Option<Slot<'a>>,
    _server: tokio::sync::SemaphorePermit<'a>,
}

/// Waits for the slots of a request from `ip`, or answers 429 / 503.
pub async fn take(state: &AppState, ip: Option<IpAddr>) -> Result<Slots<'_>, Response> {
    let settings = state.settings();
    let mine = match ip {
        Some(ip) => match state
            .per_client()
            .take(ip, settings.max_in_flight_per_client)
            .await
        {
            Some(counted) => Some(counted),
            None => {
                let refused = (
                    StatusCode::TOO_MANY_REQUESTS,
                    "Quá nhiều yêu cầu cùng lúc từ địa chỉ của bạn. Vui lòng thử lại sau ít giây.",
                )
                    .into_response();
                return Err(retry_after(refused, "2"));
            }
        },
        None => None,
    };
    let slot = tokio::time::timeout(QUEUE_WAIT, state.in_flight().acquire()).await;
    let Ok(Ok(server)) = slot else {
        return Err(retry_after(AppError::Overloaded.into_response(), "5"));
    };
    Ok(Slots {
        _client: mine,
        _server: server,
    })
}
