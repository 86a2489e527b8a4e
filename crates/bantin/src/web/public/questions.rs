//! `/hoi-dap`: readers' questions and the commune's answers — the list
//! (by field, with search), each pair's page, the feed, the form to ask
//! (`/hoi-dap/gui-cau-hoi`, a plain form that works without JavaScript)
//! and the look-up by tracking code (`/hoi-dap/tra-cuu`). Nothing here
//! ever shows an asker's name, phone, email or attachment.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::content::document::terms::{self, List};
use crate::content::question::{self, Mailing, Refusal, attachment, guard};
use crate::content::sanitize;
use crate::localtime;
use crate::search::{self, Query};
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::form::read_multipart;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::params;
use crate::web::state::AppState;

pub const PER_PAGE: i64 = 20;
pub const ASK_PATH: &str = "/hoi-dap/gui-cau-hoi";
/// The largest body the question form may send: the attachment and the text.
pub const ASK_BODY_LIMIT: usize = attachment::MAX_BYTES as usize + 256 * 1024;

/// A pair in the list.
pub struct Row {
    pub href: String,
    pub title: String,
    pub field: String,
    pub date: String,
    pub excerpt: String,
}

#[derive(Template)]
#[template(path = "questions.html")]
struct ListPage {
    layout: Layout,
    q: String,
    /// (slug, name, chosen)
    fields: Vec<(String, String, bool)>,
    filtered: bool,
    total: i64,
    rows: Vec<Row>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn excerpt(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 200 {
        return one_line;
    }
    let cut: String = one_line.chars().take(200).collect();
    format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a))
}

fn list_href(q: &str, field: Option<&str>, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !q.is_empty() {
        pairs.push(("q", q.to_owned()));
    }
    if let Some(f) = field {
        pairs.push(("linh-vuc", f.to_owned()));
    }
    if page > 1 {
        pairs.push(("trang", page.to_string()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(s) if !s.is_empty() => format!("/hoi-dap?{s}"),
        _ => "/hoi-dap".to_owned(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(client): ClientAddr,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let pairs: Vec<(String, String)> = match raw.as_deref() {
        Some(q) => serde_urlencoded::from_str(q)
            .map_err(|_| AppError::BadRequest("Địa chỉ tìm hỏi đáp không hợp lệ.".into()))?,
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
    let q: String = last("q")
        .map(|v| v.chars().take(search::query::MAX_QUERY_CHARS).collect())
        .unwrap_or_default();
    let field_slug = last("linh-vuc");
    let page = i64::from(params::page(raw.as_deref())?);
    let db = state.db();
    let fields = terms::all(db, site.id, List::Field).await?;
    let field = match &field_slug {
        Some(slug) => Some(
            fields
                .iter()
                .find(|t| &t.slug == slug)
                .ok_or_else(|| AppError::BadRequest("Lĩnh vực này không có.".into()))?,
        ),
        None => None,
    };
    let query = Query::parse(&q);
    if !q.is_empty()
        && let Some(ip) = client
        && !state.search_quota().take(ip)
    {
        return Err(AppError::TooMany(
            "Bạn tìm kiếm quá nhiều lần trong một phút. Vui lòng đợi một lát rồi thử lại.".into(),
        ));
    }
    let (total, found) = if !q.is_empty() && query.is_empty() {
        (0, Vec::new())
    } else {
        question::list_public(db, site.id, field.map(|f| f.id), &query, page, PER_PAGE).await?
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let title = if page > 1 {
        format!("Hỏi đáp - Trang {page}")
    } else {
        "Hỏi đáp".to_owned()
    };
    let view = ListPage {
        layout: Layout::new(
            &site,
            &title,
            "Câu hỏi của người dân và trả lời của cơ quan",
        )
        .chrome(&super::chrome(&state, &site).await?, "/hoi-dap")
        .sidebar(super::sidebar(&state, &site).await?),
        fields: fields
            .iter()
            .map(|t| {
                (
                    t.slug.clone(),
                    t.name.clone(),
                    field_slug.as_deref() == Some(&t.slug),
                )
            })
            .collect(),
        filtered: field.is_some(),
        total,
        rows: found
            .into_iter()
            .map(|p| Row {
                href: format!("/hoi-dap/{}", p.slug),
                field: p.field_name.unwrap_or_default(),
                date: localtime::format_datetime(p.published_at),
                excerpt: excerpt(&p.body),
                title: p.title,
            })
            .collect(),
        prev_href: (page > 1).then(|| list_href(&q, field_slug.as_deref(), page - 1)),
        next_href: (page < pages).then(|| list_href(&q, field_slug.as_deref(), page + 1)),
        q,
        page,
        pages,
    };
    Ok(Html(view.render()?))
}

#[derive(Template)]
#[template(path = "question.html")]
struct PairPage {
    layout: Layout,
    pair: question::Public,
    asked: String,
    answered: String,
    canonical: String,
    json_ld: String,
}

pub async fn show(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    if slug.len() > 200 {
        return Err(AppError::NotFound);
    }
    let pair = question::find_public(state.db(), site.id, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let base = super::feeds::base_url(&state, &site, &headers);
    let canonical = format!("{base}/hoi-dap/{}", pair.slug);
    let answered_at = pair.answered_at.unwrap_or(pair.published_at);
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "QAPage",
        "inLanguage": "vi",
        "url": canonical,
        "mainEntity": {
            "@type": "Question",
            "name": pair.title,
            "text": pair.body,
            "answerCount": 1,
            "dateCreated": localtime::rfc3339_local(pair.created_at),
            "acceptedAnswer": {
                "@type": "Answer",
                "text": sanitize::plain_text(&pair.answer),
                "dateCreated": localtime::rfc3339_local(answered_at),
                "url": canonical,
                "author": { "@type": "GovernmentOrganization", "name": site.name },
            },
        },
    });
    let json_ld = ld
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let layout = Layout::new(&site, &pair.title, &excerpt(&pair.body))
        .chrome(&super::chrome(&state, &site).await?, "/hoi-dap")
        .dublin_core(&pair.title, &site.name, Some(pair.published_at), &canonical)
        .sidebar(super::sidebar(&state, &site).await?);
    let view = PairPage {
        layout,
        asked: localtime::format_datetime(pair.created_at),
        answered: localtime::format_datetime(answered_at),
        canonical,
        json_ld,
        pair,
    };
    Ok(Html(view.render()?))
}

/// The form as typed, to show again after a refusal.
#[derive(Default)]
struct Shown {
    name: String,
    phone: String,
    email: String,
    field: String,
    title: String,
    body: String,
    consent: bool,
}

#[derive(Template)]
#[template(path = "question_ask.html")]
struct AskPage {
    layout: Layout,
    token: String,
    /// (id, name, chosen)
    fields: Vec<(String, String, bool)>,
    typed: Shown,
    retention_months: i64,
    max_body: usize,
    error: String,
}

async fn ask_page(
    state: &AppState,
    site: &crate::site::Site,
    token: String,
    typed: Shown,
    error: String,
) -> Result<Html<String>, AppError> {
    let fields = terms::all(state.db(), site.id, List::Field)
        .await?
        .into_iter()
        .map(|t| {
            let id = t.id.to_string();
            let chosen = id == typed.field;
            (id, t.name, chosen)
        })
        .collect();
    let view = AskPage {
        layout: Layout::new(site, "Gửi câu hỏi", "Gửi câu hỏi, góp ý tới cơ quan")
            .chrome(&super::chrome(state, site).await?, "/hoi-dap"),
        token,
        fields,
        typed,
        retention_months: site.question_retention_months,
        max_body: question::MAX_BODY,
        error,
    };
    Ok(Html(view.render()?))
}

pub async fn ask_form(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
) -> Result<Html<String>, AppError> {
    let token = guard::form_token(state.question_form_secret(), site.id, state.now());
    ask_page(&state, &site, token, Shown::default(), String::new()).await
}

#[derive(Template)]
#[template(path = "question_done.html")]
struct DonePage {
    layout: Layout,
    code: String,
    emailed: bool,
}

/// `POST /hoi-dap/gui-cau-hoi`.
pub async fn ask(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let multipart =
        multipart.map_err(|_| AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into()))?;
    let form = read_multipart(multipart).await?;
    let Some(ip) = addr else {
        return Err(AppError::BadRequest(
            "Không xác định được người gửi.".into(),
        ));
    };
    if !state.rating_quota().take(ip) {
        return Err(AppError::TooMany(
            "Có quá nhiều yêu cầu gửi từ địa chỉ của bạn. Vui lòng thử lại sau.".into(),
        ));
    }
    let typed = question::Typed {
        name: form.text("ho-ten").to_owned(),
        phone: form.text("dien-thoai").to_owned(),
        email: form.text("thu-dien-tu").to_owned(),
        field: form.text("linh-vuc").to_owned(),
        title: form.text("tieu-de").to_owned(),
        body: form.text("noi-dung").to_owned(),
        consent: !form.text("dong-y").is_empty(),
        trap: form.text("trang-web").to_owned(),
    };
    let shown = Shown {
        name: typed.name.clone(),
        phone: typed.phone.clone(),
        email: typed.email.clone(),
        field: typed.field.clone(),
        title: typed.title.clone(),
        body: typed.body.clone(),
        consent: typed.consent,
    };
    let now = state.now();
    let secret = state.question_form_secret();
    let submitted_token = form.text("ma-bieu-mau").to_owned();
    let timing = guard::check_token(secret, site.id, &submitted_token, now);
    // Shown again after a refusal: the same token while it is good (the
    // time already spent counts), a fresh one otherwise.
    let again = if timing == guard::Timing::Stale {
        guard::form_token(secret, site.id, now)
    } else {
        submitted_token
    };
    let checked = match form.file {
        Some((_, name, bytes)) => {
            let done = tokio::task::spawn_blocking(move || attachment::check(&name, &bytes))
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("attachment check: {e}")))?;
            match done {
                Ok(c) => Some(c),
                Err(message) => {
                    let page = ask_page(&state, &site, again, shown, message).await?;
                    return Ok((StatusCode::BAD_REQUEST, page).into_response());
                }
            }
        }
        None => None,
    };
    let ua = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let visit = state.stats().visit(site.id, ip, ua).await?;
    let base = super::feeds::base_url(&state, &site, &headers);
    let mailing = state.sends_mail().then_some(Mailing {
        base_url: &base,
        site_name: &site.name,
    });
    let asking = question::Asking {
        typed: &typed,
        timing,
        visitor: &visit.key,
        day: visit.day,
        attachment: checked.as_ref(),
        mailing,
    };
    match question::submit(state.db(), site.id, &asking, now).await? {
        Ok(received) => {
            state.mail_queued();
            let view = DonePage {
                layout: Layout::new(&site, "Đã gửi câu hỏi", "")
                    .chrome(&super::chrome(&state, &site).await?, "/hoi-dap"),
                code: received.code,
                emailed: !typed.email.trim().is_empty() && state.sends_mail(),
            };
            Ok(Html(view.render()?).into_response())
        }
        Err(refusal) => {
            let status = match refusal {
                Refusal::DailyLimit => StatusCode::TOO_MANY_REQUESTS,
                Refusal::Duplicate => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            let page = ask_page(&state, &site, again, shown, refusal.message()).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "question_lookup.html")]
struct LookupPage {
    layout: Layout,
    code: String,
    found: Option<Found>,
    error: String,
}

struct Found {
    title: String,
    status: &'static str,
    asked: String,
    href: Option<String>,
    refusal: String,
}

/// `/hoi-dap/tra-cuu?ma=HD-…`: where the asker's question stands.
pub async fn lookup(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ClientAddr(client): ClientAddr,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs: Vec<(String, String)> = match raw.as_deref() {
        Some(q) => serde_urlencoded::from_str(q)
            .map_err(|_| AppError::BadRequest("Địa chỉ tra cứu không hợp lệ.".into()))?,
        None => Vec::new(),
    };
    let typed: String = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "ma")
        .map(|(_, v)| v.trim().chars().take(40).collect())
        .unwrap_or_default();
    let layout = Layout::new(&site, "Tra cứu câu hỏi", "")
        .chrome(&super::chrome(&state, &site).await?, "/hoi-dap");
    let mut view = LookupPage {
        layout,
        code: typed.clone(),
        found: None,
        error: String::new(),
    };
    if typed.is_empty() {
        return Ok(Html(view.render()?).into_response());
    }
    // Codes cannot be guessed, and guessing is slowed down besides.
    if let Some(ip) = client
        && !state.search_quota().take(ip)
    {
        return Err(AppError::TooMany(
            "Bạn tra cứu quá nhiều lần trong một phút. Vui lòng đợi một lát rồi thử lại.".into(),
        ));
    }
    let Some(code) = question::normalize_code(&typed) else {
        view.error = "Mã tra cứu không đúng dạng: mã có dạng HD-XXXXX-XXXXX.".into();
        return Ok((StatusCode::BAD_REQUEST, Html(view.render()?)).into_response());
    };
    match question::track(state.db(), site.id, &code).await? {
        Some(t) => {
            view.found = Some(Found {
                title: t.title,
                status: t.status.for_asker(),
                asked: localtime::format_datetime(t.created_at),
                href: match (t.status, t.slug) {
                    (question::Status::Published, Some(slug)) => Some(format!("/hoi-dap/{slug}")),
                    _ => None,
                },
                refusal: if t.status == question::Status::Refused {
                    t.refusal
                } else {
                    String::new()
                },
            });
            Ok(Html(view.render()?).into_response())
        }
        None => {
            view.error = "Không có câu hỏi nào với mã này trên trang. Hãy kiểm tra lại mã.".into();
            Ok((StatusCode::NOT_FOUND, Html(view.render()?)).into_response())
        }
    }
}

/// `/hoi-dap/rss.xml`: the newest answered questions.
pub async fn feed(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let latest = question::latest_public(state.db(), site.id, 20).await?;
    let base = super::feeds::base_url(&state, &site, &headers);
    let items: Vec<super::feeds::Item> = latest
        .into_iter()
        .map(|p| super::feeds::Item {
            description: excerpt(&p.body),
            path: format!("/hoi-dap/{}", p.slug),
            published_at: p.published_at,
            category: p.field_name,
            title: p.title,
        })
        .collect();
    let body = super::feeds::rss(
        &site,
        &base,
        &format!("Hỏi đáp - {}", site.name),
        "/hoi-dap",
        &items,
    );
    Ok(super::feeds::xml(
        body,
        "application/rss+xml; charset=utf-8",
    ))
}
