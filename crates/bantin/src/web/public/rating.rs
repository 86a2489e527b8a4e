//! `POST /danh-gia`: a reader's answer to "Thông tin này có hữu ích với
//! bạn không?" on an article or a page (see `content::rating`). A plain
//! form: the answer page thanks the reader and links back. One answer per
//! visitor, item and day; a client address flooding it gets 429.

use askama::Template;
use axum::extract::State;
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::content::rating::{self, Outcome};
use crate::stats;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    muc: String,
    #[serde(default, rename = "huu-ich")]
    useful: String,
    #[serde(default, rename = "y-kien")]
    comment: String,
}

#[derive(Template)]
#[template(path = "rating_done.html")]
struct DonePage {
    layout: Layout,
    message: &'static str,
    back: String,
}

pub async fn submit(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    VForm(form): VForm<RatingForm>,
) -> Result<Response, AppError> {
    let bad = || AppError::BadRequest("Hãy chọn Có hoặc Không rồi gửi lại.".into());
    let id: i64 = form.muc.trim().parse().map_err(|_| bad())?;
    let useful = match form.useful.as_str() {
        "co" => true,
        "khong" => false,
        _ => return Err(bad()),
    };
    if form.comment.chars().count() > rating::MAX_COMMENT {
        return Err(AppError::BadRequest(format!(
            "Góp ý dài quá {} ký tự.",
            rating::MAX_COMMENT
        )));
    }
    let Some(ip) = addr else {
        return Err(AppError::BadRequest(
            "Không xác định được người gửi.".into(),
        ));
    };
    if !state.rating_quota().take(ip) {
        return Err(AppError::TooMany(
            "Có quá nhiều đánh giá gửi từ địa chỉ của bạn. Vui lòng thử lại sau.".into(),
        ));
    }
    let ua = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let visit = state.stats().visit(site.id, ip, ua).await?;
    let now = state.now();
    let outcome = rating::submit(
        state.db(),
        site.id,
        id,
        stats::local_day(now),
        &visit.key,
        useful,
        &form.comment,
        now,
    )
    .await?;
    let message = match outcome {
        Outcome::NoSuchItem => return Err(AppError::NotFound),
        Outcome::Recorded => {
            "Cảm ơn bạn đã góp ý. Ý kiến của bạn giúp chúng tôi cung cấp thông tin tốt hơn."
        }
        Outcome::AlreadyToday => "Bạn đã đánh giá thông tin này hôm nay rồi. Cảm ơn bạn.",
    };
    let back = crate::content::article::public_path_of_id(state.db(), site.id, id)
        .await?
        .unwrap_or_else(|| "/".into());
    let page = DonePage {
        layout: Layout::new(&site, "Cảm ơn bạn", "")
            .chrome(&super::chrome(&state, &site).await?, ""),
        message,
        back,
    };
    let status = match outcome {
        Outcome::Recorded => StatusCode::OK,
        _ => StatusCode::CONFLICT,
    };
    Ok((status, Html(page.render()?)).into_response())
}
