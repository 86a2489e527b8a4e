//! The editor page: `GET /admin/articles/new` and `GET /admin/articles/{id}`,
//! and the same page shown again with what was typed when a save fails.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Html;

use super::status_label;
use crate::content::article::{Editable, Kind};
use crate::content::category::{self, Category};
use crate::content::editorial::{Desk, Input};
use crate::content::text::{LintNote, lint_notes};
use crate::content::workflow::Action;
use crate::content::{document, media, revision, sanitize};
use crate::web::admin::{AdminLayout, ListQuery, date};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::state::AppState;

struct RevisionRow {
    id: i64,
    /// 1, 2, 3… for the article.
    number: i64,
    date: String,
    user: String,
}

struct ImageOption {
    url: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/article_edit.html")]
pub struct EditorPage {
    pub layout: AdminLayout,
    action_href: String,
    is_new: bool,
    version: i64,
    title: String,
    summary: String,
    body: String,
    byline: String,
    categories: Vec<(i64, String, bool)>,
    images: Vec<ImageOption>,
    featured_image: String,
    featured_alt: String,
    publish_at: String,
    status_label: String,
    review_comment: String,
    author_name: String,
    public_href: Option<String>,
    can_edit: bool,
    can_submit: bool,
    can_publish: bool,
    can_return: bool,
    can_unpublish: bool,
    error: String,
    lint: Vec<LintNote>,
    revisions: Vec<RevisionRow>,
    article_id: i64,
    /// When one's autosaved text (newer than the last save) was kept; empty: none.
    autosaved_at: String,
    /// The editor shows the autosaved text.
    showing_autosave: bool,
    max_upload_mb: u64,
    /// A page: its parent, position and what it shows below its text.
    is_page: bool,
    parents: Vec<(i64, String, bool)>,
    position: i64,
    shows: Vec<(&'static str, &'static str, bool)>,
    /// A document: its register entry, the site's lists, its files.
    is_document: bool,
    doc: DocumentFields,
}

/// The register part of a document's editor.
#[derive(Default)]
pub struct DocumentFields {
    pub typed: document::Typed,
    /// (id, name, chosen) of each list.
    pub types: Vec<(i64, String, bool)>,
    pub issuers: Vec<(i64, String, bool)>,
    pub fields: Vec<(i64, String, bool)>,
    pub files: Vec<document::files::File>,
    pub max_file_mb: u64,
}

async fn document_fields(
    state: &AppState,
    site_id: i64,
    typed: document::Typed,
    article_id: Option<i64>,
) -> Result<DocumentFields, AppError> {
    use document::terms::{self, List};
    let db = state.db();
    let options = |list: Vec<terms::Term>, chosen: &str| {
        list.into_iter()
            .map(|t| {
                let selected = t.id.to_string() == chosen;
                (t.id, t.name, selected)
            })
            .collect()
    };
    Ok(DocumentFields {
        types: options(terms::all(db, site_id, List::Type).await?, &typed.type_id),
        issuers: options(
            terms::all(db, site_id, List::Issuer).await?,
            &typed.issuer_id,
        ),
        fields: options(terms::all(db, site_id, List::Field).await?, &typed.field_id),
        files: match article_id {
            Some(id) => document::files::of_document(db, site_id, id).await?,
            None => Vec::new(),
        },
        max_file_mb: state.settings().max_document_bytes / (1024 * 1024),
        typed,
    })
}

/// What the editor page shows: an article (or a new one), the form's
/// content, a message.
pub struct Shown<'a> {
    pub article: Option<&'a Editable>,
    pub input: Input,
    pub error: String,
    pub version: i64,
}

/// The staff member's desk: where editorial actions happen.
pub fn desk<'a>(state: &'a AppState, staff: &Staff, site: &'a crate::site::Site) -> Desk<'a> {
    Desk {
        db: state.db(),
        site,
        library: state.library(),
        actor: staff.actor(),
        now: state.now(),
    }
}

pub async fn page(
    state: &AppState,
    staff: &Staff,
    shown: Shown<'_>,
) -> Result<EditorPage, AppError> {
    let (db, site, now) = (state.db(), staff.site.clone(), state.now());
    let desk = desk(state, staff, &site);
    let categories = category::list(db, site.id).await?;
    let images = media::list(db, site.id, 60).await?;
    let input = shown.input;
    let can = |action| desk.allowed(shown.article, action);
    let revisions = match shown.article {
        Some(a) => revision::list(db, a.id).await?,
        None => Vec::new(),
    };
    let title = match (shown.article, input.kind) {
        (Some(a), _) => format!("Sửa: {}", a.title),
        (None, Kind::Page) => "Viết trang mới".to_owned(),
        (None, Kind::Document) => "Đăng văn bản mới".to_owned(),
        (None, Kind::News) => "Viết bài mới".to_owned(),
    };
    let is_document = input.kind == Kind::Document;
    let doc = if is_document {
        document_fields(
            state,
            site.id,
            input.document.clone(),
            shown.article.map(|a| a.id),
        )
        .await?
    } else {
        DocumentFields::default()
    };
    let mut images: Vec<ImageOption> = images
        .into_iter()
        .map(|i| ImageOption {
            selected: i.url() == input.featured_image,
            label: format!("{} ({}×{})", i.original, i.width, i.height),
            url: i.url(),
        })
        .collect();
    if !input.featured_image.is_empty() && !images.iter().any(|i| i.selected) {
        images.insert(
            0,
            ImageOption {
                url: input.featured_image.clone(),
                label: "Ảnh hiện tại".into(),
                selected: true,
            },
        );
    }
    let plain_body = sanitize::plain_text(&input.body);
    let is_page = input.kind == Kind::Page;
    let parents = if is_page {
        crate::content::page::tree(db, site.id)
            .await?
            .into_iter()
            .filter(|n| n.parent_id.is_none() && Some(n.id) != shown.article.map(|a| a.id))
            .map(|n| (n.id, n.title, Some(n.id) == input.parent_id))
            .collect()
    } else {
        Vec::new()
    };
    let shows = [
        ("", "Không"),
        ("leaders", "Danh sách lãnh đạo"),
        ("units", "Các cơ quan, đơn vị (cơ cấu tổ chức)"),
    ]
    .into_iter()
    .map(|(v, l)| (v, l, v == input.shows))
    .collect();
    Ok(EditorPage {
        layout: AdminLayout::new(
            staff,
            match input.kind {
                Kind::Page => "pages",
                Kind::Document => "documents",
                Kind::News => "articles",
            },
            &title,
        ),
        action_href: shown.article.map_or("/admin/articles".to_owned(), |a| {
            format!("/admin/articles/{}", a.id)
        }),
        is_new: shown.article.is_none(),
        version: shown.version,
        categories: categories
            .into_iter()
            .map(|Category { id, name, .. }| (id, name, Some(id) == input.category_id))
            .collect(),
        images,
        status_label: shown.article.map_or("Bài mới".into(), |a| {
            status_label(a.status, a.published_at, now)
        }),
        author_name: shown
            .article
            .and_then(|a| a.author_name.clone())
            .unwrap_or_else(|| staff.user.display_name.clone()),
        public_href: shown
            .article
            .filter(|a| a.is_public(now))
            .map(|a| crate::content::page::public_path_of(a.kind.as_str(), &a.slug)),
        can_edit: can(Action::Edit),
        can_submit: can(Action::Submit),
        can_publish: can(Action::Publish),
        can_return: can(Action::Return),
        can_unpublish: can(Action::Unpublish),
        error: shown.error,
        lint: lint_notes(&[&input.title, &input.summary, &plain_body], 50),
        revisions: revisions
            .into_iter()
            .map(|r| RevisionRow {
                id: r.id,
                number: r.number,
                date: date(r.created_at),
                user: r.user_name.unwrap_or_default(),
            })
            .collect(),
        article_id: shown.article.map_or(0, |a| a.id),
        autosaved_at: String::new(),
        showing_autosave: false,
        max_upload_mb: state.settings().max_upload_bytes / (1024 * 1024),
        is_page,
        parents,
        position: input.position,
        shows,
        is_document,
        doc,
        title: input.title,
        summary: input.summary,
        body: input.body,
        byline: input.byline,
        featured_image: input.featured_image,
        featured_alt: input.featured_alt,
        publish_at: input.publish_at,
        review_comment: input.review_comment,
    })
}

/// A new article's fields as the form starts: the site's news category,
/// the staff member's display name as the byline (which they may clear).
pub async fn new_input(state: &AppState, staff: &Staff) -> Result<Input, AppError> {
    let default_category =
        category::find_by_slug(state.db(), staff.site.id, category::DEFAULT_SLUG).await?;
    Ok(Input {
        category_id: default_category.map(|c| c.id),
        byline: staff.user.display_name.clone(),
        ..Input::default()
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, AppError> {
    let input = new_input(&state, &staff).await?;
    let shown = Shown {
        article: None,
        input,
        error: String::new(),
        version: 0,
    };
    Ok(Html(page(&state, &staff, shown).await?.render()?))
}

#[derive(serde::Deserialize, Default)]
pub struct NewPageQuery {
    /// The parent page to put the new one under.
    cha: Option<i64>,
}

/// `GET /admin/van-ban/new`: the editor for a new document.
pub async fn new_document_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, AppError> {
    let input = Input {
        kind: Kind::Document,
        ..Input::default()
    };
    let shown = Shown {
        article: None,
        input,
        error: String::new(),
        version: 0,
    };
    Ok(Html(page(&state, &staff, shown).await?.render()?))
}

/// The editor's form for an article as stored (a document's register
/// entry included).
pub async fn input_of(state: &AppState, site_id: i64, a: &Editable) -> Result<Input, AppError> {
    let mut input = Input::of(a);
    if a.kind == Kind::Document
        && let Some(e) = document::entry(state.db(), site_id, a.id).await?
    {
        let replaces = document::numbers_of(state.db(), site_id, &e.replaces).await?;
        let amends = document::numbers_of(state.db(), site_id, &e.amends).await?;
        let mut typed = document::Typed::of(&e, |_| String::new());
        typed.replaces = replaces;
        typed.amends = amends;
        input.document = typed;
    }
    Ok(input)
}

/// `GET /admin/pages/new`: the editor for a new page.
pub async fn new_page_form(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<NewPageQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let input = Input {
        kind: Kind::Page,
        parent_id: query.ok().and_then(|q| q.0.cha),
        ..Input::default()
    };
    let shown = Shown {
        article: None,
        input,
        error: String::new(),
        version: 0,
    };
    Ok(Html(page(&state, &staff, shown).await?.render()?))
}

pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    let site = staff.site.clone();
    let a = desk(&state, &staff, &site).load(id).await?;
    let kept =
        crate::content::autosave::find(state.db(), site.id, a.id, staff.user.id, a.updated_at)
            .await?;
    let wanted = query.as_ref().ok().is_some_and(|q| q.autosaved.is_some());
    let mut input = input_of(&state, site.id, &a).await?;
    if let Some(k) = kept.as_ref().filter(|_| wanted) {
        input.title = k.title.clone();
        input.summary = k.summary.clone();
        input.body = k.body.clone();
        input.byline = k.byline.clone();
    }
    let shown = Shown {
        input,
        article: Some(&a),
        error: String::new(),
        version: a.version,
    };
    let mut page = page(&state, &staff, shown).await?;
    if let Some(k) = &kept {
        page.autosaved_at = super::super::date(k.saved_at);
        page.showing_autosave = wanted;
    }
    let notice = query.as_ref().ok().and_then(|q| q.notice.as_deref());
    page.layout = page.layout.notice(notice);
    // Published for later is not published yet: say when it will be.
    if notice == Some("da-xuat-ban")
        && a.status == crate::content::article::Status::Published
        && let Some(at) = a.published_at.filter(|at| *at > state.now())
    {
        page.layout.notice = format!("Đã hẹn giờ đăng lúc {}.", super::super::date(at));
    }
    Ok(Html(page.render()?))
}
