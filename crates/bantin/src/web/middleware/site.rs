//! The site a request is for (`front` finds it by the `Host` header).
//! Handlers take it as [`CurrentSite`].

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::site::Site;
use crate::web::error::AppError;

/// The site of the request.
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

/// Paths that belong to the server, not to a site: they answer for any
/// host.
pub fn site_free(path: &str) -> bool {
    path == "/healthz" || path == "/metrics" || path.starts_with("/static/")
}
