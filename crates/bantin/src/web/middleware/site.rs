//! The site a request is for, by its `Host` header (`site::Directory`
//! decides). Handlers take it as [`CurrentSite`]. A host no site answers
//! gets a plain Vietnamese 404 page with no data of any site. The health
//! check, metrics and static files answer for any host (with the site's
//! headers when the host is one of them).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::HOST;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::site::Site;
use crate::web::error::{self, AppError};
use crate::web::state::AppState;

/// The site of the request (also put on its response, for the layers
/// outside this one).
#[derive(Clone, Debug)]
pub struct CurrentSite(pub Arc<Site>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentSite {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentSite>()
            .cloned()
            .ok_or(AppError::NotFound)
    }
}

/// Paths that belong to the server, not to a site.
fn site_free(path: &str) -> bool {
    path == "/healthz" || path == "/metrics" || path.starts_with("/static/")
}

pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let host = request.headers().get(HOST).and_then(|v| v.to_str().ok());
    let Some(site) = state.sites().resolve(host) else {
        if site_free(request.uri().path()) {
            return next.run(request).await;
        }
        return error::unknown_site();
    };
    let current = CurrentSite(site);
    request.extensions_mut().insert(current.clone());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(current);
    response.into_response()
}
