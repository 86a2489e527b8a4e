//! `/admin/hoi-dap`: readers' questions — the queue by status, a
//! question's page (assign it, write the answer, publish, refuse, take
//! down) and its attachment. The asker's contact details are shown to
//! editors, admins and the colleague it is assigned to.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery, date};
use crate::accounts::user;
use crate::content::question::{self, Actor, Edit, Mailing, Outcome, Status, Step, attachment};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

const PER_PAGE: i64 = 50;

struct Row {
    id: i64,
    code: String,
    at: String,
    title: String,
    field: String,
    assignee: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/questions.html")]
struct QueuePage {
    layout: AdminLayout,
    /// (code, label, count, current)
    tabs: Vec<(&'static str, &'static str, i64, bool)>,
    all_current: bool,
    rows: Vec<Row>,
    page: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    sends_mail: bool,
}

pub async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let q = query
        .map_err(|_| AppError::BadRequest("Địa chỉ không hợp lệ.".into()))?
        .0;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| AppError::BadRequest("Tình trạng không hợp lệ.".into()))?,
        ),
    };
    let page: i64 = match q.trang.as_deref().filter(|s| !s.is_empty()) {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| AppError::BadRequest("Số trang không hợp lệ.".into()))?,
    };
    let db = state.db();
    let counts = question::counts(db, staff.site.id).await?;
    let rows = question::queue(
        db,
        staff.site.id,
        status,
        PER_PAGE + 1,
        (page - 1) * PER_PAGE,
    )
    .await?;
    let more = rows.len() as i64 > PER_PAGE;
    let href = |p: i64| {
        let s = status.map_or(String::new(), |s| format!("trang-thai={}&", s.as_str()));
        format!("/admin/hoi-dap?{s}trang={p}")
    };
    let view = QueuePage {
        layout: AdminLayout::new(&staff, "questions", "Hỏi đáp").notice(q.notice.as_deref()),
        tabs: counts
            .into_iter()
            .map(|(s, n)| (s.as_str(), s.label(), n, Some(s) == status))
            .collect(),
        all_current: status.is_none(),
        rows: rows
            .into_iter()
            .take(PER_PAGE as usize)
            .map(|r| Row {
                id: r.id,
                code: question::show_code(&r.code),
                at: date(r.created_at),
                title: r.title,
                field: r.field_name.unwrap_or_default(),
                assignee: r.assignee_name.unwrap_or_default(),
                status: r.status.label(),
            })
            .collect(),
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: more.then(|| href(page + 1)),
        page,
        sends_mail: state.sends_mail(),
    };
    Ok(Html(view.render()?))
}

#[derive(Template)]
#[template(path = "admin/question.html")]
struct QuestionPage {
    layout: AdminLayout,
    q: question::Question,
    code: String,
    status: &'static str,
    asked: String,
    answered: String,
    removed: String,
    /// Contact details and attachment: editors, admins, the assignee.
    sees_contact: bool,
    can_review: bool,
    may_answer: bool,
    published: bool,
    refused: bool,
    /// (id, name, chosen)
    colleagues: Vec<(i64, String, bool)>,
    /// The form as sent, after a refusal.
    title: String,
    body: String,
    answer: String,
    error: String,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    q: question::Question,
    typed: Option<&Edit>,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let can_review = staff.role().can_review();
    let assigned_to_me = q.assigned_to == Some(staff.user.id);
    let colleagues = user::list(state.db(), staff.site.id)
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| (u.id, u.display_name, Some(u.id) == q.assigned_to))
        .collect();
    let (title, body, answer) = match typed {
        Some(e) => (e.title.clone(), e.body.clone(), e.answer.clone()),
        None => (q.title.clone(), q.body.clone(), q.answer.clone()),
    };
    let view = QuestionPage {
        layout: AdminLayout::new(staff, "questions", &q.title).notice(notice),
        code: question::show_code(&q.code),
        status: q.status.label(),
        asked: date(q.created_at),
        answered: q.answered_at.map(date).unwrap_or_default(),
        removed: q.contact_removed_at.map(date).unwrap_or_default(),
        sees_contact: can_review || assigned_to_me,
        may_answer: q.status != Status::Refused
            && (can_review || (assigned_to_me && q.status != Status::Published)),
        can_review,
        published: q.status == Status::Published,
        refused: q.status == Status::Refused,
        colleagues,
        title,
        body,
        answer,
        error: error.to_owned(),
        q,
    };
    Ok(Html(view.render()?))
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let notice = query.ok().and_then(|q| q.0.notice);
    let q = question::find(state.db(), staff.site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    page(&state, &staff, q, None, "", notice.as_deref()).await
}

fn actor(staff: &Staff) -> Actor {
    Actor {
        user_id: staff.user.id,
        role: staff.role(),
    }
}

fn version_of(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Thiếu phiên bản của câu hỏi: hãy tải lại trang.".into()))
}

/// What an outcome becomes: back to the question with a notice, or an error.
async fn settle(
    state: &AppState,
    staff: &Staff,
    id: i64,
    outcome: Outcome,
    typed: Option<&Edit>,
    notice: &str,
) -> Result<Response, AppError> {
    match outcome {
        Outcome::Done => {
            state.mail_queued();
            Ok(Redirect::to(&format!("/admin/hoi-dap/{id}?thong-bao={notice}")).into_response())
        }
        Outcome::NotFound => Err(AppError::NotFound),
        Outcome::Forbidden(m) => Err(AppError::Forbidden(m.into())),
        Outcome::Conflict | Outcome::Invalid(_) => {
            let (status, message) = match outcome {
                Outcome::Invalid(m) => (StatusCode::BAD_REQUEST, m),
                _ => (
                    StatusCode::CONFLICT,
                    "Câu hỏi vừa được người khác thay đổi. Nội dung bạn gửi vẫn ở dưới; hãy xem lại trước khi lưu lần nữa.".to_owned(),
                ),
            };
            let q = question::find(state.db(), staff.site.id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let html = page(state, staff, q, typed, &message, None).await?;
            Ok((status, html).into_response())
        }
    }
}

fn mailing<'a>(state: &AppState, staff: &'a Staff, base: &'a str) -> Option<Mailing<'a>> {
    state.sends_mail().then_some(Mailing {
        base_url: base,
        site_name: &staff.site.name,
    })
}

fn base_of(state: &AppState, staff: &Staff, headers: &axum::http::HeaderMap) -> String {
    crate::web::public::feeds::base_url(state, &staff.site, headers)
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "nguoi-nhan")]
    assignee: String,
    #[serde(default, rename = "phien-ban")]
    version: String,
}

/// `POST /admin/hoi-dap/{id}/giao`.
pub async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    VForm(form): VForm<AssignForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    let assignee = match form.assignee.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::BadRequest("Cán bộ không hợp lệ.".into()))?,
        ),
    };
    let base = base_of(&state, &staff, &headers);
    let outcome = question::assign(
        state.db(),
        staff.site.id,
        &actor(&staff),
        id,
        assignee,
        version,
        mailing(&state, &staff, &base),
        state.now(),
    )
    .await?;
    settle(&state, &staff, id, outcome, None, "da-luu").await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "tieu-de")]
    title: String,
    #[serde(default, rename = "cau-hoi")]
    body: String,
    #[serde(default, rename = "tra-loi")]
    answer: String,
    #[serde(default, rename = "phien-ban")]
    version: String,
    /// `luu` or `dang`.
    #[serde(default, rename = "thao-tac")]
    action: String,
}

/// `POST /admin/hoi-dap/{id}`: the answer saved, and published if asked.
pub async fn answer(
    State(state): State<AppState>,
    staff: Staff,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    VForm(form): VForm<AnswerForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    let step = match form.action.as_str() {
        "luu" | "" => Step::Save,
        "dang" => Step::Publish,
        _ => return Err(AppError::BadRequest("Thao tác không hợp lệ.".into())),
    };
    let edit = Edit {
        title: form.title,
        body: form.body,
        answer: form.answer,
    };
    let base = base_of(&state, &staff, &headers);
    let outcome = question::answer(
        state.db(),
        staff.site.id,
        &actor(&staff),
        id,
        &edit,
        step,
        version,
        staff.site.tone_style(),
        mailing(&state, &staff, &base),
        state.now(),
    )
    .await?;
    let notice = if step == Step::Publish {
        "da-dang-hoi-dap"
    } else {
        "da-luu"
    };
    settle(&state, &staff, id, outcome, Some(&edit), notice).await
}

#[derive(Deserialize)]
pub struct RefuseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "ly-do")]
    reason: String,
    #[serde(default, rename = "phien-ban")]
    version: String,
}

/// `POST /admin/hoi-dap/{id}/tu-choi`.
pub async fn refuse(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<RefuseForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    let outcome = question::refuse(
        state.db(),
        staff.site.id,
        &actor(&staff),
        id,
        &form.reason,
        version,
        state.now(),
    )
    .await?;
    settle(&state, &staff, id, outcome, None, "da-luu").await
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "phien-ban")]
    version: String,
}

/// `POST /admin/hoi-dap/{id}/go`: taken off the site.
pub async fn unpublish(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<VersionForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    let outcome = question::unpublish(
        state.db(),
        staff.site.id,
        &actor(&staff),
        id,
        version,
        state.now(),
    )
    .await?;
    settle(&state, &staff, id, outcome, None, "da-go-bai").await
}

/// `GET /admin/hoi-dap/{id}/tep`: the attachment, for those who may see it.
pub async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let q = question::find(state.db(), staff.site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    staff.require(staff.role().can_review() || q.assigned_to == Some(staff.user.id))?;
    let f = attachment::find(state.db(), staff.site.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = format!("cau-hoi-{id}.{}", f.ext);
    Ok((
        [
            (CONTENT_TYPE, f.mime().to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        f.data,
    )
        .into_response())
}
