//! What runs around every handler (outermost first in `router.rs`): the
//! request id and its log span, metrics, panics and timeouts, compression,
//! security headers, the site the request is for, error pages, the
//! same-origin check, reading the body, load shedding and the check of
//! query strings; and, on public pages only, visit counting.

pub mod body;
pub mod input;
pub mod metrics;
pub mod overload;
pub mod request_id;
pub mod same_origin;
pub mod security;
pub mod site;
pub mod visits;
