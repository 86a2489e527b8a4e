//! `/admin/van-ban`: the site's documents (each opened in the article
//! editor, which shows their register entry and files), their files, the
//! lists of types, bodies and fields (admins), and the comments readers
//! sent on drafts (editors and admins).

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::articles::editor::desk;
use super::articles::status_label;
use super::{AdminLayout, ListQuery, date};
use crate::content::document::files::{self, StoreError};
use crate::content::document::terms::{self, List, Term};
use crate::content::document::{self, comments, format_date};
use crate::content::workflow::Action;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::{VForm, read_multipart};
use crate::web::params;
use crate::web::state::AppState;

const PAGE_SIZE: i64 = 30;

pub struct Row {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub issued_on: String,
    pub status: String,
    pub files: i64,
    pub new_comments: i64,
}

#[derive(Template)]
#[template(path = "admin/documents.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<Row>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// `GET /admin/van-ban`.
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let raw = q.trang.as_deref().map(|t| format!("trang={t}"));
    let page = i64::from(params::page(raw.as_deref())?);
    let author = (!staff.role().can_review()).then_some(staff.user.id);
    let now = state.now();
    let (total, list) = document::admin_list(
        state.db(),
        staff.site.id,
        author,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let href = |n: i64| format!("/admin/van-ban?trang={n}");
    let view = ListPage {
        layout: AdminLayout::new(&staff, "documents", "Văn bản").notice(q.notice.as_deref()),
        rows: list
            .into_iter()
            .map(|r| Row {
                id: r.id,
                number: r.number,
                title: r.title,
                issued_on: format_date(r.issued_on),
                status: status_label(r.status, r.published_at, now),
                files: r.files,
                new_comments: r.new_comments,
            })
            .collect(),
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        page,
        pages,
    };
    Ok(Html(view.render()?))
}

/// The document `id`, if the staff member may change it.
async fn editable(state: &AppState, staff: &Staff, id: i64) -> Result<(), AppError> {
    let site = staff.site.clone();
    let desk = desk(state, staff, &site);
    let a = desk.load(id).await?;
    if a.kind != crate::content::article::Kind::Document {
        return Err(AppError::NotFound);
    }
    staff.require(desk.allowed(Some(&a), Action::Edit))
}

/// `POST /admin/van-ban/{id}/tep`: a file attached (checked by its
/// content; nothing is stored when it is refused).
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let multipart =
        multipart.map_err(|_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into()))?;
    let mut form = read_multipart(multipart).await?;
    staff.check_csrf(form.text("csrf"))?;
    editable(&state, &staff, id).await?;
    let Some((_, name, bytes)) = form.file.take() else {
        return Err(AppError::BadRequest("Hãy chọn một tệp để tải lên.".into()));
    };
    if !state.upload_quota().take(staff.user.id) {
        return Err(super::media::too_many_uploads());
    }
    let settings = state.settings();
    let done = files::attach(
        state.db(),
        settings.files_dir(),
        settings.max_document_bytes,
        staff.site.id,
        id,
        Some(staff.user.id),
        &name,
        bytes,
        state.now(),
    )
    .await;
    match done {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/articles/{id}?thong-bao=da-tai-tep#tep")).into_response(),
        ),
        Err(StoreError::Refused(r)) => Err(AppError::BadRequest(r.to_string())),
        Err(StoreError::Database(e)) => Err(e.into()),
        Err(StoreError::Io(e)) => Err(anyhow::Error::from(e).into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/van-ban/{id}/tep/{file}/xoa`.
pub async fn remove_file(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, file)): Path<(i64, String)>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    editable(&state, &staff, id).await?;
    let removed = files::remove(
        state.db(),
        state.settings().files_dir(),
        staff.site.id,
        id,
        Some(staff.user.id),
        &file,
        state.now(),
    )
    .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/articles/{id}?thong-bao=da-go-tep#tep")).into_response())
}

/// `GET /admin/van-ban/{id}/tep/{file}`: the file as staff see it (before
/// the document is published too).
pub async fn open_file(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let site = staff.site.clone();
    desk(&state, &staff, &site).load(id).await?;
    let found = files::find(state.db(), site.id, &file)
        .await?
        .filter(|f| f.article_id == id)
        .ok_or(AppError::NotFound)?;
    crate::web::public::documents::send(&state, &found, "private, no-store").await
}

pub struct ListView {
    pub code: &'static str,
    pub label: &'static str,
    pub terms: Vec<Term>,
}

#[derive(Template)]
#[template(path = "admin/document_terms.html")]
struct TermsPage {
    layout: AdminLayout,
    lists: Vec<ListView>,
    error: String,
}

async fn terms_page(
    state: &AppState,
    staff: &Staff,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let mut lists = Vec::new();
    for list in List::ALL {
        lists.push(ListView {
            code: list.code(),
            label: list.label(),
            terms: terms::all(state.db(), staff.site.id, list).await?,
        });
    }
    let view = TermsPage {
        layout: AdminLayout::new(staff, "documents", "Danh mục văn bản").notice(notice),
        lists,
        error: error.to_owned(),
    };
    Ok(Html(view.render()?))
}

/// `GET /admin/van-ban/danh-muc` (admins).
pub async fn show_terms(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_administer())?;
    let notice = query.ok().and_then(|q| q.0.notice);
    terms_page(&state, &staff, "", notice.as_deref()).await
}

#[derive(Deserialize)]
pub struct TermForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    position: String,
}

fn list_of(code: &str) -> Result<List, AppError> {
    List::parse(code).ok_or(AppError::NotFound)
}

async fn term_answer(
    state: &AppState,
    staff: &Staff,
    done: Result<(), String>,
) -> Result<Response, AppError> {
    match done {
        Ok(()) => Ok(Redirect::to("/admin/van-ban/danh-muc?thong-bao=da-luu").into_response()),
        Err(e) => Ok((
            StatusCode::BAD_REQUEST,
            terms_page(state, staff, &e, None).await?,
        )
            .into_response()),
    }
}

/// `POST /admin/van-ban/danh-muc/{list}`: a new term.
pub async fn add_term(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    VForm(form): VForm<TermForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let list = list_of(&code)?;
    let done = terms::save(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        list,
        None,
        &form.name,
        &form.position,
        state.now(),
    )
    .await?;
    term_answer(&state, &staff, done).await
}

/// `POST /admin/van-ban/danh-muc/{list}/{id}`: renamed or moved.
pub async fn update_term(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, id)): Path<(String, i64)>,
    VForm(form): VForm<TermForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let list = list_of(&code)?;
    let done = terms::save(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        list,
        Some(id),
        &form.name,
        &form.position,
        state.now(),
    )
    .await?;
    term_answer(&state, &staff, done).await
}

/// `POST /admin/van-ban/danh-muc/{list}/{id}/xoa`: removed, if unused.
pub async fn remove_term(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, id)): Path<(String, i64)>,
    VForm(form): VForm<CsrfForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_administer())?;
    staff.check_csrf(&form.csrf)?;
    let list = list_of(&code)?;
    let done = terms::remove(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        list,
        id,
        state.now(),
    )
    .await?;
    term_answer(&state, &staff, done).await
}

pub struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub number: String,
    pub title: String,
    pub name: String,
    pub contact: String,
    pub body: String,
    pub status: &'static str,
    pub is_new: bool,
    pub shown: bool,
    pub at: String,
}

#[derive(Template)]
#[template(path = "admin/document_comments.html")]
struct CommentsPage {
    layout: AdminLayout,
    comments: Vec<CommentRow>,
}

/// `GET /admin/van-ban/y-kien` (editors and admins).
pub async fn show_comments(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_review())?;
    let notice = query.ok().and_then(|q| q.0.notice);
    let rows = comments::for_staff(state.db(), staff.site.id, 200)
        .await?
        .into_iter()
        .map(|c| CommentRow {
            status: match c.status.as_str() {
                "new" => "Mới",
                "shown" => "Đang hiện",
                _ => "Đã ẩn",
            },
            is_new: c.status == "new",
            shown: c.status == "shown",
            id: c.id,
            article_id: c.article_id,
            number: c.number,
            title: c.title,
            name: c.name,
            contact: c.contact,
            body: c.body,
            at: date(c.created_at),
        })
        .collect();
    let view = CommentsPage {
        layout: AdminLayout::new(&staff, "documents", "Góp ý dự thảo").notice(notice.as_deref()),
        comments: rows,
    };
    Ok(Html(view.render()?))
}

#[derive(Deserialize)]
pub struct ModerateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    hien: String,
}

/// `POST /admin/van-ban/y-kien/{id}`: shown under the draft, or hidden.
pub async fn moderate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    VForm(form): VForm<ModerateForm>,
) -> Result<Response, AppError> {
    staff.require(staff.role().can_review())?;
    staff.check_csrf(&form.csrf)?;
    let show = match form.hien.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::BadRequest("Thao tác không hợp lệ.".into())),
    };
    if !comments::moderate(
        state.db(),
        staff.site.id,
        Some(staff.user.id),
        id,
        show,
        state.now(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/van-ban/y-kien?thong-bao=da-luu").into_response())
}
