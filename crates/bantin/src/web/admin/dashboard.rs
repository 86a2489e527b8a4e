//! `/admin`: my drafts, articles waiting for review, recently published.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;

use super::articles::{Row, rows};
use super::{AdminLayout, ListQuery};
use crate::content::article::{self, Status};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::state::AppState;

const PER_SECTION: i64 = 10;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    layout: AdminLayout,
    my_drafts: Vec<Row>,
    pending: Vec<Row>,
    published: Vec<Row>,
    /// The shared table without its selection boxes.
    selectable: bool,
    /// Readers' questions nobody has taken up yet.
    new_questions: i64,
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let (db, site, now) = (state.db(), staff.site.clone(), state.now());
    let mine = Some(staff.user.id);
    // Authors see their own submissions waiting; reviewers see everyone's.
    let pending_of = if staff.role().can_review() {
        None
    } else {
        mine
    };
    let page = Dashboard {
        my_drafts: rows(
            article::list_admin(
                db,
                site.id,
                &article::AdminFilter {
                    status: Some(Status::Draft),
                    author_id: mine,
                    ..Default::default()
                },
                PER_SECTION,
                0,
            )
            .await?,
            now,
        ),
        pending: rows(
            article::list_admin(
                db,
                site.id,
                &article::AdminFilter {
                    status: Some(Status::Pending),
                    author_id: pending_of,
                    ..Default::default()
                },
                PER_SECTION,
                0,
            )
            .await?,
            now,
        ),
        published: rows(
            article::list_published_for(db, site.id, pending_of, now, PER_SECTION).await?,
            now,
        ),
        new_questions: crate::content::question::count_new(db, site.id).await?,
        selectable: false,
        layout: AdminLayout::new(&staff, "dashboard", "Tổng quan")
            .notice(query.as_ref().ok().and_then(|q| q.notice.as_deref())),
    };
    Ok(Html(page.render()?))
}
