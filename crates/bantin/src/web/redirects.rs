//! Old addresses answered with 301 (see `content::redirect`). Asked only
//! for what would otherwise be a 404, and for the home page with a query
//! (`/?p=123`, `/index.php?…&nv=news…`), so pages that exist never pay
//! for a look-up.

use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::state::AppState;
use crate::content::redirect;

/// Whether the request might be an old address answered before routing:
/// the home page with a query string.
pub fn before_routing(method: &Method, uri: &Uri) -> bool {
    is_read(method)
        && matches!(uri.path(), "/" | "/index.php")
        && uri.query().is_some_and(|q| !q.is_empty())
}

pub fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// The 301 for an old address of the site, if it has one.
pub async fn follow(state: &AppState, site_id: i64, uri: &Uri) -> Option<Response> {
    let old = uri.path_and_query().map_or("/", |p| p.as_str());
    let key = redirect::key(old).filter(|k| k != "/")?;
    let target = match redirect::find(state.db(), site_id, &key, state.now()).await {
        Ok(found) => found?,
        Err(e) => {
            tracing::warn!(error = %e, "redirect look-up failed");
            return None;
        }
    };
    let location = HeaderValue::from_str(&encoded(&target)).ok()?;
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    response.headers_mut().insert(LOCATION, location);
    // An admin may still correct it: a day, not forever.
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Some(response)
}

/// A path as a header may carry it: what is not printable ASCII
/// percent-encoded (a path typed with Vietnamese letters).
fn encoded(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
