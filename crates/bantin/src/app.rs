//! Shared state and the router, assembled in one readable place.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::db::Db;
use crate::site::{self, Site};
use crate::web::{assets, error, health, public, security};

/// How long a request may take before the server answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    /// The site's settings, loaded once: every page needs them.
    site: RwLock<Arc<Site>>,
}

impl AppState {
    pub async fn new(db: Db, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        let site = site::load_default(&db).await?;
        Ok(AppState(Arc::new(Inner {
            db,
            clock,
            site: RwLock::new(Arc::new(site)),
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }

    pub fn site(&self) -> Arc<Site> {
        self.0
            .site
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Re-reads the site's settings after they changed.
    pub async fn reload_site(&self) -> sqlx::Result<()> {
        let site = site::load_default(&self.0.db).await?;
        *self.0.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
        Ok(())
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(public::home::show))
        .route("/tin-tuc", get(public::news::list))
        .route("/tin-tuc/{slug}", get(public::article::show))
        .route("/healthz", get(health::check))
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
        .fallback(error::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        .layer(middleware::from_fn(security::headers))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
