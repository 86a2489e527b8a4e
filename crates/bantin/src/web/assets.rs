//! Static files compiled into the binary: the readers' one stylesheet, the
//! staff stylesheet and the editor's toolbar script. Stylesheet URLs carry a
//! hash of their content, so they are cached for a year.

use std::sync::LazyLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};

pub const STYLESHEET_PATH: &str = "/static/style.css";
pub const ADMIN_STYLESHEET_PATH: &str = "/static/admin.css";
pub const EDITOR_SCRIPT_PATH: &str = "/static/editor.js";
const STYLESHEET: &str = include_str!("../../static/style.css");
const ADMIN_STYLESHEET: &str = include_str!("../../static/admin.css");
const EDITOR_SCRIPT: &str = include_str!("../../static/editor.js");

fn versioned(path: &str, content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{path}?v={hash}")
}

/// `/static/style.css?v=<hash>`, for templates.
pub fn stylesheet_href() -> &'static str {
    static HREF: LazyLock<String> = LazyLock::new(|| versioned(STYLESHEET_PATH, STYLESHEET));
    &HREF
}

/// `/static/admin.css?v=<hash>`, for the staff pages.
pub fn admin_stylesheet_href() -> &'static str {
    static HREF: LazyLock<String> =
        LazyLock::new(|| versioned(ADMIN_STYLESHEET_PATH, ADMIN_STYLESHEET));
    &HREF
}

const CACHED: &str = "public, max-age=31536000, immutable";

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, CACHED),
        ],
        STYLESHEET,
    )
}

pub async fn admin_stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, CACHED),
        ],
        ADMIN_STYLESHEET,
    )
}

/// The editor's toolbar. Not content-hashed in its URL, so cached briefly.
pub async fn editor_script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        EDITOR_SCRIPT,
    )
}
