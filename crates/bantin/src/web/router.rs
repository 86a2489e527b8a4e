//! Every route and the layers around them, in one readable place.

use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Router, middleware as mw};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

use super::middleware::{front, gate, visits};
use super::state::AppState;
use super::{admin, api, assets, auth, error, health, media, monitoring, public};

/// How long a request may take before the server answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn router(state: AppState) -> Router {
    // Public pages: the only place where visits are counted.
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
            get(public::questions::ask_form),
        )
        .route("/hoi-dap/tra-cuu", get(public::questions::lookup))
        .route("/hoi-dap/{slug}", get(public::questions::show))
        .route("/{page}", get(public::page::top))
        .route("/{page}/{sub}", get(public::page::sub))
        .route_layer(mw::from_fn_with_state(state.clone(), visits::count));
    Router::new()
        .merge(pages)
        .route("/danh-gia", post(public::rating::submit))
        .route("/van-ban/rss.xml", get(public::documents::feed))
        .route("/van-ban/tep/{file}", get(public::documents::file))
        .route("/van-ban/{slug}/y-kien", post(public::documents::comment))
        .route(public::questions::ASK_PATH, post(public::questions::ask))
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
        // One stack, outermost first, applied as one layer: a middleware
        // that clones the service inside it (every `from_fn` does, per
        // request) then clones plain structs, where a layer each boxed a
        // route per layer and the clones of the boxes below it took two
        // thirds of a `/healthz` request's instructions (callgrind). Six
        // layers where there were fifteen: each costs a clone and a boxed
        // future per request.
        .layer(
            ServiceBuilder::new()
                .layer(mw::from_fn_with_state(state.clone(), front::handle))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                ))
                .layer(CompressionLayer::new())
                .layer(mw::from_fn_with_state(
                    state.clone(),
                    error::render_error_pages,
                ))
                .layer(mw::from_fn_with_state(state.clone(), gate::check)),
        )
        .with_state(state)
}

/// The monitoring address (`--metrics-listen`): `/metrics` only.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(monitoring::render))
        .with_state(state)
}
