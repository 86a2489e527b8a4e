//! Every route and the layers around them, in one readable place.

use std::convert::Infallible;

use axum::extract::Request;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Router, middleware as mw};
use tower::{Service, ServiceBuilder};
use tower_http::compression::CompressionLayer;

use super::middleware::front;
use super::middleware::routed::Routed;
use super::state::AppState;
use super::{admin, api, assets, auth, error, health, media, monitoring, public};

/// Every route behind its layers, as a [`Router`] (for tests, and
/// anything that wants one).
pub fn router(state: AppState) -> Router {
    Router::new().fallback_service(app(state))
}

/// The service the listener calls for each request: [`router`] without
/// the `Router` around it, which would cost a boxed clone and a routing
/// pass of its own per request.
pub fn app(
    state: AppState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
+ Clone
+ Send
+ Sync
+ 'static {
    // Public pages: the only place where visits are counted. (The question
    // form's POST is here too, beside its GET; a POST never counts.)
    let pages = Router::new()
        .route("/", get(public::home::show))
        .route("/tin-tuc", get(public::news::list))
        .route("/tin-tuc/{slug}", get(public::article::show))
        .route("/tim-kiem", get(public::search::page))
        .route("/chuyen-muc/{slug}", get(public::category::show))
        .route("/lien-he", get(public::contact::show))
        .route("/so-do", get(public::site_map::show))
        .route("/van-ban", get(public::documents::list))
        .route("/van-ban/{slug}", get(public::documents::show))
        .route("/hoi-dap", get(public::questions::list))
        .route(
            public::questions::ASK_PATH,
            get(public::questions::ask_form).post(public::questions::ask),
        )
        .route("/hoi-dap/tra-cuu", get(public::questions::lookup))
        .route("/hoi-dap/{slug}", get(public::questions::show))
        .route("/{page}", get(public::page::top))
        .route("/{page}/{sub}", get(public::page::sub))
        .layer(Routed::pages(state.clone()));
    let routes = Router::new()
        .route("/danh-gia", post(public::rating::submit))
        .route("/van-ban/rss.xml", get(public::documents::feed))
        .route("/van-ban/tep/{file}", get(public::documents::file))
        .route("/van-ban/{slug}/y-kien", post(public::documents::comment))
        .route("/hoi-dap/rss.xml", get(public::questions::feed))
        .route("/api/v1/stats", get(api::stats))
        .route("/api/v1/search", get(public::search::api))
        .route("/rss.xml", get(public::feeds::site_feed))
        .route(
            "/chuyen-muc/{slug}/rss.xml",
            get(public::feeds::category_feed),
        )
        .route("/sitemap.xml", get(public::sitemap::index))
        .route("/sitemap/{part}", get(public::sitemap::part))
        .route("/robots.txt", get(public::feeds::robots))
        .route("/dang-nhap", get(auth::login_form).post(auth::login))
        .route(auth::CODE_PAGE, get(auth::code_form).post(auth::code))
        .route("/dang-xuat", post(auth::logout))
        .nest("/admin", admin::routes(state.settings().largest_upload()))
        .route("/media/{file}", get(media::serve))
        .route("/healthz", get(health::check))
        .route("/metrics", get(monitoring::guarded))
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
        .route(assets::ADMIN_STYLESHEET_PATH, get(assets::admin_stylesheet))
        .route(assets::EDITOR_SCRIPT_PATH, get(assets::editor_script))
        .fallback(error::not_found)
        // Before the pages are merged in, so each route has one `Routed`
        // (the 404 and 405 answers too, as `Router::layer` reaches
        // fallbacks).
        .layer(Routed::other(state.clone()))
        .merge(pages)
        .with_state(state.clone());
    // The stack every request passes, outermost first, applied once
    // around the router. Applied to each route (`Router::layer`), it cost
    // a request a clone of every boxed route below each `from_fn` and a
    // boxed copy of the stack: with the routes' own layers, about thirteen
    // boxed clones a request.
    ServiceBuilder::new()
        // Panics and the request timeout too (one layer fewer each).
        .layer(mw::from_fn_with_state(state.clone(), front::handle))
        .layer(CompressionLayer::new())
        .layer(mw::from_fn_with_state(state, error::render_error_pages))
        .service(routes)
}

/// The monitoring address (`--metrics-listen`): `/metrics` only.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(monitoring::render))
        .with_state(state)
}
