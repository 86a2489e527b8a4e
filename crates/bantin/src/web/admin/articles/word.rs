//! `POST /admin/articles/nhap-word`: a Word file (.docx) made into a new
//! draft — its title, text, lists and tables (`content::docx`), and its
//! images through the same pipeline as uploads. A file that is not one,
//! damaged or password-protected is refused and nothing is stored.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::editor::{self, Shown};
use crate::content::article::Kind;
use crate::content::docx;
use crate::content::editorial::{self, Input};
use crate::content::media::{self, Upload};
use crate::content::pasted::missing_image_note;
use crate::content::workflow::Action;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::read_multipart;
use crate::web::state::AppState;

/// The new-article editor again, with why the file was refused.
async fn refused(state: &AppState, staff: &Staff, error: String) -> Result<Response, AppError> {
    let shown = Shown {
        article: None,
        input: editor::new_input(state, staff).await?,
        error,
        version: 0,
    };
    let page = editor::page(state, staff, shown).await?;
    Ok((
        StatusCode::BAD_REQUEST,
        axum::response::Html(askama::Template::render(&page)?),
    )
        .into_response())
}

pub async fn import(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let multipart =
        multipart.map_err(|_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into()))?;
    let mut form = read_multipart(multipart).await?;
    staff.check_csrf(form.text("csrf"))?;
    let Some((_, name, bytes)) = form.file.take() else {
        return refused(&state, &staff, "Hãy chọn một tệp Word (.docx).".into()).await;
    };
    if !state.upload_quota().take(staff.user.id) {
        return Err(super::super::media::too_many_uploads());
    }
    let max = state.settings().max_document_bytes;
    let file_name = name.clone();
    let converted = tokio::task::spawn_blocking(move || docx::convert(&file_name, &bytes, max))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("docx: {e}")))?;
    let converted = match converted {
        Ok(c) => c,
        Err(refusal) => return refused(&state, &staff, refusal.to_string()).await,
    };
    // Each image decoded and re-encoded as an upload; one that is not an
    // image bantin takes (a drawing in EMF, say) leaves a note instead.
    let library = state.library();
    let mut html = converted.html;
    let mut images = Vec::new();
    for image in converted.images {
        let upload = Upload {
            file_name: image.file_name.clone(),
            bytes: image.bytes,
        };
        match media::check(upload, library.max_bytes).await {
            Ok(checked) => images.push((image.number, checked)),
            Err(_) => {
                let at = format!("src=\"{}{}\"", docx::PLACEHOLDER, image.number);
                if let Some(start) = html.find(&at).and_then(|i| html[..i].rfind("<img")) {
                    let end = html[start..]
                        .find('>')
                        .map_or(html.len(), |e| start + e + 1);
                    html.replace_range(
                        start..end,
                        &crate::content::html::escape(&missing_image_note(&image.file_name)),
                    );
                }
            }
        }
    }
    let input = Input {
        title: converted.title,
        body: html,
        kind: Kind::News,
        ..editor::new_input(&state, &staff).await?
    };
    let site = staff.site.clone();
    let desk = editor::desk(&state, &staff, &site);
    let mut prepared = match desk.prepare(&input, None).await {
        Ok(p) => p,
        Err(editorial::Error::Invalid(e)) => return refused(&state, &staff, e).await,
        Err(e) => return Err(e.into()),
    };
    prepared.body_images = images;
    let id = desk.create(prepared, Action::Edit, &input).await?;
    Ok(Redirect::to(&format!("/admin/articles/{id}?thong-bao=da-nhap-word")).into_response())
}
