//! The one stylesheet, compiled into the binary and cached for a year: its
//! URL carries a hash of its content, so a new version is a new URL.

use std::sync::LazyLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};

pub const STYLESHEET_PATH: &str = "/static/style.css";
const STYLESHEET: &str = include_str!("../../static/style.css");

/// `/static/style.css?v=<hash>`, for templates.
pub fn stylesheet_href() -> &'static str {
    static HREF: LazyLock<String> = LazyLock::new(|| {
        let digest = Sha256::digest(STYLESHEET.as_bytes());
        let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        format!("{STYLESHEET_PATH}?v={hash}")
    });
    &HREF
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
}
