//! `POST /admin/articles` (a new article) and `POST /admin/articles/{id}`:
//! save, preview, and the workflow actions, through `content::editorial`.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::editor::{self, Shown, desk};
use crate::content::article::{Content, Editable, Kind};
use crate::content::category;
use crate::content::editorial::{self, Input, Prepared};
use crate::content::media::Upload;
use crate::content::workflow::Action;
use crate::site::Site;
use crate::web::admin::date;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::{MultipartForm, read_multipart};
use crate::web::public::article::{ArticleView, render_article};
use crate::web::state::AppState;

fn input_of(form: &MultipartForm) -> Input {
    Input {
        title: form.text("title").to_owned(),
        summary: form.text("summary").to_owned(),
        body: form.text("body").to_owned(),
        byline: form.text("byline").to_owned(),
        category_id: form.text("category").parse().ok(),
        featured_image: form.text("featured_image").to_owned(),
        featured_alt: form.text("featured_alt").to_owned(),
        publish_at: form.text("publish_at").to_owned(),
        review_comment: form.text("review_comment").to_owned(),
        kind: match form.text("kind") {
            "page" => Kind::Page,
            "document" => Kind::Document,
            _ => Kind::News,
        },
        parent_id: form.text("parent").parse().ok(),
        position: form.text("position").trim().parse().unwrap_or(0),
        shows: form.text("shows").to_owned(),
        document: crate::content::document::Typed {
            number: form.text("doc_number").to_owned(),
            type_id: form.text("doc_type").to_owned(),
            issuer_id: form.text("doc_issuer").to_owned(),
            field_id: form.text("doc_field").to_owned(),
            signer: form.text("doc_signer").to_owned(),
            issued_on: form.text("doc_issued_on").to_owned(),
            effective_on: form.text("doc_effective_on").to_owned(),
            expires_on: form.text("doc_expires_on").to_owned(),
            comment_until: form.text("doc_comment_until").to_owned(),
            replaces: form.text("doc_replaces").to_owned(),
            amends: form.text("doc_amends").to_owned(),
        },
    }
}

/// The action of the button pressed; `None` for "Xem trước".
fn action_of(form: &MultipartForm) -> Result<Option<Action>, AppError> {
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

async fn read_form(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
    staff: &Staff,
) -> Result<(MultipartForm, Option<Upload>), AppError> {
    let multipart =
        multipart.map_err(|_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into()))?;
    let mut form = read_multipart(multipart).await?;
    staff.check_csrf(form.text("csrf"))?;
    let upload = form
        .file
        .take()
        .map(|(_, file_name, bytes)| Upload { file_name, bytes });
    if upload.is_some() && !state.upload_quota().take(staff.user.id) {
        return Err(super::super::media::too_many_uploads());
    }
    Ok((form, upload))
}

/// The article page as it would look, stored nowhere.
async fn preview(state: &AppState, site: &Site, content: Content) -> Result<Response, AppError> {
    let category = match content.category_id {
        Some(id) => category::find(state.db(), site.id, id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let view = ArticleView {
        title: content.title,
        summary: content.summary,
        body: content.body,
        byline: content.byline,
        category,
        published_at: state.now(),
        featured: crate::content::media::Featured::of(
            state.db(),
            site.id,
            &content.featured_image,
            &content.featured_alt,
        )
        .await?,
        latest: Vec::new(),
        preview: true,
        base_url: String::new(),
        path: String::new(),
        category_href: String::new(),
        article_id: 0,
        chrome: None,
    };
    Ok(render_article(state, site, view).await?.into_response())
}

/// The editor again, with what was typed and why it was not saved.
async fn shown_again(
    state: &AppState,
    staff: &Staff,
    article: Option<&Editable>,
    input: Input,
    error: String,
    version: i64,
    status: StatusCode,
) -> Result<Response, AppError> {
    let shown = Shown {
        article,
        input,
        error,
        version,
    };
    let page = editor::page(state, staff, shown).await?;
    Ok((status, Html(askama::Template::render(&page)?)).into_response())
}

fn saved(id: i64, action: Action) -> Response {
    Redirect::to(&format!(
        "/admin/articles/{id}?thong-bao={}",
        notice_for(action)
    ))
    .into_response()
}

/// `POST /admin/articles`: a new article (a draft, then perhaps submitted
/// or published at once), or its preview.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let (form, upload) = read_form(&state, multipart, &staff).await?;
    let action = action_of(&form)?;
    let input = input_of(&form);
    let site = staff.site.clone();
    let desk = desk(&state, &staff, &site);
    let outcome = match desk.prepare(&input, upload).await {
        Ok(prepared) => match action {
            None => return preview(&state, &site, prepared.preview()).await,
            Some(action) => desk
                .create(prepared, action, &input)
                .await
                .map(|id| (id, action)),
        },
        Err(e) => Err(e),
    };
    match outcome {
        Ok((id, action)) => Ok(saved(id, action)),
        Err(editorial::Error::Invalid(error)) => {
            shown_again(
                &state,
                &staff,
                None,
                input,
                error,
                0,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/articles/{id}`: save, and/or move through the workflow.
pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let (form, upload) = read_form(&state, multipart, &staff).await?;
    let site = staff.site.clone();
    let desk = desk(&state, &staff, &site);
    let a = desk.load(id).await?;
    let action = action_of(&form)?;
    let mut input = input_of(&form);
    // What an item is does not change.
    input.kind = a.kind;
    let expected: i64 = form
        .text("version")
        .parse()
        .map_err(|_| AppError::BadRequest("Thiếu số phiên bản.".into()))?;
    // Content is taken only from those who may edit it.
    let prepared: Result<Option<Prepared>, editorial::Error> =
        if desk.allowed(Some(&a), Action::Edit) {
            desk.prepare(&input, upload).await.map(Some)
        } else {
            Ok(None)
        };
    let outcome = match (prepared, action) {
        (Ok(prepared), None) => {
            let content = prepared.map_or_else(|| a.content(), |p| p.preview());
            return preview(&state, &site, content).await;
        }
        (Ok(prepared), Some(action)) => desk.save(&a, expected, prepared, action, &input).await,
        (Err(e), _) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(saved(id, action.unwrap_or(Action::Edit))),
        Err(editorial::Error::Invalid(error)) => {
            shown_again(
                &state,
                &staff,
                Some(&a),
                input,
                error,
                expected,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(editorial::Error::Conflict(c)) => {
            // Someone saved first: say who and when, keep what was typed.
            let who = c.who.unwrap_or_else(|| "người khác".into());
            let error = format!(
                "Không lưu được: {who} đã lưu bài này lúc {} trong khi bạn đang sửa. Nội dung bạn vừa nhập vẫn còn dưới đây. \
                 Hãy mở bản hiện tại (trong thẻ khác) để đối chiếu, rồi lưu lại nếu vẫn muốn ghi đè.",
                date(c.at)
            );
            let current = desk.load(id).await?;
            shown_again(
                &state,
                &staff,
                Some(&current),
                input,
                error,
                c.version,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct AutosaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    byline: String,
}

/// `POST /admin/articles/{id}/tu-luu`: what the editor is typing, kept
/// as the person's one autosave of the article (the article itself does
/// not change). 204; 429 when sent again within seconds.
pub async fn autosave(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    crate::web::form::VForm(form): crate::web::form::VForm<AutosaveForm>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let site = staff.site.clone();
    let desk = desk(&state, &staff, &site);
    let a = desk.load(id).await?;
    if !desk.allowed(Some(&a), Action::Edit) {
        return Err(AppError::Forbidden("Bạn không được sửa bài này.".into()));
    }
    let typed = crate::content::autosave::Typed {
        based_on: form.version.trim().parse().unwrap_or(a.version),
        title: &form.title,
        summary: &form.summary,
        body: &form.body,
        byline: &form.byline,
    };
    match crate::content::autosave::keep(
        state.db(),
        site.id,
        a.id,
        staff.user.id,
        &typed,
        site.tone_style(),
        state.now(),
    )
    .await?
    {
        crate::content::autosave::Outcome::Saved => Ok(StatusCode::NO_CONTENT.into_response()),
        crate::content::autosave::Outcome::TooSoon => Err(AppError::TooMany(
            "Tự lưu quá dày: hãy đợi vài giây.".into(),
        )),
    }
}
