//! Shared state and the router, assembled in one readable place.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::accounts::csrf;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::ops::metrics::{self, Metrics};
use crate::site::{self, Site};
use crate::stats::{Stats, count};
use crate::web::{
    admin, api, assets, auth, error, health, input, media, overload, public, security,
};

/// How long a request may take before the server answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server needs from its configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How readers reach the site, without a trailing slash.
    pub public_url: Option<String>,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where uploaded images live (`DATA_DIR/media`).
    pub media_dir: PathBuf,
    pub max_upload_bytes: u64,
    /// Count visits (on by default; off only to measure what counting costs).
    pub count_visits: bool,
    /// With a token, `/metrics` answers on the main address to
    /// `Authorization: Bearer TOKEN`; without, it is not there.
    pub metrics_token: Option<String>,
    /// Log every request with the client's address (off by default).
    pub access_log: bool,
    /// Requests handled at once (see `web::overload`).
    pub max_in_flight: usize,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            public_url: config.public_url.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            media_dir: config.data_dir.join("media"),
            max_upload_bytes: config.max_upload_bytes,
            count_visits: config.count_visits,
            metrics_token: config.metrics_token.clone(),
            access_log: config.access_log,
            max_in_flight: config.max_in_flight,
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    settings: Settings,
    stats: Stats,
    metrics: Metrics,
    in_flight: tokio::sync::Semaphore,
    public_reads: crate::content::cache::PublicReads,
    article_pages: crate::web::public::page_cache::PageCache,
    /// The site's settings, loaded once: every page needs them.
    site: RwLock<Arc<Site>>,
}

impl AppState {
    pub async fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> anyhow::Result<AppState> {
        let site = site::load_default(&db).await?;
        std::fs::create_dir_all(&settings.media_dir)?;
        let stats = Stats::new(db.clone(), clock.clone(), site.id);
        Ok(AppState(Arc::new(Inner {
            db,
            clock,
            stats,
            metrics: Metrics::new(),
            in_flight: tokio::sync::Semaphore::new(settings.max_in_flight),
            public_reads: Default::default(),
            article_pages: Default::default(),
            site: RwLock::new(Arc::new(site)),
            settings,
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }

    pub fn stats(&self) -> &Stats {
        &self.0.stats
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// Public pages' reads, cached for a second.
    pub fn public_reads(&self) -> &crate::content::cache::PublicReads {
        &self.0.public_reads
    }

    /// Rendered article pages, kept as long as `public_reads`.
    pub fn article_pages(&self) -> &crate::web::public::page_cache::PageCache {
        &self.0.article_pages
    }

    /// Slots for requests being handled (see `web::overload`).
    pub fn in_flight(&self) -> &tokio::sync::Semaphore {
        &self.0.in_flight
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn public_url(&self) -> Option<&str> {
        self.0.settings.public_url.as_deref()
    }

    /// Served over https: cookies are `Secure`, HSTS is sent.
    pub fn https(&self) -> bool {
        self.public_url().is_some_and(|u| u.starts_with("https://"))
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
    // Public pages: the only place where visits are counted.
    let pages = Router::new()
        .route("/", get(public::home::show))
        .route("/tin-tuc", get(public::news::list))
        .route("/tin-tuc/{slug}", get(public::article::show))
        .route("/tim-kiem", get(public::search::page))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            count::count_visits,
        ));
    Router::new()
        .merge(pages)
        .route("/api/v1/stats", get(api::stats))
        .route("/api/v1/search", get(public::search::api))
        .route("/rss.xml", get(public::feeds::site_feed))
        .route(
            "/chuyen-muc/{slug}/rss.xml",
            get(public::feeds::category_feed),
        )
        .route("/sitemap.xml", get(public::feeds::sitemap))
        .route("/robots.txt", get(public::feeds::robots))
        .route("/dang-nhap", get(auth::login_form).post(auth::login))
        .route("/dang-xuat", post(auth::logout))
        .nest("/admin", admin::routes(state.settings().max_upload_bytes))
        .route("/media/{file}", get(media::serve))
        .route("/healthz", get(health::check))
        .route("/metrics", get(metrics::guarded))
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
        .route(assets::ADMIN_STYLESHEET_PATH, get(assets::admin_stylesheet))
        .route(assets::EDITOR_SCRIPT_PATH, get(assets::editor_script))
        .fallback(error::not_found)
        .layer(middleware::from_fn(input::clean_query))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            overload::shed,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            csrf::same_origin,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                // Path without the query string (search terms stay out of logs).
                let id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    id,
                    method = %request.method(),
                    path = request.uri().path()
                )
            }),
        )
        .layer(SetRequestIdLayer::new(
            REQUEST_ID.clone(),
            RequestIds::default(),
        ))
        .with_state(state)
}

/// The monitoring address (`--metrics-listen`): `/metrics` only.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics::render))
        .with_state(state)
}

static REQUEST_ID: axum::http::HeaderName = axum::http::HeaderName::from_static("x-request-id");

/// Request ids: this process's random prefix and a counter — unique, cheap,
/// and they say nothing about the client.
#[derive(Clone)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        RequestIds {
            prefix: bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into(),
            next: Arc::default(),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        axum::http::HeaderValue::from_str(&format!("{}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}
