//! `/van-ban`: the legal-documents library — the list with its filters
//! (in the URL, so a filtered list can be shared) and search, each
//! document's page, its files, the feed, and comments on drafts.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::content::document::files::{self, File};
use crate::content::document::terms::{self, List, Term};
use crate::content::document::{self, Filter, Linked, Listed, Validity, comments, format_date};
use crate::localtime;
use crate::search::{self, Query};
use crate::site::Site;
use crate::stats::visitor;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::middleware::visits::ArticleViewed;
use crate::web::params;
use crate::web::state::AppState;

pub const PER_PAGE: i64 = 20;

/// A document in the list.
pub struct Row {
    pub href: String,
    pub number: String,
    pub kind: String,
    pub date: String,
    pub title: String,
    pub validity: &'static str,
    pub validity_code: &'static str,
    pub open_for_comment: bool,
}

fn row(d: Listed, today: chrono::NaiveDate) -> Row {
    let v = d.validity();
    Row {
        href: format!("/van-ban/{}", d.slug),
        number: d.number,
        kind: d.type_name.unwrap_or_default(),
        date: format_date(d.issued_on),
        title: d.title,
        validity: v.label(),
        validity_code: v.code(),
        open_for_comment: d.comment_until.is_some_and(|c| today <= c),
    }
}

/// An option of a filter: (value, label, chosen).
type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "documents.html")]
struct ListPage {
    layout: Layout,
    q: String,
    filters: Vec<(&'static str, &'static str, Vec<Choice>)>,
    years: Vec<Choice>,
    validities: Vec<Choice>,
    filtered: bool,
    total: i64,
    rows: Vec<Row>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// What the list was asked.
#[derive(Default)]
struct Asked {
    q: String,
    /// (list, slug) of each chosen term.
    terms: Vec<(List, String)>,
    year: Option<i32>,
    validity: Option<Validity>,
    page: i64,
}

fn parse(raw: Option<&str>) -> Result<Asked, AppError> {
    let pairs: Vec<(String, String)> = match raw {
        Some(q) => serde_urlencoded::from_str(q)
            .map_err(|_| AppError::BadRequest("Địa chỉ tìm văn bản không hợp lệ.".into()))?,
        None => Vec::new(),
    };
    let last = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let mut asked = Asked {
        q: last("q")
            .map(|v| v.chars().take(search::query::MAX_QUERY_CHARS).collect())
            .unwrap_or_default(),
        page: i64::from(params::page(raw)?),
        ..Asked::default()
    };
    for list in List::ALL {
        if let Some(v) = last(list.param()) {
            if v.len() > 120 {
                return Err(AppError::BadRequest(format!(
                    "{} không hợp lệ.",
                    list.label()
                )));
            }
            asked.terms.push((list, v.to_owned()));
        }
    }
    if let Some(y) = last("nam") {
        asked.year = Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (1945..=2200).contains(y))
                .ok_or_else(|| AppError::BadRequest("Năm không hợp lệ.".into()))?,
        );
    }
    if let Some(v) = last("tinh-trang") {
        asked.validity = Some(
            Validity::parse(v)
                .ok_or_else(|| AppError::BadRequest("Tình trạng hiệu lực không hợp lệ.".into()))?,
        );
    }
    Ok(asked)
}

/// The list's address with these choices and page.
fn href(asked: &Asked, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !asked.q.is_empty() {
        pairs.push(("q", asked.q.clone()));
    }
    for (list, slug) in &asked.terms {
        pairs.push((list.param(), slug.clone()));
    }
    if let Some(y) = asked.year {
        pairs.push(("nam", y.to_string()));
    }
    if let Some(v) = asked.validity {
        pairs.push(("tinh-trang", v.code().to_owned()));
    }
    if page > 1 {
        pairs.push(("trang", page.to_string()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(q) if !q.is_empty() => format!("/van-ban?{q}"),
        _ => "/van-ban".to_owned(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(client): ClientAddr,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let asked = parse(raw.as_deref())?;
    let (db, now) = (state.db(), state.now());
    let mut filter = Filter {
        year: asked.year,
        validity: asked.validity,
        ..Filter::default()
    };
    let mut lists: Vec<(List, Vec<Term>)> = Vec::new();
    for list in List::ALL {
        lists.push((list, terms::all(db, site.id, list).await?));
    }
    for (list, slug) in &asked.terms {
        let id = lists
            .iter()
            .find(|(l, _)| l == list)
            .and_then(|(_, terms)| terms.iter().find(|t| &t.slug == slug))
            .map(|t| t.id)
            .ok_or_else(|| AppError::BadRequest(format!("{} này không có.", list.label())))?;
        match list {
            List::Type => filter.type_id = Some(id),
            List::Issuer => filter.issuer_id = Some(id),
            List::Field => filter.field_id = Some(id),
        }
    }
    let query = Query::parse(&asked.q);
    let typed_number = document::number_key(&asked.q);
    let (total, found) = if asked.q.trim().is_empty() {
        document::list(
            db,
            site.id,
            &filter,
            now,
            PER_PAGE,
            (asked.page - 1) * PER_PAGE,
        )
        .await?
    } else {
        if let Some(ip) = client
            && !state.search_quota().take(ip)
        {
            return Err(AppError::TooMany(
                "Bạn tìm kiếm quá nhiều lần trong một phút. Vui lòng đợi một lát rồi thử lại."
                    .into(),
            ));
        }
        if query.is_empty() && typed_number.is_empty() {
            (0, Vec::new())
        } else {
            document::search(
                db,
                site.id,
                &filter,
                &asked.q,
                &query,
                now,
                PER_PAGE,
                (asked.page - 1) * PER_PAGE,
            )
            .await?
        }
    };
    let pages = ((total.min(search::COUNT_CAP) + PER_PAGE - 1) / PER_PAGE).max(1);
    if asked.page > pages {
        return Err(AppError::NotFound);
    }
    let today = document::today(now);
    let chosen = |list: List| {
        asked
            .terms
            .iter()
            .find(|(l, _)| *l == list)
            .map(|(_, s)| s.as_str())
    };
    let filters = lists
        .iter()
        .filter(|(_, terms)| !terms.is_empty())
        .map(|(list, terms)| {
            let options = terms
                .iter()
                .map(|t| {
                    (
                        t.slug.clone(),
                        t.name.clone(),
                        Some(t.slug.as_str()) == chosen(*list),
                    )
                })
                .collect();
            (list.param(), list.label(), options)
        })
        .collect();
    let years = document::years(db, site.id, now)
        .await?
        .into_iter()
        .map(|y| (y.to_string(), y.to_string(), Some(y) == asked.year))
        .collect();
    let validities = Validity::ALL
        .iter()
        .map(|v| {
            (
                v.code().to_owned(),
                v.label().to_owned(),
                Some(*v) == asked.validity,
            )
        })
        .collect();
    let filtered = !asked.terms.is_empty() || asked.year.is_some() || asked.validity.is_some();
    let title = if asked.page > 1 {
        format!("Văn bản - Trang {}", asked.page)
    } else {
        "Văn bản".to_owned()
    };
    let view = ListPage {
        layout: Layout::new(
            &site,
            &title,
            "Văn bản pháp luật, văn bản chỉ đạo điều hành",
        )
        .chrome(&super::chrome(&state, &site).await?, "/van-ban")
        .sidebar(super::sidebar(&state, &site).await?),
        q: asked.q.clone(),
        filters,
        years,
        validities,
        filtered,
        total,
        rows: found.into_iter().map(|d| row(d, today)).collect(),
        prev_href: (asked.page > 1).then(|| href(&asked, asked.page - 1)),
        next_href: (asked.page < pages).then(|| href(&asked, asked.page + 1)),
        page: asked.page,
        pages,
    };
    Ok(Html(view.render()?))
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    layout: Layout,
    doc: document::Document,
    validity: &'static str,
    validity_code: &'static str,
    reason: String,
    links: Vec<Linked>,
    files: Vec<File>,
    shown_comments: Vec<(String, String, String)>,
    open_for_comment: bool,
    comment_until: String,
    issued: String,
    effective: String,
    expires: String,
    canonical: String,
    json_ld: String,
    /// The rating form's item.
    article_id: i64,
}

pub async fn show(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    if slug.len() > 200 {
        return Err(AppError::NotFound);
    }
    let (db, now) = (state.db(), state.now());
    let doc = document::find_public(db, site.id, &slug, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = document::today(now);
    let links = document::links(db, site.id, doc.id, now).await?;
    let files = files::of_document(db, site.id, doc.id).await?;
    let shown_comments = comments::shown(db, site.id, doc.id)
        .await?
        .into_iter()
        .map(|c| (c.name, c.body, localtime::format_datetime(c.created_at)))
        .collect();
    let base = super::feeds::base_url(&state, &site, &headers);
    let canonical = format!("{base}/van-ban/{}", doc.slug);
    let v = doc.validity();
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Legislation",
        "name": doc.title,
        "legislationIdentifier": doc.number,
        "legislationDate": doc.issued_on.to_string(),
        "legislationLegalForce": v.schema(),
        "inLanguage": "vi",
        "url": canonical,
    });
    if let Some(t) = &doc.type_name {
        ld["legislationType"] = serde_json::json!(t);
    }
    if let Some(i) = &doc.issuer_name {
        ld["legislationPassedBy"] =
            serde_json::json!({ "@type": "GovernmentOrganization", "name": i });
    }
    if let Some(e) = doc.effective_on {
        ld["legislationDateOfApplicability"] = serde_json::json!(e.to_string());
    }
    let json_ld = ld
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let title = format!("{} {}", doc.number, doc.title);
    let creator = doc.issuer_name.clone().unwrap_or_else(|| site.name.clone());
    let at = doc.published_at.unwrap_or(doc.updated_at);
    let layout = Layout::new(&site, &title, &doc.title)
        .chrome(&super::chrome(&state, &site).await?, "/van-ban")
        .dublin_core(&title, &creator, Some(at), &canonical)
        .sidebar(super::sidebar(&state, &site).await?);
    let view = DocumentPage {
        layout,
        validity: v.label(),
        validity_code: v.code(),
        reason: document::reason(&doc, &links, today),
        open_for_comment: doc.open_for_comment(today),
        comment_until: doc.comment_until.map(format_date).unwrap_or_default(),
        issued: format_date(doc.issued_on),
        effective: format_date(doc.effective_on.unwrap_or(doc.issued_on)),
        expires: doc.expires_on.map(format_date).unwrap_or_default(),
        article_id: doc.id,
        links,
        files,
        shown_comments,
        canonical,
        json_ld,
        doc,
    };
    let id = view.doc.id;
    let mut response = Html(view.render()?).into_response();
    response.extensions_mut().insert(ArticleViewed(id));
    Ok(response)
}

/// A stored file, streamed with its type and its Vietnamese name.
pub async fn send(
    state: &AppState,
    file: &File,
    cache: &'static str,
) -> Result<Response, AppError> {
    let path = state.settings().files_dir().join(file.file_name());
    let handle = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NotFound),
        Err(e) => return Err(anyhow::Error::from(e).into()),
    };
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(handle));
    Ok((
        [
            (CONTENT_TYPE, file.kind().mime().to_owned()),
            (CONTENT_DISPOSITION, files::content_disposition(file)),
            (CACHE_CONTROL, cache.to_owned()),
        ],
        body,
    )
        .into_response())
}

/// `/van-ban/tep/{file}`: a file of a public document; a reader's download
/// is counted (a crawler's is not).
pub async fn file(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let found = files::find_public(state.db(), site.id, &name, state.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let ua = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let purposes = visitor::PURPOSE_HEADERS
        .iter()
        .flat_map(|n| headers.get_all(*n))
        .filter_map(|v| v.to_str().ok());
    if visitor::is_human_view(ua, purposes) {
        files::count_download(state.db(), found.id).await?;
    }
    send(&state, &found, "public, max-age=3600").await
}

/// `/van-ban/rss.xml`: the newest documents.
pub async fn feed(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let latest = document::latest(state.db(), site.id, state.now(), 20).await?;
    let base = super::feeds::base_url(&state, &site, &headers);
    let items: Vec<super::feeds::Item> = latest
        .into_iter()
        .map(|d| super::feeds::Item {
            title: format!("{} {}", d.number, d.title),
            path: format!("/van-ban/{}", d.slug),
            published_at: d.published_at,
            category: d.type_name,
            description: String::new(),
        })
        .collect();
    let body = super::feeds::rss(
        &site,
        &base,
        &format!("Văn bản - {}", site.name),
        "/van-ban",
        &items,
    );
    Ok(super::feeds::xml(
        body,
        "application/rss+xml; charset=utf-8",
    ))
}

#[derive(Template)]
#[template(path = "rating_done.html")]
struct DonePage {
    layout: Layout,
    message: &'static str,
    back: String,
}

/// `POST /van-ban/{slug}/y-kien`: a reader's comment on a draft.
pub async fn comment(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Path(slug): Path<String>,
    VForm(typed): VForm<comments::Typed>,
) -> Result<Response, AppError> {
    let (db, now) = (state.db(), state.now());
    let doc = document::find_public(db, site.id, &slug, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(ip) = addr else {
        return Err(AppError::BadRequest(
            "Không xác định được người gửi.".into(),
        ));
    };
    if !state.rating_quota().take(ip) {
        return Err(AppError::TooMany(
            "Có quá nhiều ý kiến gửi từ địa chỉ của bạn. Vui lòng thử lại sau.".into(),
        ));
    }
    let ua = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let visit = state.stats().visit(site.id, ip, ua).await?;
    let outcome = comments::submit(db, site.id, doc.id, &visit.key, visit.day, &typed, now).await?;
    let (status, message) = match outcome {
        comments::Outcome::Received => (
            StatusCode::OK,
            "Cảm ơn bạn đã góp ý cho dự thảo. Ý kiến sẽ được cán bộ xem xét trước khi hiện trên trang.",
        ),
        comments::Outcome::Closed => (
            StatusCode::CONFLICT,
            "Dự thảo này đã hết thời gian lấy ý kiến.",
        ),
        comments::Outcome::TooMany => {
            return Err(AppError::TooMany(format!(
                "Mỗi người gửi được tối đa {} ý kiến một ngày cho một dự thảo.",
                comments::PER_VISITOR_DAY
            )));
        }
        comments::Outcome::Invalid(e) => return Err(AppError::BadRequest(e)),
    };
    let page = DonePage {
        layout: Layout::new(&site, "Góp ý dự thảo", "")
            .chrome(&super::chrome(&state, &site).await?, "/van-ban"),
        message,
        back: format!("/van-ban/{}", doc.slug),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The home page's block: the newest documents, if the site has any.
pub async fn latest_for_home(state: &AppState, site: &Site) -> Result<Vec<Row>, AppError> {
    let now = state.now();
    let today = document::today(now);
    Ok(document::latest(state.db(), site.id, now, 5)
        .await?
        .into_iter()
        .map(|d| row(d, today))
        .collect())
}
