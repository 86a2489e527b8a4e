//! Form input: urlencoded forms whose rejections are Vietnamese 4xx pages,
//! and multipart forms (with one optional file) read within limits.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use serde::de::DeserializeOwned;

use crate::web::error::AppError;
use crate::web::middleware::input;

/// Like `axum::Form`, but a malformed body is a 400 in Vietnamese.
pub struct VForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for VForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bad = || AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into());
        let urlencoded = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !urlencoded {
            return Err(bad());
        }
        let body = match Bytes::from_request(req, state).await {
            Ok(body) => body,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::TooLarge("Dữ liệu gửi lên quá lớn.".into()));
            }
            Err(_) => return Err(bad()),
        };
        if !input::urlencoded_is_clean(&body) {
            return Err(input::refused());
        }
        serde_urlencoded::from_bytes(&body)
            .map(VForm)
            .map_err(|_| bad())
    }
}

/// A multipart form: text fields, and at most one uploaded file.
#[derive(Default)]
pub struct MultipartForm {
    pub fields: HashMap<String, String>,
    /// (field name, original file name, bytes) of a non-empty file.
    pub file: Option<(String, String, Vec<u8>)>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Longest text field accepted in a multipart form.
const MAX_FIELD_BYTES: usize = 2 * 1024 * 1024;

pub async fn read_multipart(mut multipart: Multipart) -> Result<MultipartForm, AppError> {
    let bad = |_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ hoặc quá lớn.".into());
    let mut form = MultipartForm::default();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() && form.file.is_none() {
                    form.file = Some((name, file_name, bytes.to_vec()));
                }
            }
            None => {
                let bytes = field.bytes().await.map_err(bad)?;
                if bytes.len() > MAX_FIELD_BYTES {
                    return Err(AppError::TooLarge("Nội dung quá dài.".into()));
                }
                if !input::text_is_clean(&bytes) {
                    return Err(input::refused());
                }
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| input::refused())?;
                form.fields.insert(name, text);
            }
        }
    }
    Ok(form)
}
