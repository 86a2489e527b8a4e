//! `/media/{file}`: uploaded images, under their generated names only, of
//! the request's site only, cached for a year (a name never changes
//! content).

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::content::media::is_media_file_name;
use crate::web::error::AppError;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

pub async fn serve(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    if !is_media_file_name(&file)
        || state.media_owners().site_of(state.db(), &file).await? != Some(site.id)
    {
        return Err(AppError::NotFound);
    }
    let content_type = match file.rsplit_once('.').map(|(_, e)| e) {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        _ => "image/webp",
    };
    let bytes = match tokio::fs::read(state.settings().media_dir.join(&file)).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NotFound),
        Err(e) => return Err(anyhow::Error::from(e).into()),
    };
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response())
}
