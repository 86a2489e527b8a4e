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
use crate::accounts::{Role, User, csrf, password, throttle, two_factor, user};
use crate::audit;
use crate::content::editorial;
use crate::site::Site;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

/// The staff member's own page (password, sessions, two-factor login).
pub const ACCOUNT_PAGE: &str = "/admin/tai-khoan";

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

    /// Must use two-factor login here, and has not set it up yet.
    pub fn must_enrol(&self) -> bool {
        self.user.totp_secret.is_none() && self.site.two_factor().requires(&self.user)
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
            Ok(Some(staff)) => {
                // An account that must use two-factor login and has not set
                // it up reaches only its own page, to set it up.
                let path = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(parts.uri.path(), |o| o.0.path());
                if staff.must_enrol() && !path.starts_with(ACCOUNT_PAGE) && path != "/dang-xuat" {
                    let target = format!("{ACCOUNT_PAGE}?thong-bao=can-xac-thuc-hai-buoc");
                    return Err(Redirect::to(&target).into_response());
                }
                Ok(staff)
            }
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
                && !n.contains("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
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
    request_headers: HeaderMap,
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
            tx.commit().await?;
            let user_agent = user_agent_of(&request_headers);
            if u.totp_secret.is_some() {
                // The password is right; the code comes next, on its own form.
                let token =
                    two_factor::challenge(db, site.id, u.id, &next, &user_agent, now).await?;
                let mut headers = HeaderMap::new();
                headers.insert(
                    SET_COOKIE,
                    HeaderValue::from_str(&two_factor::challenge_cookie(
                        &token,
                        state.https(&site),
                    ))
                    .map_err(anyhow::Error::from)?,
                );
                headers.insert(LOCATION, HeaderValue::from_static(CODE_PAGE));
                return Ok((StatusCode::SEE_OTHER, headers).into_response());
            }
            open_session(&state, &site, &u, &next, &user_agent, &request_headers, "").await
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

/// The form for the second factor, after a right password.
pub const CODE_PAGE: &str = "/dang-nhap/ma-xac-thuc";

fn user_agent_of(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Logs `user` in: a new session (replacing one this browser had), its
/// audit entry, the cookie, and on to `next`.
async fn open_session(
    state: &AppState,
    site: &Site,
    user: &User,
    next: &str,
    user_agent: &str,
    request_headers: &HeaderMap,
    detail: &str,
) -> Result<Response, AppError> {
    let (db, now) = (state.db(), state.now());
    let mut tx = db.begin().await?;
    if let Some(old) = request_headers
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(session::token_from_cookies)
    {
        session::end_token(&mut tx, old).await?;
    }
    let created = session::create(&mut tx, site.id, user.id, now, user_agent).await?;
    audit::record(
        &mut tx,
        audit::Record {
            site_id: site.id,
            user_id: Some(user.id),
            action: audit::Action::Login,
            target: &user.username,
            detail,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        HeaderValue::from_str(&session::cookie(&created.token, state.https(site)))
            .map_err(anyhow::Error::from)?,
    );
    headers.insert(
        LOCATION,
        HeaderValue::from_str(safe_next(Some(next))).map_err(anyhow::Error::from)?,
    );
    Ok((StatusCode::SEE_OTHER, headers).into_response())
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    layout: Layout,
    error: String,
}

fn code_page(site: &Site, error: &str) -> Result<Html<String>, AppError> {
    let page = CodePage {
        layout: Layout::new(site, "Xác thực hai bước", ""),
        error: error.to_owned(),
    };
    Ok(Html(page.render()?))
}

fn challenge_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == two_factor::CHALLENGE_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// `GET /dang-nhap/ma-xac-thuc`: the code form (only with a challenge).
pub async fn code_form(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let live = match challenge_of(&headers) {
        Some(t) => two_factor::find_challenge(state.db(), site.id, &t, state.now()).await?,
        None => None,
    };
    if live.is_none() {
        return Ok(Redirect::to("/dang-nhap").into_response());
    }
    Ok(code_page(&site, "")?.into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /dang-nhap/ma-xac-thuc`: the code (or a recovery code), with a
/// throttle of its own: [`throttle::PAIR_LIMIT`] wrong codes lock the
/// account's second step for a while.
pub async fn code(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    VForm(form): VForm<CodeForm>,
) -> Result<Response, AppError> {
    let (db, now) = (state.db(), state.now());
    let token = challenge_of(&headers).unwrap_or_default();
    let Some(challenge) = two_factor::find_challenge(db, site.id, &token, now).await? else {
        let page = login_page(
            &site,
            "",
            "/admin",
            "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.",
        )?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    let Some(u) = user::find(db, site.id, challenge.user_id)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(Redirect::to("/dang-nhap").into_response());
    };
    let keys = throttle::Keys::second_step(u.id);
    if let throttle::Verdict::Locked(until) = throttle::attempt(db, site.id, &keys, now).await? {
        let page = code_page(&site, &locked_message(until, now))?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let code: String = form.code.chars().take(64).collect();
    if !two_factor::check(db, &u, &code, now).await? {
        audit::record_alone(
            db,
            audit::Record {
                site_id: site.id,
                user_id: Some(u.id),
                action: audit::Action::LoginFailed,
                target: &u.username,
                detail: "mã xác thực sai",
            },
            now,
        )
        .await?;
        let page = code_page(
            &site,
            "Mã không đúng hoặc đã dùng. Hãy nhập mã đang hiện trong ứng dụng xác thực, hoặc một mã khôi phục.",
        )?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    let mut tx = db.begin().await?;
    two_factor::end_challenge(&mut tx, &token).await?;
    throttle::succeeded(&mut tx, site.id, &keys).await?;
    tx.commit().await?;
    let mut response = open_session(
        &state,
        &site,
        &u,
        &challenge.next_path,
        &challenge.user_agent,
        &headers,
        "hai bước",
    )
    .await?;
    if let Ok(v) = HeaderValue::from_str(&two_factor::challenge_cookie("", state.https(&site))) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
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
            "/admin\r\nSet-Cookie: x=1",
            "/admin/\u{1}",
            "/admin/\\evil",
            "/admin/tin tức",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad}");
        }
        assert_eq!(
            urlencode("/admin/articles?trang=2"),
            "%2Fadmin%2Farticles%3Ftrang%3D2"
        );
    }
}
