//! What runs around every handler. Once around the router (outermost
//! first in `router.rs`): `front` (the request id and its log span, the
//! site the request is for, metrics, security headers, panics and the
//! request timeout), compression, error pages. Then, on the route chosen,
//! `routed`: `gate` (the same-origin check, reading the body, load
//! shedding, the check of paths and query strings) and, on public pages
//! only, visit counting.

pub mod body;
pub mod front;
pub mod gate;
pub mod input;
pub mod overload;
pub mod request_id;
pub mod routed;
pub mod same_origin;
pub mod site;
pub mod visits;
