//! `/admin/bao-tri` (admins): planned downtime announced to readers. The
//! banner shows from seven days before the start until the end; a start
//! less than seven working days away is saved with a warning (Decree
//! 224/2026 Art. 13).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery, date};
use crate::content::notice::{self, Typed, WORKING_DAYS};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

pub struct Row {
    pub id: i64,
    pub window: String,
    pub message: String,
    /// "Đang hiện", "Đã qua", "Sắp tới".
    pub state: &'static str,
    pub notice_days: i64,
}

#[derive(Template)]
#[template(path = "admin/notices.html")]
struct NoticesPage {
    layout: AdminLayout,
    rows: Vec<Row>,
    new: Typed,
    error: String,
    working_days: i64,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    new: Typed,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let now = state.now();
    let rows = notice::list(state.db(), staff.site.id)
        .await?
        .into_iter()
        .map(|n| Row {
            id: n.id,
            window: format!("{} → {}", date(n.starts_at), date(n.ends_at)),
            state: if n.ends_at <= now {
                "Đã qua"
            } else if n.starts_at - notice::SHOWN_BEFORE <= now {
                "Đang hiện trên trang"
            } else {
                "Sắp tới"
            },
            notice_days: n.working_days_notice(),
            message: n.message,
        })
        .collect();
    let view = NoticesPage {
        layout: AdminLayout::new(staff, "notices", "Thông báo bảo trì").notice(notice),
        rows,
        new,
        error: error.to_owned(),
        working_days: WORKING_DAYS,
    };
    Ok(Html(view.render()?))
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_administer())?;
    let notice = query.ok().and_then(|q| q.0.notice);
    render(&state, &staff, Typed::default(), "", notice.as_deref()).await
}

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    typed: Typed,
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<NoticeForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let done = notice::schedule(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        &form.typed,
        state.now(),
    )
    .await?;
    match done {
        Ok(false) => Ok(Redirect::to("/admin/bao-tri?thong-bao=da-luu").into_response()),
        Ok(true) => Ok(Redirect::to("/admin/bao-tri?thong-bao=bao-tri-qua-gan").into_response()),
        Err(e) => Ok((
            StatusCode::BAD_REQUEST,
            render(&state, &staff, form.typed, &e, None).await?,
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    if !notice::remove(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        id,
        state.now(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/bao-tri?thong-bao=da-xoa").into_response())
}
