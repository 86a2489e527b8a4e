//! Articles under `/admin/articles`: the list, the editor (new, edit,
//! preview), workflow actions, revisions. Authors write and submit their
//! own drafts; editors and admins review, publish, return, unpublish.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::{AdminLayout, ListQuery, date};
use crate::app::AppState;
use crate::audit;
use crate::content::article::{self, AdminListed, Change, Content, Editable, NewArticle, Status};
use crate::content::category::{self, Category};
use crate::content::import::public_path;
use crate::content::workflow::{self, Action};
use crate::content::{media, revision, sanitize, text};
use crate::localtime;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::{MultipartForm, VForm, read_multipart};
use crate::web::params;
use crate::web::public::article::{ArticleView, render_article};

const PAGE_SIZE: i64 = 20;
const MAX_TITLE: usize = 300;
const MAX_SUMMARY: usize = 600;
const MAX_BYLINE: usize = 120;

/// An article in an admin table.
pub struct Row {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub category: String,
    pub author: String,
    pub updated: String,
    pub is_public: bool,
    pub public_href: String,
}

fn status_label(status: Status, published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match published_at {
        Some(at) if status == Status::Published && at > now => format!("Hẹn giờ {}", date(at)),
        _ => status.label().to_owned(),
    }
}

pub fn rows(list: Vec<AdminListed>, now: DateTime<Utc>) -> Vec<Row> {
    list.into_iter()
        .map(|a| {
            let status = Status::parse(&a.status).unwrap_or(Status::Draft);
            Row {
                id: a.id,
                status_label: status_label(status, a.published_at, now),
                is_public: status == Status::Published && a.published_at.is_some_and(|p| p <= now),
                public_href: public_path(&a.slug),
                status: a.status,
                title: a.title,
                category: a.category_name.unwrap_or_default(),
                author: a.author_name.unwrap_or_else(|| "(nhập từ tệp)".into()),
                updated: date(a.updated_at),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/articles.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<Row>,
    filters: Vec<(&'static str, &'static str, bool)>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| AppError::BadRequest("Trạng thái không hợp lệ.".into()))?,
        ),
    };
    let raw_page = q.trang.as_deref().map(|t| format!("trang={t}"));
    let page = i64::from(params::page(raw_page.as_deref())?);
    // Authors see their own articles; reviewers see all.
    let author = (!staff.role().can_review()).then_some(staff.user.id);
    let (db, site) = (state.db(), state.site());
    let total = article::count_admin(db, site.id, status, author).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let list = article::list_admin(
        db,
        site.id,
        status,
        author,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let filter = status.map_or("", Status::as_str);
    let href = |n: i64| {
        let mut h = format!("/admin/articles?trang={n}");
        if !filter.is_empty() {
            h.push_str("&trang-thai=");
            h.push_str(filter);
        }
        h
    };
    let mut filters = vec![("", "Tất cả", status.is_none())];
    filters.extend(
        Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), Some(*s) == status)),
    );
    let view = ListPage {
        layout: AdminLayout::new(&state, &staff, "articles", "Bài viết")
            .notice(q.notice.as_deref()),
        rows: rows(list, state.now()),
        filters,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    };
    Ok(Html(view.render()?))
}

struct LintRow {
    message: &'static str,
    excerpt: String,
    suggestion: String,
}

struct RevisionRow {
    id: i64,
    version: i64,
    date: String,
    user: String,
}

struct ImageOption {
    url: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/article_edit.html")]
struct EditorPage {
    layout: AdminLayout,
    action_href: String,
    is_new: bool,
    version: i64,
    title: String,
    summary: String,
    body: String,
    byline: String,
    categories: Vec<(i64, String, bool)>,
    images: Vec<ImageOption>,
    featured_image: String,
    publish_at: String,
    status_label: String,
    review_comment: String,
    author_name: String,
    public_href: Option<String>,
    can_edit: bool,
    can_submit: bool,
    can_publish: bool,
    can_return: bool,
    can_unpublish: bool,
    error: String,
    lint: Vec<LintRow>,
    revisions: Vec<RevisionRow>,
    article_id: i64,
    max_upload_mb: u64,
}

/// What the form holds, as typed.
#[derive(Clone, Default)]
struct Typed {
    title: String,
    summary: String,
    body: String,
    byline: String,
    category_id: Option<i64>,
    featured_image: String,
    publish_at: String,
    review_comment: String,
}

impl Typed {
    fn from_form(form: &MultipartForm) -> Typed {
        Typed {
            title: form.text("title").to_owned(),
            summary: form.text("summary").to_owned(),
            body: form.text("body").to_owned(),
            byline: form.text("byline").to_owned(),
            category_id: form.text("category").parse().ok(),
            featured_image: form.text("featured_image").to_owned(),
            publish_at: form.text("publish_at").to_owned(),
            review_comment: form.text("review_comment").to_owned(),
        }
    }

    fn from_article(a: &Editable) -> Typed {
        Typed {
            title: a.title.clone(),
            summary: a.summary.clone(),
            body: a.body.clone(),
            byline: a.byline.clone(),
            category_id: a.category_id,
            featured_image: a.featured_image.clone(),
            publish_at: a.published_at.map(datetime_local).unwrap_or_default(),
            review_comment: a.review_comment.clone(),
        }
    }
}

/// `2026-12-01T08:00` in Vietnamese time, for `<input type="datetime-local">`.
fn datetime_local(at: DateTime<Utc>) -> String {
    at.with_timezone(&localtime::vietnam())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn parse_datetime_local(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    localtime::vietnam()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn lint_rows(typed: &Typed) -> Vec<LintRow> {
    let mut out = Vec::new();
    for text in [
        typed.title.as_str(),
        typed.summary.as_str(),
        &sanitize::plain_text(&typed.body),
    ] {
        for issue in vntext::lint(text) {
            let start = text[..issue.range.start]
                .char_indices()
                .rev()
                .nth(15)
                .map_or(0, |(i, _)| i);
            let end = text[issue.range.end..]
                .char_indices()
                .nth(15)
                .map_or(text.len(), |(i, _)| issue.range.end + i);
            out.push(LintRow {
                message: issue.kind.message(),
                excerpt: format!("…{}…", &text[start..end]),
                suggestion: if issue.suggestion.trim().is_empty() {
                    "(xoá)".into()
                } else {
                    issue.suggestion
                },
            });
        }
    }
    out.truncate(50);
    out
}

struct EditorContext<'a> {
    article: Option<&'a Editable>,
    typed: Typed,
    error: String,
    version: i64,
}

async fn editor_page(
    state: &AppState,
    staff: &Staff,
    ctx: EditorContext<'_>,
) -> Result<EditorPage, AppError> {
    let (db, site, now) = (state.db(), state.site(), state.now());
    let role = staff.role();
    let categories = category::list(db, site.id).await?;
    let images = media::list(db, site.id, 60).await?;
    let typed = ctx.typed;
    let (status, is_author) = match ctx.article {
        Some(a) => (a.status(), a.author_id == Some(staff.user.id)),
        None => (Status::Draft, true),
    };
    let can = |action| workflow::allowed(role, is_author, status, action);
    let revisions = match ctx.article {
        Some(a) => revision::list(db, a.id).await?,
        None => Vec::new(),
    };
    let title = match ctx.article {
        Some(a) => format!("Sửa: {}", a.title),
        None => "Viết bài mới".to_owned(),
    };
    let mut images: Vec<ImageOption> = images
        .into_iter()
        .map(|i| ImageOption {
            selected: i.url() == typed.featured_image,
            label: format!("{} ({}×{})", i.original, i.width, i.height),
            url: i.url(),
        })
        .collect();
    if !typed.featured_image.is_empty() && !images.iter().any(|i| i.selected) {
        images.insert(
            0,
            ImageOption {
                url: typed.featured_image.clone(),
                label: "Ảnh hiện tại".into(),
                selected: true,
            },
        );
    }
    Ok(EditorPage {
        layout: AdminLayout::new(state, staff, "articles", &title),
        action_href: ctx.article.map_or("/admin/articles".to_owned(), |a| {
            format!("/admin/articles/{}", a.id)
        }),
        is_new: ctx.article.is_none(),
        version: ctx.version,
        categories: categories
            .into_iter()
            .map(|Category { id, name, .. }| (id, name, Some(id) == typed.category_id))
            .collect(),
        images,
        status_label: ctx.article.map_or("Bài mới".into(), |a| {
            status_label(a.status(), a.published_at, now)
        }),
        author_name: ctx
            .article
            .and_then(|a| a.author_name.clone())
            .unwrap_or_else(|| staff.user.display_name.clone()),
        public_href: ctx
            .article
            .filter(|a| a.status() == Status::Published && a.published_at.is_some_and(|p| p <= now))
            .map(|a| public_path(&a.slug)),
        can_edit: can(Action::Edit),
        can_submit: can(Action::Submit),
        can_publish: can(Action::Publish),
        can_return: can(Action::Return),
        can_unpublish: can(Action::Unpublish),
        error: ctx.error,
        lint: lint_rows(&typed),
        revisions: revisions
            .into_iter()
            .map(|r| RevisionRow {
                id: r.id,
                version: r.version,
                date: date(r.created_at),
                user: r.user_name.unwrap_or_default(),
            })
            .collect(),
        article_id: ctx.article.map_or(0, |a| a.id),
        max_upload_mb: state.settings().max_upload_bytes / (1024 * 1024),
        title: typed.title,
        summary: typed.summary,
        body: typed.body,
        byline: typed.byline,
        featured_image: typed.featured_image,
        publish_at: typed.publish_at,
        review_comment: typed.review_comment,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, AppError> {
    let default_category =
        category::find_by_slug(state.db(), state.site().id, category::DEFAULT_SLUG).await?;
    let typed = Typed {
        category_id: default_category.map(|c| c.id),
        byline: staff.user.display_name.clone(),
        ..Typed::default()
    };
    let page = editor_page(
        &state,
        &staff,
        EditorContext {
            article: None,
            typed,
            error: String::new(),
            version: 0,
        },
    )
    .await?;
    Ok(Html(page.render()?))
}

async fn load(state: &AppState, staff: &Staff, id: i64) -> Result<Editable, AppError> {
    let a = article::find_editable(state.db(), state.site().id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Authors may open only their own articles.
    staff.require(staff.role().can_review() || a.author_id == Some(staff.user.id))?;
    Ok(a)
}

pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let a = load(&state, &staff, id).await?;
    let ctx = EditorContext {
        typed: Typed::from_article(&a),
        article: Some(&a),
        error: String::new(),
        version: a.version,
    };
    let mut page = editor_page(&state, &staff, ctx).await?;
    page.layout = page
        .layout
        .notice(query.as_ref().ok().and_then(|q| q.notice.as_deref()));
    Ok(Html(page.render()?))
}

/// The typed content, cleaned and checked; `Err` is a message for the form.
async fn validated(
    state: &AppState,
    staff: &Staff,
    typed: &Typed,
    upload: Option<(String, Vec<u8>)>,
) -> Result<Result<Content, String>, AppError> {
    let (db, site) = (state.db(), state.site());
    let style = site.tone_style();
    let title = text::clean(&typed.title, style).replace('\n', " ");
    let summary = text::clean(&typed.summary, style).replace('\n', " ");
    let byline = text::clean(&typed.byline, style).replace('\n', " ");
    let body = sanitize::body(&typed.body, style);
    if title.is_empty() {
        return Ok(Err("Bài viết cần có tiêu đề.".into()));
    }
    if title.chars().count() > MAX_TITLE {
        return Ok(Err(format!("Tiêu đề dài quá {MAX_TITLE} ký tự.")));
    }
    if summary.chars().count() > MAX_SUMMARY {
        return Ok(Err(format!("Tóm tắt dài quá {MAX_SUMMARY} ký tự.")));
    }
    if byline.chars().count() > MAX_BYLINE {
        return Ok(Err(format!("Tên tác giả dài quá {MAX_BYLINE} ký tự.")));
    }
    if sanitize::plain_text(&body).is_empty() {
        return Ok(Err("Bài viết cần có nội dung.".into()));
    }
    let category_id = match typed.category_id {
        Some(id) => match category::find(db, site.id, id).await? {
            Some(c) => Some(c.id),
            None => return Ok(Err("Chuyên mục không tồn tại.".into())),
        },
        None => None,
    };
    let featured_image = match upload {
        Some((name, bytes)) => {
            let max = state.settings().max_upload_bytes;
            match media::store(
                db,
                &state.settings().media_dir,
                site.id,
                staff.user.id,
                &name,
                bytes,
                max,
                state.now(),
            )
            .await
            {
                Ok(image) => {
                    audit::record(
                        db,
                        site.id,
                        Some(staff.user.id),
                        "image_upload",
                        &image.url(),
                        &image.original,
                        state.now(),
                    )
                    .await?;
                    image.url()
                }
                Err(media::StoreError::Rejected(r)) => {
                    return Ok(Err(format!("Ảnh đại diện: {r}")));
                }
                Err(e) => return Err(anyhow::anyhow!(e).into()),
            }
        }
        None if typed.featured_image.is_empty() => String::new(),
        None => match media::find_by_url(db, site.id, &typed.featured_image).await? {
            Some(image) => image.url(),
            None => return Ok(Err("Ảnh đại diện không hợp lệ.".into())),
        },
    };
    Ok(Ok(Content {
        title,
        summary,
        body,
        byline,
        category_id,
        featured_image,
    }))
}

fn parse_action(form: &MultipartForm) -> Result<Option<Action>, AppError> {
    match form.text("action") {
        "xem-truoc" => Ok(None),
        other => Action::parse(other)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest("Thao tác không hợp lệ.".into())),
    }
}

fn notice_for(action: Action) -> &'static str {
    match action {
        Action::Edit => "da-luu",
        Action::Submit => "da-gui-duyet",
        Action::Publish => "da-xuat-ban",
        Action::Return => "da-tra-lai",
        Action::Unpublish => "da-go-bai",
    }
}

async fn multipart_form(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<MultipartForm, AppError> {
    let multipart =
        multipart.map_err(|_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into()))?;
    read_multipart(multipart).await
}

async fn preview(
    state: &AppState,
    content: &Content,
    category_name: &str,
) -> Result<Response, AppError> {
    let now = state.now();
    let view = ArticleView {
        title: content.title.clone(),
        summary: content.summary.clone(),
        body: content.body.clone(),
        byline: content.byline.clone(),
        category: category_name.to_owned(),
        published_at: now,
        featured_image: content.featured_image.clone(),
        latest: Vec::new(),
        preview: true,
        base_url: String::new(),
        path: String::new(),
    };
    Ok(render_article(state, view).await?.into_response())
}

async fn category_name(state: &AppState, id: Option<i64>) -> Result<String, AppError> {
    Ok(match id {
        Some(id) => category::find(state.db(), state.site().id, id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// `POST /admin/articles`: a new article (a draft, then perhaps submitted
/// or published at once).
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let mut form = multipart_form(multipart).await?;
    staff.check_csrf(form.text("csrf"))?;
    let action = parse_action(&form)?;
    let typed = Typed::from_form(&form);
    let upload = form.file.take().map(|(_, name, bytes)| (name, bytes));
    let content = match validated(&state, &staff, &typed, upload).await? {
        Ok(c) => c,
        Err(error) => {
            let page = editor_page(
                &state,
                &staff,
                EditorContext {
                    article: None,
                    typed,
                    error,
                    version: 0,
                },
            )
            .await?;
            return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
        }
    };
    let Some(action) = action else {
        return preview(
            &state,
            &content,
            &category_name(&state, content.category_id).await?,
        )
        .await;
    };
    staff.require(workflow::allowed(staff.role(), true, Status::Draft, action))?;
    let (db, site, now) = (state.db(), state.site(), state.now());
    let new = NewArticle {
        site_id: site.id,
        author_id: Some(staff.user.id),
        featured_image: &content.featured_image,
        category_id: content.category_id,
        title: &content.title,
        summary: &content.summary,
        body: &content.body,
        byline: &content.byline,
        status: Status::Draft,
        published_at: None,
        source_hash: None,
    };
    let (id, _) = article::insert(db, &new, &vntext::slugify(&content.title), now)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!("article insert without source hash cannot be a duplicate")
        })?;
    audit::record(
        db,
        site.id,
        Some(staff.user.id),
        "article_create",
        &format!("#{id}"),
        &content.title,
        now,
    )
    .await?;
    if action != Action::Edit {
        let change = status_change(action, &typed, now)?;
        article::apply(db, site.id, id, 1, &change, staff.user.id, now).await?;
        audit::record(
            db,
            site.id,
            Some(staff.user.id),
            action.audit_code(),
            &format!("#{id}"),
            &content.title,
            now,
        )
        .await?;
    }
    Ok(Redirect::to(&format!(
        "/admin/articles/{id}?thong-bao={}",
        notice_for(action)
    ))
    .into_response())
}

/// The status part of a workflow action. Publishing without a time
/// publishes now.
fn status_change(action: Action, typed: &Typed, now: DateTime<Utc>) -> Result<Change, AppError> {
    let mut change = Change {
        status: Some(action.target(Status::Draft)),
        ..Change::default()
    };
    match action {
        Action::Edit => change.status = None,
        Action::Publish => {
            change.published_at = Some(match typed.publish_at.trim() {
                "" => now,
                s => parse_datetime_local(s).ok_or_else(|| {
                    AppError::BadRequest("Thời gian xuất bản không hợp lệ.".into())
                })?,
            });
            change.review_comment = Some(String::new());
        }
        Action::Return => {
            let comment = vntext::normalize(&typed.review_comment);
            if comment.is_empty() {
                return Err(AppError::BadRequest(
                    "Hãy ghi nhận xét khi trả bài cho tác giả.".into(),
                ));
            }
            change.review_comment = Some(comment);
        }
        Action::Submit | Action::Unpublish => {}
    }
    Ok(change)
}

/// `POST /admin/articles/{id}`: save, and/or move through the workflow.
pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let mut form = multipart_form(multipart).await?;
    staff.check_csrf(form.text("csrf"))?;
    let a = load(&state, &staff, id).await?;
    let action = parse_action(&form)?;
    let typed = Typed::from_form(&form);
    let expected: i64 = form
        .text("version")
        .parse()
        .map_err(|_| AppError::BadRequest("Thiếu số phiên bản.".into()))?;
    let (role, is_author) = (staff.role(), a.author_id == Some(staff.user.id));
    let may_edit = workflow::allowed(role, is_author, a.status(), Action::Edit);

    let rerender = |typed: Typed, error: String, version: i64, status: StatusCode| {
        let (state, staff, a) = (&state, &staff, &a);
        async move {
            let page = editor_page(
                state,
                staff,
                EditorContext {
                    article: Some(a),
                    typed,
                    error,
                    version,
                },
            )
            .await?;
            Ok::<Response, AppError>((status, Html(page.render()?)).into_response())
        }
    };

    let upload = form.file.take().map(|(_, name, bytes)| (name, bytes));
    let content = if may_edit {
        match validated(&state, &staff, &typed, upload).await? {
            Ok(c) => Some(c),
            Err(error) => return rerender(typed, error, expected, StatusCode::BAD_REQUEST).await,
        }
    } else {
        None
    };
    let Some(action) = action else {
        let content = match content {
            Some(c) => c,
            None => Content {
                title: a.title.clone(),
                summary: a.summary.clone(),
                body: a.body.clone(),
                byline: a.byline.clone(),
                category_id: a.category_id,
                featured_image: a.featured_image.clone(),
            },
        };
        return preview(
            &state,
            &content,
            &category_name(&state, content.category_id).await?,
        )
        .await;
    };
    staff.require(workflow::allowed(role, is_author, a.status(), action))?;
    let mut change = match status_change(action, &typed, state.now()) {
        Ok(c) => c,
        Err(AppError::BadRequest(message)) => {
            return rerender(typed, message, expected, StatusCode::BAD_REQUEST).await;
        }
        Err(e) => return Err(e),
    };
    change.content = content;
    let (db, site, now) = (state.db(), state.site(), state.now());
    match article::apply(db, site.id, id, expected, &change, staff.user.id, now).await? {
        Some(_) => {
            let code = if action == Action::Publish && change.published_at.is_some_and(|t| t > now)
            {
                "article_schedule"
            } else {
                action.audit_code()
            };
            audit::record(
                db,
                site.id,
                Some(staff.user.id),
                code,
                &format!("#{id}"),
                &a.title,
                now,
            )
            .await?;
            Ok(Redirect::to(&format!(
                "/admin/articles/{id}?thong-bao={}",
                notice_for(action)
            ))
            .into_response())
        }
        None => {
            // Someone saved first: say who and when, keep what was typed.
            let current = load(&state, &staff, id).await?;
            let who = current
                .updated_by_name
                .clone()
                .unwrap_or_else(|| "người khác".into());
            let error = format!(
                "Không lưu được: {who} đã lưu bài này lúc {} trong khi bạn đang sửa. Nội dung bạn vừa nhập vẫn còn dưới đây. \
                 Hãy mở bản hiện tại (trong thẻ khác) để đối chiếu, rồi lưu lại nếu vẫn muốn ghi đè.",
                date(current.updated_at)
            );
            rerender(typed, error, current.version, StatusCode::CONFLICT).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/revision.html")]
struct RevisionPage {
    layout: AdminLayout,
    article_id: i64,
    revision_id: i64,
    version: i64,
    current_version: i64,
    date: String,
    user: String,
    title: String,
    summary: String,
    body: String,
    byline: String,
    can_restore: bool,
}

pub async fn revision(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, rev)): Path<(i64, i64)>,
) -> Result<Html<String>, AppError> {
    let a = load(&state, &staff, id).await?;
    let r = revision::find(state.db(), a.id, rev)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_restore = workflow::allowed(
        staff.role(),
        a.author_id == Some(staff.user.id),
        a.status(),
        Action::Edit,
    );
    let page = RevisionPage {
        layout: AdminLayout::new(
            &state,
            &staff,
            "articles",
            &format!("Phiên bản {} của bài", r.version),
        ),
        article_id: a.id,
        revision_id: r.id,
        version: r.version,
        current_version: a.version,
        date: date(r.created_at),
        user: r.user_name.unwrap_or_default(),
        title: r.title,
        summary: r.summary,
        body: r.body,
        byline: r.byline,
        can_restore,
    };
    Ok(Html(page.render()?))
}

#[derive(serde::Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
}

pub async fn restore(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, rev)): Path<(i64, i64)>,
    VForm(form): VForm<RestoreForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let a = load(&state, &staff, id).await?;
    staff.require(workflow::allowed(
        staff.role(),
        a.author_id == Some(staff.user.id),
        a.status(),
        Action::Edit,
    ))?;
    let r = revision::find(state.db(), a.id, rev)
        .await?
        .ok_or(AppError::NotFound)?;
    let change = Change {
        content: Some(Content {
            title: r.title,
            summary: r.summary,
            body: r.body,
            byline: r.byline,
            category_id: r.category_id,
            featured_image: r.featured_image,
        }),
        ..Change::default()
    };
    let (db, site, now) = (state.db(), state.site(), state.now());
    match article::apply(db, site.id, id, form.version, &change, staff.user.id, now).await? {
        Some(_) => {
            audit::record(
                db,
                site.id,
                Some(staff.user.id),
                "article_restore",
                &format!("#{id}"),
                &format!("phiên bản {}", r.version),
                now,
            )
            .await?;
            Ok(
                Redirect::to(&format!("/admin/articles/{id}?thong-bao=da-khoi-phuc"))
                    .into_response(),
            )
        }
        None => Err(AppError::Conflict(
            "Bài viết vừa được người khác lưu. Hãy mở lại bài rồi khôi phục lần nữa.".into(),
        )),
    }
}
