//! Logging in and out, and the [`Staff`] extractor every admin handler
//! takes: no session, no handler (a redirect to the login page instead).

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::accounts::session::{self, Session};
use crate::accounts::{Role, User, csrf, password, throttle, user};
use crate::audit;
use crate::content::editorial;
use crate::site::Site;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

/// A logged-in staff member, on the site whose session it is.
pub struct Staff {
    pub user: User,
    pub session: Session,
    pub site: Arc<Site>,
}

impl Staff {
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// An account of the province IT office (see `accounts::User::operator`).
    pub fn is_operator(&self) -> bool {
        self.user.operator && self.user.role == Role::Admin
    }

    /// The staff member as the actor of editorial actions.
    pub fn actor(&self) -> editorial::Actor {
        editorial::Actor {
            user_id: self.user.id,
            role: self.user.role,
        }
    }

    /// Refuses (403) unless `allowed`.
    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Bạn không có quyền thực hiện thao tác này.".into(),
            ))
        }
    }

    /// Refuses (403) a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if csrf::token_matches(&self.session, submitted) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Phiên làm việc đã thay đổi hoặc biểu mẫu đã cũ. Hãy tải lại trang rồi thử lại."
                    .into(),
            ))
        }
    }
}

/// The logged-in staff member a request to `site` comes from, if any (a
/// session is valid on the site that made it only).
pub async fn staff_of(
    headers: &HeaderMap,
    state: &AppState,
    site: &Arc<Site>,
) -> Result<Option<Staff>, AppError> {
    let Some(token) = headers
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(session::token_from_cookies)
    else {
        return Ok(None);
    };
    let found = session::lookup(state.db(), site.id, token, state.now()).await?;
    Ok(found.map(|(session, user)| Staff {
        user,
        session,
        site: site.clone(),
    }))
}

/// The staff member of a request's parts, on the request's site.
async fn staff_of_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Staff>, AppError> {
    let CurrentSite(site) = CurrentSite::from_request_parts(parts, state).await?;
    staff_of(&parts.headers, state, &site).await
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match staff_of_parts(parts, state).await {
            Ok(Some(staff)) => Ok(staff),
            Ok(None) => {
                // Inside the nested /admin router the URI is stripped of its
                // prefix; the original one is what the browser asked for.
                let uri = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(&parts.uri, |o| &o.0);
                let next = uri.path_and_query().map_or("/admin", |p| p.as_str());
                let target = format!("/dang-nhap?tiep={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The staff member, if the request comes from one (public pages).
pub struct MaybeStaff(pub Option<Staff>);

impl FromRequestParts<AppState> for MaybeStaff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        staff_of_parts(parts, state)
            .await
            .map(MaybeStaff)
            .map_err(IntoResponse::into_response)
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

/// Where to go after logging in: only pages of the admin area, so the
/// login form cannot be used to send people elsewhere.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if (n == "/admin" || n.starts_with("/admin/") || n.starts_with("/admin?"))
                && !n.contains("//") =>
        {
            n
        }
        _ => "/admin",
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    tiep: Option<String>,
}

fn login_page(
    site: &Site,
    username: &str,
    next: &str,
    error: &str,
) -> Result<Html<String>, AppError> {
    let page = LoginPage {
        layout: Layout::new(site, "Đăng nhập", ""),
        username: username.to_owned(),
        next: next.to_owned(),
        error: error.to_owned(),
    };
    Ok(Html(page.render()?))
}

pub async fn login_form(
    CurrentSite(site): CurrentSite,
    MaybeStaff(staff): MaybeStaff,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let next = safe_next(query.as_ref().ok().and_then(|q| q.tiep.as_deref()));
    if staff.is_some() {
        return Ok(Redirect::to(next).into_response());
    }
    Ok(login_page(&site, "", next, "")?.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    tiep: String,
}

const WRONG: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";

fn locked_message(
    until: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    format!(
        "Đăng nhập tạm khoá do nhập sai nhiều lần. Vui lòng thử lại sau {} phút.",
        throttle::minutes_left(until, now)
    )
}

pub async fn login(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(addr): ClientAddr,
    VForm(form): VForm<LoginForm>,
) -> Result<Response, AppError> {
    let (db, now) = (state.db(), state.now());
    let next = safe_next(Some(&form.tiep)).to_owned();
    let shown_name: String = form.username.trim().chars().take(64).collect();
    let key = user::normalize_username(&form.username).unwrap_or_else(|| shown_name.to_lowercase());
    let keys = throttle::Keys::new(db, &key, addr).await?;

    // The attempt is counted before anything is checked.
    let delay = match throttle::attempt(db, site.id, &keys, now).await? {
        throttle::Verdict::Locked(until) => {
            let page = login_page(&site, &shown_name, &next, &locked_message(until, now))?;
            return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
        }
        throttle::Verdict::Check { delay } => delay,
    };

    let found = user::find_by_username(db, site.id, &key).await?;
    let password_ok = match &found {
        Some(u) => password::verify(form.password.clone(), u.password_hash.clone()).await,
        None => {
            // Same work as a real check, so timing does not tell who exists.
            let _ = password::verify(
                form.password.clone(),
                password::dummy_hash().await.to_owned(),
            )
            .await;
            false
        }
    };
    match found {
        Some(u) if password_ok && !u.disabled => {
            let mut tx = db.begin().await?;
            throttle::succeeded(&mut tx, site.id, &keys).await?;
            let created = session::create(&mut tx, site.id, u.id, now).await?;
            audit::record(
                &mut tx,
                audit::Record {
                    site_id: site.id,
                    user_id: Some(u.id),
                    action: audit::Action::Login,
                    target: &u.username,
                    detail: "",
                },
                now,
            )
            .await?;
            tx.commit().await?;
            let mut headers = HeaderMap::new();
            headers.insert(
                SET_COOKIE,
                HeaderValue::from_str(&session::cookie(&created.token, state.https(&site)))
                    .map_err(anyhow::Error::from)?,
            );
            headers.insert(
                LOCATION,
                HeaderValue::from_str(&next).map_err(anyhow::Error::from)?,
            );
            Ok((StatusCode::SEE_OTHER, headers).into_response())
        }
        found => {
            if let Some(u) = &found {
                audit::record_alone(
                    db,
                    audit::Record {
                        site_id: site.id,
                        user_id: Some(u.id),
                        action: audit::Action::LoginFailed,
                        target: &u.username,
                        detail: "",
                    },
                    now,
                )
                .await?;
            }
            tokio::time::sleep(delay).await;
            let message = match throttle::locked_until(db, site.id, &keys, now).await? {
                Some(until) => locked_message(until, now),
                None => WRONG.to_owned(),
            };
            let page = login_page(&site, &shown_name, &next, &message)?;
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let mut tx = state.db().begin().await?;
    session::delete(&mut tx, &staff.session.id_hash).await?;
    audit::record(
        &mut tx,
        audit::Record {
            site_id: staff.site.id,
            user_id: Some(staff.user.id),
            action: audit::Action::Logout,
            target: &staff.user.username,
            detail: "",
        },
        state.now(),
    )
    .await?;
    tx.commit().await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        HeaderValue::from_str(&session::cookie("", state.https(&staff.site)))
            .map_err(anyhow::Error::from)?,
    );
    headers.insert(LOCATION, HeaderValue::from_static("/"));
    Ok((StatusCode::SEE_OTHER, headers).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_pages_are_redirect_targets() {
        assert_eq!(
            safe_next(Some("/admin/articles?trang=2")),
            "/admin/articles?trang=2"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/admin//evil",
            "/tin-tuc",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad}");
        }
        assert_eq!(
            urlencode("/admin/articles?trang=2"),
            "%2Fadmin%2Farticles%3Ftrang%3D2"
        );
    }
}
