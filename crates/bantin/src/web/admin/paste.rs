//! `POST /admin/dan`: what the editor is about to paste, cleaned by the
//! same cleaner every save uses (`content::pasted` through
//! `sanitize::body`), so what the author sees after pasting is what will
//! be stored. Images that could not come along are shown as a marked
//! placeholder; on saving it stays as its note.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::content::{pasted, sanitize};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::state::AppState;

/// The most HTML one paste may send.
const MAX_PASTE: usize = 4 * 1024 * 1024;

#[derive(Deserialize)]
pub struct PasteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    html: String,
}

#[derive(Serialize)]
pub struct Cleaned {
    html: String,
    /// Images left out.
    missing: usize,
}

pub async fn clean(
    State(_state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<PasteForm>,
) -> Result<Json<Cleaned>, AppError> {
    staff.check_csrf(&form.csrf)?;
    if form.html.len() > MAX_PASTE {
        return Err(AppError::TooLarge(
            "Nội dung dán vào quá lớn (tối đa 4 MB): hãy dán từng phần.".into(),
        ));
    }
    let style = staff.site.tone_style();
    let html = form.html;
    let (stored, missing) = tokio::task::spawn_blocking(move || {
        let missing = if pasted::is_foreign(&html) {
            pasted::clean(&html).missing_images.len()
        } else {
            0
        };
        (sanitize::body(&html, style), missing)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("paste: {e}")))?;
    Ok(Json(Cleaned {
        html: mark_missing(&stored),
        missing,
    }))
}

/// `[Ảnh chưa được chèn: …]` notes as a visible, non-editable placeholder.
fn mark_missing(html: &str) -> String {
    const NOTE: &str = "[Ảnh chưa được chèn";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(NOTE) {
        let end = rest[at..].find(']').map_or(rest.len(), |e| at + e + 1);
        out.push_str(&rest[..at]);
        out.push_str("<span class=\"missing-image\" contenteditable=\"false\">");
        out.push_str(&rest[at..end]);
        out.push_str("</span>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn notes_become_placeholders() {
        let h = super::mark_missing("<p>a [Ảnh chưa được chèn: “x.jpg” không dán được.] b</p>");
        assert_eq!(
            h,
            "<p>a <span class=\"missing-image\" contenteditable=\"false\">[Ảnh chưa được chèn: “x.jpg” không dán được.]</span> b</p>"
        );
    }
}
