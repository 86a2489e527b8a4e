//! Where a visit is counted: a middleware on the public page routes only
//! (so static files, feeds, the API, admin pages and the login form never
//! count). A view counts when it is a GET that answers 200, from a person
//! (`stats::visitor::is_human_view`) who is not a logged-in staff member.
//!
//! The visit is known before the page is rendered, so the page's own
//! widget includes its viewer — the first visitor of the day sees "1", as
//! readers expect — and it is recorded only once the answer is a 200.

use std::future::Future;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;

use crate::site::Site;
use crate::stats::{Visit, visitor};
use crate::web::auth;
use crate::web::client;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

tokio::task_local! {
    static CURRENT: Option<Visit>;
}

/// The countable visit of the page being rendered, if it is one.
pub fn current_visit() -> Option<Visit> {
    CURRENT.try_with(Clone::clone).ok().flatten()
}

/// Put on an article page's response, so its views are counted per article.
#[derive(Clone, Copy, Debug)]
pub struct ArticleViewed(pub i64);

/// What `next` answers to `request`, its visit recorded if it counts.
pub async fn count<F, Fut>(state: &AppState, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let site = request.extensions().get::<CurrentSite>().cloned();
    let visit = match site {
        Some(CurrentSite(site)) => {
            let addr = client::of_request(&request, &state.settings().trusted_proxies);
            candidate(state, &site, request.method(), request.headers(), addr).await
        }
        None => Ok(None),
    };
    let visit = match visit {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "cannot prepare visit counting");
            None
        }
    };
    let response = CURRENT.scope(visit.clone(), next(request)).await;
    if let Some(v) = visit
        && response.status() == StatusCode::OK
    {
        let article = response.extensions().get::<ArticleViewed>().map(|a| a.0);
        state.stats().record(&v, article);
    }
    response
}

async fn candidate(
    state: &AppState,
    site: &Arc<Site>,
    method: &Method,
    headers: &HeaderMap,
    addr: Option<std::net::IpAddr>,
) -> Result<Option<Visit>, crate::web::error::AppError> {
    let Some(ip) = addr else { return Ok(None) };
    let ua = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let purposes = visitor::PURPOSE_HEADERS
        .iter()
        .flat_map(|name| headers.get_all(*name))
        .filter_map(|v| v.to_str().ok());
    if !state.settings().count_visits
        || method != Method::GET
        || !visitor::is_human_view(ua, purposes)
    {
        return Ok(None);
    }
    if auth::staff_of(headers, state, site).await?.is_some() {
        return Ok(None); // staff reading their own site
    }
    Ok(Some(state.stats().visit(site.id, ip, ua).await?))
}
