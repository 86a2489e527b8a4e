//! `GET /admin/articles`: articles, most recently changed first, narrowed
//! by words (folded as the public search folds them), status, category,
//! author and month; `POST /admin/articles/hang-loat`: the ticked ones
//! submitted, published or taken down together, each by the workflow's
//! rules and with its own audit entry.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, TimeZone};

use super::editor::desk;
use super::{Row, rows};
use crate::content::article::{self, AdminFilter, Status};
use crate::content::editorial::{self, Input};
use crate::content::workflow::Action;
use crate::localtime;
use crate::web::admin::AdminLayout;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::params;
use crate::web::state::AppState;

const PAGE_SIZE: i64 = 20;
/// Articles one bulk action may take.
const MAX_BULK: usize = 100;

/// An option of a filter: (value, label, chosen).
type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "admin/articles.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<Row>,
    filters: Vec<(&'static str, &'static str, bool)>,
    q: String,
    status: String,
    categories: Vec<Choice>,
    authors: Vec<Choice>,
    months: Vec<Choice>,
    filtered: bool,
    total: i64,
    selectable: bool,
    /// The list's address as shown, for the bulk form to come back to.
    here: String,
    bulk_result: String,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// What the list was asked, from its query string.
#[derive(Default)]
struct Asked {
    q: String,
    status: Option<Status>,
    category: Option<i64>,
    author: Option<i64>,
    month: Option<(i32, u32)>,
    page: i64,
    notice: Option<String>,
    done: Option<(i64, i64)>,
}

fn parse(raw: Option<&str>) -> Result<Asked, AppError> {
    let bad = |what: &str| AppError::BadRequest(format!("{what} không hợp lệ."));
    let pairs: Vec<(String, String)> = match raw {
        Some(q) => serde_urlencoded::from_str(q).map_err(|_| bad("Địa chỉ"))?,
        None => Vec::new(),
    };
    let last = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let id = |name: &str, what: &str| -> Result<Option<i64>, AppError> {
        last(name)
            .map(|v| v.parse::<i64>().map_err(|_| bad(what)))
            .transpose()
    };
    let month = match last("thang") {
        None => None,
        Some(m) => {
            let (y, mo) = m.split_once('-').ok_or_else(|| bad("Tháng"))?;
            let (y, mo) = (
                y.parse::<i32>().map_err(|_| bad("Tháng"))?,
                mo.parse::<u32>().map_err(|_| bad("Tháng"))?,
            );
            if !(1945..=2200).contains(&y) || !(1..=12).contains(&mo) {
                return Err(bad("Tháng"));
            }
            Some((y, mo))
        }
    };
    let count = |name: &str| last(name).and_then(|v| v.parse::<i64>().ok());
    Ok(Asked {
        q: last("q")
            .map(|v| {
                v.chars()
                    .take(crate::search::query::MAX_QUERY_CHARS)
                    .collect()
            })
            .unwrap_or_default(),
        status: match last("trang-thai") {
            None => None,
            Some(s) => Some(Status::parse(&s).ok_or_else(|| bad("Trạng thái"))?),
        },
        category: id("chuyen-muc", "Chuyên mục")?,
        author: id("tac-gia", "Tác giả")?,
        month,
        page: i64::from(params::page(raw)?),
        notice: last("thong-bao"),
        done: count("xong").map(|n| (n, count("bo-qua").unwrap_or(0))),
    })
}

/// The list's address with these choices, on page `page`.
fn href(a: &Asked, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !a.q.is_empty() {
        pairs.push(("q", a.q.clone()));
    }
    if let Some(s) = a.status {
        pairs.push(("trang-thai", s.as_str().to_owned()));
    }
    if let Some(c) = a.category {
        pairs.push(("chuyen-muc", c.to_string()));
    }
    if let Some(u) = a.author {
        pairs.push(("tac-gia", u.to_string()));
    }
    if let Some((y, m)) = a.month {
        pairs.push(("thang", format!("{y:04}-{m:02}")));
    }
    if page > 1 {
        pairs.push(("trang", page.to_string()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(q) if !q.is_empty() => format!("/admin/articles?{q}"),
        _ => "/admin/articles".to_owned(),
    }
}

/// A month in Vietnam as an instant range.
fn month_range(
    y: i32,
    m: u32,
) -> Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    let at = |d: NaiveDate| {
        localtime::vietnam()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .single()
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    Some((at(first)?, at(next)?))
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let asked = parse(raw.as_deref())?;
    let (db, site) = (state.db(), staff.site.clone());
    let reviewer = staff.role().can_review();
    let query = crate::search::Query::parse(&asked.q);
    let mut words: Vec<String> = Vec::new();
    for w in &query.words {
        if !words.contains(&w.folded) {
            words.push(w.folded.clone());
        }
    }
    let filter = AdminFilter {
        status: asked.status,
        // Authors see their own articles; reviewers see all, or one author's.
        author_id: if reviewer {
            asked.author
        } else {
            Some(staff.user.id)
        },
        category_id: asked.category,
        dated: asked.month.and_then(|(y, m)| month_range(y, m)),
        words,
    };
    let total = article::count_admin(db, site.id, &filter).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if asked.page > pages {
        return Err(AppError::NotFound);
    }
    let list = article::list_admin(
        db,
        site.id,
        &filter,
        PAGE_SIZE,
        (asked.page - 1) * PAGE_SIZE,
    )
    .await?;
    let mut filters = vec![("", "Tất cả", asked.status.is_none())];
    filters.extend(
        Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), Some(*s) == asked.status)),
    );
    let categories = crate::content::category::list(db, site.id)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.name, Some(c.id) == asked.category))
        .collect();
    let authors = if reviewer {
        crate::accounts::user::list(db, site.id)
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u.display_name, Some(u.id) == asked.author))
            .collect()
    } else {
        Vec::new()
    };
    // The last two years, newest first.
    let today = state
        .now()
        .with_timezone(&localtime::vietnam())
        .date_naive();
    let months = (0..24)
        .map(|back| {
            let index = today.year() * 12 + today.month0() as i32 - back;
            let (y, m) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
            (
                format!("{y:04}-{m:02}"),
                format!("Tháng {m:02}/{y}"),
                asked.month == Some((y, m)),
            )
        })
        .collect();
    let filtered = !asked.q.is_empty()
        || asked.category.is_some()
        || asked.author.is_some()
        || asked.month.is_some();
    let bulk_result = match asked.done {
        Some((done, 0)) => format!("Đã xử lý {done} bài."),
        Some((done, skipped)) => format!(
            "Đã xử lý {done} bài; {skipped} bài không đổi được (không được phép ở trạng thái hiện tại, hoặc vừa được người khác sửa)."
        ),
        None => String::new(),
    };
    let view = ListPage {
        layout: AdminLayout::new(&staff, "articles", "Bài viết").notice(asked.notice.as_deref()),
        rows: rows(list, state.now()),
        filters,
        q: asked.q.clone(),
        status: asked
            .status
            .map_or(String::new(), |s| s.as_str().to_owned()),
        categories,
        authors,
        months,
        filtered,
        total,
        selectable: true,
        here: href(&asked, asked.page),
        bulk_result,
        page: asked.page,
        pages,
        prev_href: (asked.page > 1).then(|| href(&asked, asked.page - 1)),
        next_href: (asked.page < pages).then(|| href(&asked, asked.page + 1)),
    };
    Ok(Html(view.render()?))
}

/// The bulk form: the ticked ids (`chon`, repeated), the action, and the
/// list's address to return to.
pub async fn bulk(
    State(state): State<AppState>,
    staff: Staff,
    VForm(pairs): VForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    staff.check_csrf(value("csrf"))?;
    let action = match value("thao-tac") {
        "gui-duyet" => Action::Submit,
        "xuat-ban" => Action::Publish,
        "go-bai" => Action::Unpublish,
        _ => {
            return Err(AppError::BadRequest(
                "Hãy chọn việc cần làm với các bài đã chọn.".into(),
            ));
        }
    };
    let mut ids: Vec<i64> = Vec::new();
    for (k, v) in &pairs {
        if k == "chon" {
            let id = v
                .parse()
                .map_err(|_| AppError::BadRequest("Bài đã chọn không hợp lệ.".into()))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(AppError::BadRequest("Chưa chọn bài nào.".into()));
    }
    if ids.len() > MAX_BULK {
        return Err(AppError::BadRequest(format!(
            "Mỗi lần chỉ xử lý được tối đa {MAX_BULK} bài."
        )));
    }
    let site = staff.site.clone();
    let desk = desk(&state, &staff, &site);
    let (mut done, mut skipped) = (0, 0);
    for id in ids {
        // Each one as if its own button were pressed: the same rules, the
        // same audit entry; one that may not be moved is left as it is.
        let outcome = match desk.load(id).await {
            Ok(a) => {
                desk.save(&a, a.version, None, action, &Input::default())
                    .await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(_) => done += 1,
            Err(
                editorial::Error::Forbidden
                | editorial::Error::NotFound
                | editorial::Error::Invalid(_)
                | editorial::Error::Conflict(_),
            ) => skipped += 1,
            Err(e) => return Err(e.into()),
        }
    }
    let back = value("quay-lai");
    let back = if back.starts_with("/admin/articles") && !back.contains("//") {
        back.to_owned()
    } else {
        "/admin/articles".to_owned()
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}xong={done}&bo-qua={skipped}")).into_response())
}
