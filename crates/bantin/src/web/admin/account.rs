//! `/admin/tai-khoan`: a staff member's own account. Change one's password
//! (the old one required; every other session ends), see and end one's
//! sessions (the device and when it was last used, never a token), and set
//! up, renew or turn off two-factor login.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery, date};
use crate::accounts::{manage, password, session, totp, two_factor};
use crate::audit;
use crate::web::auth::{ACCOUNT_PAGE, Staff};
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

struct SessionRow {
    id_hash: String,
    device: String,
    created: String,
    last_seen: String,
    current: bool,
}

/// Two-factor login, as the page shows it.
enum TwoFactor {
    Off,
    /// Set up begun: the QR code and the secret to type by hand.
    Enrolling {
        qr_svg: String,
        secret: String,
    },
    On {
        codes_left: i64,
    },
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct Page {
    layout: AdminLayout,
    username: String,
    sessions: Vec<SessionRow>,
    two_factor: TwoFactor,
    /// The site's rule makes it required for this account.
    required: bool,
    /// Recovery codes just made, shown this once.
    new_codes: Vec<String>,
    email: String,
    notify_questions: bool,
    /// Editors and admins may hear of new questions.
    handles_questions: bool,
    error: String,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    error: &str,
    new_codes: Vec<String>,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let (db, now) = (state.db(), state.now());
    let sessions = session::list_for_user(db, staff.user.id, now).await?;
    let (email, notify_questions) = crate::accounts::user::mail_settings(db, staff.user.id).await?;
    let two_factor = if staff.user.totp_secret.is_some() {
        TwoFactor::On {
            codes_left: two_factor::recovery_codes_left(db, staff.user.id).await?,
        }
    } else {
        match two_factor::pending(db, staff.user.id).await? {
            Some(secret) => TwoFactor::Enrolling {
                qr_svg: totp::qr_svg(&totp::uri(&secret, &staff.site.name, &staff.user.username)),
                secret: secret
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            None => TwoFactor::Off,
        }
    };
    let view = Page {
        layout: AdminLayout::new(staff, "account", "Tài khoản của tôi").notice(notice),
        username: staff.user.username.clone(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                current: s.id_hash == staff.session.id_hash,
                device: if s.user_agent.is_empty() {
                    "(không rõ)".into()
                } else {
                    s.user_agent
                },
                created: date(s.created_at),
                last_seen: date(s.last_seen_at),
                id_hash: s.id_hash,
            })
            .collect(),
        two_factor,
        required: staff.site.two_factor().requires(&staff.user),
        new_codes,
        email,
        notify_questions,
        handles_questions: staff.role().can_review(),
        error: error.to_owned(),
    };
    Ok(Html(view.render()?))
}

async fn refuse(state: &AppState, staff: &Staff, error: &str) -> Result<Response, AppError> {
    Ok((
        StatusCode::BAD_REQUEST,
        page(state, staff, error, Vec::new(), None).await?,
    )
        .into_response())
}

fn done(notice: &str) -> Response {
    Redirect::to(&format!("{ACCOUNT_PAGE}?thong-bao={notice}")).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let notice = query.as_ref().ok().and_then(|q| q.notice.clone());
    page(&state, &staff, "", Vec::new(), notice.as_deref()).await
}

#[derive(Deserialize)]
pub struct MailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default, rename = "bao-cau-hoi")]
    notify: Option<String>,
}

/// One's address, and whether to hear of new questions by mail.
pub async fn change_mail(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<MailForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let notify = form.notify.is_some() && staff.role().can_review();
    match crate::accounts::user::set_mail_settings(
        state.db(),
        staff.site.id,
        staff.user.id,
        &form.email,
        notify,
        state.now(),
    )
    .await?
    {
        Ok(()) => Ok(done("da-luu")),
        Err(e) => refuse(&state, &staff, e).await,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

/// A new password, the old one given; the other sessions end.
pub async fn change_password(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<PasswordForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if !password::verify(form.current.clone(), staff.user.password_hash.clone()).await {
        return refuse(&state, &staff, "Mật khẩu hiện tại không đúng.").await;
    }
    if form.new != form.again {
        return refuse(
            &state,
            &staff,
            "Hai lần nhập mật khẩu mới không giống nhau.",
        )
        .await;
    }
    let result = manage::change_own_password(
        state.db(),
        staff.site.id,
        &staff.user,
        &staff.session.id_hash,
        form.new,
        state.now(),
    )
    .await;
    match result {
        Ok(()) => Ok(done("da-doi-mat-khau")),
        Err(manage::Error::Invalid(e)) => refuse(&state, &staff, &e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    session: String,
}

/// Ends one of one's sessions (another device, or this one).
pub async fn end_session(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<EndForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let mut tx = state.db().begin().await?;
    if !session::end_own(&mut tx, staff.user.id, &form.session).await? {
        return Err(AppError::NotFound);
    }
    let entry = audit::Record {
        site_id: staff.site.id,
        user_id: Some(staff.user.id),
        action: audit::Action::SessionEnd,
        target: &staff.user.username,
        detail: "",
    };
    audit::record(&mut tx, entry, state.now()).await?;
    tx.commit().await?;
    if form.session == staff.session.id_hash {
        return Ok(Redirect::to("/dang-nhap").into_response());
    }
    Ok(done("da-ket-thuc-phien"))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Begins setting up two-factor login: a new secret, shown as a QR code.
pub async fn begin_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CsrfOnly>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if staff.user.totp_secret.is_some() {
        return refuse(&state, &staff, "Xác thực hai bước đã được bật.").await;
    }
    two_factor::begin(state.db(), staff.user.id).await?;
    Ok(Redirect::to(&format!("{ACCOUNT_PAGE}#xac-thuc-hai-buoc")).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

/// Confirms the setup with a first code; shows the recovery codes once.
pub async fn confirm_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CodeForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let result = two_factor::confirm(
        state.db(),
        staff.site.id,
        &staff.user,
        &form.code,
        state.now(),
    )
    .await;
    match result {
        Ok(codes) => {
            let mut me = staff;
            me.user.totp_secret = Some(String::new());
            let notice = Some("da-bat-xac-thuc-hai-buoc");
            Ok(page(&state, &me, "", codes, notice).await?.into_response())
        }
        Err(two_factor::Error::Invalid(e)) => refuse(&state, &staff, &e).await,
        Err(two_factor::Error::Database(e)) => Err(e.into()),
    }
}

/// A password and a current code stand for the person, not just the
/// session: needed to turn the protection off or renew its codes.
async fn proves_it(state: &AppState, staff: &Staff, form: &CodeForm) -> Result<bool, AppError> {
    Ok(
        password::verify(form.password.clone(), staff.user.password_hash.clone()).await
            && two_factor::check(state.db(), &staff.user, &form.code, state.now()).await?,
    )
}

pub async fn renew_codes(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CodeForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if !proves_it(&state, &staff, &form).await? {
        return refuse(&state, &staff, "Mật khẩu hoặc mã xác thực không đúng.").await;
    }
    let codes =
        two_factor::renew_recovery_codes(state.db(), staff.site.id, &staff.user, state.now())
            .await?;
    Ok(page(&state, &staff, "", codes, Some("da-tao-ma-khoi-phuc"))
        .await?
        .into_response())
}

pub async fn turn_off_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<CodeForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if staff.site.two_factor().requires(&staff.user) {
        return refuse(
            &state,
            &staff,
            "Trang này bắt buộc tài khoản của bạn dùng xác thực hai bước.",
        )
        .await;
    }
    if !proves_it(&state, &staff, &form).await? {
        return refuse(&state, &staff, "Mật khẩu hoặc mã xác thực không đúng.").await;
    }
    two_factor::turn_off(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        &staff.user,
        state.now(),
    )
    .await?;
    Ok(done("da-tat-xac-thuc-hai-buoc"))
}
