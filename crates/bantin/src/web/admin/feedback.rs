//! `/admin/danh-gia` (editors and admins): what readers answered to "Thông
//! tin này có hữu ích với bạn không?" — totals per item and per month over
//! the last year, and the latest comments (seen by staff only).

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::{Datelike, Months};

use super::{AdminLayout, date};
use crate::content::rating::{self, Totals};
use crate::localtime;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::state::AppState;

pub struct Line {
    pub label: String,
    pub href: String,
    pub yes: i64,
    pub no: i64,
    /// "83 %" of answers that said Có.
    pub share: String,
}

fn line(label: String, href: String, t: &Totals) -> Line {
    let total = t.yes + t.no;
    let share = if total == 0 {
        String::new()
    } else {
        format!("{} %", (t.yes * 100 + total / 2) / total)
    };
    Line {
        label,
        href,
        yes: t.yes,
        no: t.no,
        share,
    }
}

pub struct CommentRow {
    pub title: String,
    pub useful: bool,
    pub comment: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "admin/ratings.html")]
struct RatingsPage {
    layout: AdminLayout,
    since: String,
    items: Vec<Line>,
    months: Vec<Line>,
    comments: Vec<CommentRow>,
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, AppError> {
    staff.require(staff.role().can_review())?;
    let (db, site_id) = (state.db(), staff.site.id);
    let today = state
        .now()
        .with_timezone(&localtime::vietnam())
        .date_naive();
    // The first day of the month eleven months ago: twelve months shown.
    let since = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(11)))
        .unwrap_or(today);
    let report = rating::report(db, site_id, since).await?;
    let items = report
        .items
        .iter()
        .map(|(title, path, t)| line(title.clone(), path.clone(), t))
        .collect();
    let months = report
        .months
        .iter()
        .map(|(month, t)| {
            // `2026-12` as `12/2026`.
            let label = month
                .split_once('-')
                .map_or(month.clone(), |(y, m)| format!("{m}/{y}"));
            line(label, String::new(), t)
        })
        .collect();
    let comments = rating::comments(db, site_id, 100)
        .await?
        .into_iter()
        .map(|c| CommentRow {
            title: c.title,
            useful: c.useful,
            comment: c.comment,
            at: date(c.created_at),
        })
        .collect();
    let view = RatingsPage {
        layout: AdminLayout::new(&staff, "ratings", "Đánh giá của bạn đọc"),
        since: since.format("%d/%m/%Y").to_string(),
        items,
        months,
        comments,
    };
    Ok(Html(view.render()?))
}
