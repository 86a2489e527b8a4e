//! What runs once the router has chosen a route: one hand-written layer on
//! every route (and on the 404 and 405 answers), inside the outer stack
//! that `router.rs` applies once around the whole router (issue 22: that
//! stack used to be applied to every route, so each request cloned and
//! boxed it, and the routes inside it, once per `from_fn`).
//!
//! In order:
//! - the route's pattern is handed to `front` through [`RouteLabel`], so
//!   metrics count by route whatever the answer (refusals, panics and
//!   timeouts included);
//! - `gate`: the same-origin check, the body read whole, load shedding,
//!   the check of paths and query strings;
//! - on public pages only, visit counting (`visits`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use axum::extract::{MatchedPath, Request};
use axum::response::Response;
use tower::{Layer, Service};

use super::{gate, visits};
use crate::web::state::AppState;

/// Where the router's choice of route is written for `front`, which runs
/// before routing and reads it once the answer is back.
#[derive(Clone, Default)]
pub struct RouteLabel(Arc<OnceLock<MatchedPath>>);

impl RouteLabel {
    /// The pattern of the route that answered, if one did.
    pub fn route(&self) -> Option<&str> {
        self.0.get().map(MatchedPath::as_str)
    }
}

/// The layer: [`Routed::pages`] on public pages, [`Routed::other`] on the
/// rest.
#[derive(Clone)]
pub struct Routed {
    state: AppState,
    pages: bool,
}

impl Routed {
    /// Public pages: visits are counted.
    pub fn pages(state: AppState) -> Self {
        Routed { state, pages: true }
    }

    /// Everything else: feeds, files, forms, admin, health, the 404 page.
    pub fn other(state: AppState) -> Self {
        Routed {
            state,
            pages: false,
        }
    }
}

impl<S> Layer<S> for Routed {
    type Service = RoutedService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RoutedService {
            state: self.state.clone(),
            pages: self.pages,
            inner,
        }
    }
}

#[derive(Clone)]
pub struct RoutedService<S> {
    state: AppState,
    pages: bool,
    inner: S,
}

impl<S> Service<Request> for RoutedService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let extensions = request.extensions();
        if let (Some(label), Some(path)) = (
            extensions.get::<RouteLabel>(),
            extensions.get::<MatchedPath>(),
        ) {
            let _ = label.0.set(path.clone());
        }
        // The service that was made ready is the one called (tower's
        // contract); its clone stays for the next request.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        let state = self.state.clone();
        let pages = self.pages;
        Box::pin(async move {
            let response = gate::check(&state, request, |request| async {
                if pages {
                    visits::count(&state, request, |request| run(inner, request)).await
                } else {
                    run(inner, request).await
                }
            })
            .await;
            Ok(response)
        })
    }
}

async fn run<S>(mut inner: S, request: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    match inner.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
