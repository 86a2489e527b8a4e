//! `/admin/sites` (the province IT office): every site in one table with
//! its visitors and articles, adding a site, and `/admin/sites/{id}`:
//! changing one (name, host, aliases, address, parent, disabled), with
//! links to its users and settings.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AdminLayout, ListQuery, date};
use crate::content::article;
use crate::site::{self, Site, manage};
use crate::stats::{self, store};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::form::VForm;
use crate::web::layout::format_count;
use crate::web::state::AppState;

struct SiteRow {
    id: i64,
    name: String,
    host: String,
    href: String,
    parent: String,
    disabled: bool,
    today: String,
    week: String,
    total: String,
    articles: String,
    last_published: String,
}

#[derive(Template)]
#[template(path = "admin/sites.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<SiteRow>,
    /// Sites that can be a parent (no parent of their own): (id, name,
    /// chosen).
    parents: Vec<(i64, String, bool)>,
    error: String,
    form: NewForm,
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    public_url: String,
}

fn parents(
    sites: &[std::sync::Arc<Site>],
    except: Option<i64>,
    chosen: Option<i64>,
) -> Vec<(i64, String, bool)> {
    sites
        .iter()
        .filter(|s| s.parent_id.is_none() && Some(s.id) != except)
        .map(|s| {
            (
                s.id,
                format!("{} ({})", s.name, s.label()),
                Some(s.id) == chosen,
            )
        })
        .collect()
}

/// A parent as chosen in a form: empty for none.
fn parent_of(raw: &str) -> Result<Option<i64>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest("Trang cấp trên không hợp lệ.".into())),
    }
}

/// Hosts typed one per line or separated by commas or spaces.
fn hosts_of(raw: &str) -> Vec<String> {
    raw.split([',', ' ', '\n', '\r', ';'])
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    error: &str,
    form: NewForm,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let (db, now) = (state.db(), state.now());
    state.reload_sites().await?;
    let directory = state.sites();
    let sites = directory.all();
    let today = stats::local_day(now);
    let visitors: HashMap<i64, store::SiteTotals> =
        store::totals_by_site(db, today, stats::monday_of(today))
            .await?
            .into_iter()
            .map(|t| (t.site_id, t))
            .collect();
    let articles: HashMap<i64, article::SiteCount> = article::public_by_site(db, now)
        .await?
        .into_iter()
        .map(|c| (c.site_id, c))
        .collect();
    let name_of = |id: i64| {
        directory
            .get(id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let rows = sites
        .iter()
        .map(|s| {
            let v = visitors.get(&s.id);
            let a = articles.get(&s.id);
            SiteRow {
                id: s.id,
                name: s.name.clone(),
                host: s.label(),
                href: state.public_url(s).unwrap_or_default(),
                parent: s.parent_id.map(name_of).unwrap_or_default(),
                disabled: s.disabled,
                today: format_count(v.map_or(0, |v| v.today)),
                week: format_count(v.map_or(0, |v| v.week)),
                total: format_count(v.map_or(0, |v| v.total).saturating_add(s.stats_start_total)),
                articles: format_count(a.map_or(0, |a| a.articles)),
                last_published: a
                    .and_then(|a| a.last_published)
                    .map(date)
                    .unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    let view = ListPage {
        layout: AdminLayout::new(staff, "sites", "Các trang").notice(notice),
        parents: parents(&sites, None, form.parent.trim().parse().ok()),
        rows,
        error: error.to_owned(),
        form,
    };
    Ok(Html(view.render()?))
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.is_operator())?;
    let notice = query.as_ref().ok().and_then(|q| q.notice.clone());
    list_page(&state, &staff, "", NewForm::default(), notice.as_deref()).await
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    VForm(form): VForm<NewForm>,
) -> Result<Response, AppError> {
    staff.require(staff.is_operator())?;
    staff.check_csrf(&form.csrf)?;
    let aliases = hosts_of(&form.aliases);
    let new = manage::NewSite {
        host: &form.host,
        name: &form.name,
        parent: parent_of(&form.parent)?,
        aliases: &aliases,
        public_url: Some(form.public_url.trim()).filter(|u| !u.is_empty()),
    };
    match manage::create(state.db(), Some(staff.user.id), new, state.now()).await {
        Ok(site) => {
            state.reload_sites().await?;
            Ok(
                Redirect::to(&format!("/admin/sites/{}?thong-bao=da-tao-trang", site.id))
                    .into_response(),
            )
        }
        Err(manage::Error::Invalid(e)) => Ok((
            StatusCode::BAD_REQUEST,
            list_page(&state, &staff, &e, form, None).await?,
        )
            .into_response()),
        Err(manage::Error::NotFound) => Err(AppError::NotFound),
        Err(manage::Error::Database(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/site_edit.html")]
struct EditPage {
    layout: AdminLayout,
    id: i64,
    name: String,
    host: String,
    public_url: String,
    parents: Vec<(i64, String, bool)>,
    aliases: Vec<String>,
    disabled: bool,
    error: String,
}

async fn edit_page(
    state: &AppState,
    staff: &Staff,
    site: &Site,
    error: &str,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let directory = state.sites();
    let view = EditPage {
        layout: AdminLayout::new(staff, "sites", &site.name).notice(notice),
        id: site.id,
        name: site.name.clone(),
        host: site.host.clone().unwrap_or_default(),
        public_url: site.public_url.clone().unwrap_or_default(),
        parents: parents(&directory.all(), Some(site.id), site.parent_id),
        aliases: directory.aliases(site.id).to_vec(),
        disabled: site.disabled,
        error: error.to_owned(),
    };
    Ok(Html(view.render()?))
}

async fn find(state: &AppState, id: i64) -> Result<Site, AppError> {
    site::find(state.db(), id).await?.ok_or(AppError::NotFound)
}

pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Html<String>, AppError> {
    staff.require(staff.is_operator())?;
    let site = find(&state, id).await?;
    state.reload_sites().await?;
    let notice = query.as_ref().ok().and_then(|q| q.notice.clone());
    edit_page(&state, &staff, &site, "", notice.as_deref()).await
}

#[derive(Deserialize, Default)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    public_url: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    add_aliases: String,
    /// Each alias ticked for removal (`remove_alias=…` repeated).
    #[serde(default)]
    remove_alias: Vec<String>,
    #[serde(default)]
    disabled: Option<String>,
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Result<Response, AppError> {
    staff.require(staff.is_operator())?;
    let form = edit_form(&raw)?;
    staff.check_csrf(&form.csrf)?;
    let site = find(&state, id).await?;
    if site.id == staff.site.id && form.disabled.is_some() {
        let message = "Không thể ngừng trang mà bạn đang đăng nhập.";
        return Ok((
            StatusCode::BAD_REQUEST,
            edit_page(&state, &staff, &site, message, None).await?,
        )
            .into_response());
    }
    let change = manage::Change {
        name: Some(form.name),
        host: Some(form.host.trim().to_owned()).filter(|h| !h.is_empty()),
        public_url: Some(form.public_url.trim().to_owned()).filter(|u| !u.is_empty()),
        parent: Some(parent_of(&form.parent)?),
        add_aliases: hosts_of(&form.add_aliases),
        remove_aliases: form.remove_alias,
        disabled: Some(form.disabled.is_some()),
    };
    match manage::update(state.db(), Some(staff.user.id), id, change, state.now()).await {
        Ok(_) => {
            state.reload_sites().await?;
            Ok(Redirect::to(&format!("/admin/sites/{id}?thong-bao=da-luu")).into_response())
        }
        Err(manage::Error::Invalid(e)) => Ok((
            StatusCode::BAD_REQUEST,
            edit_page(&state, &staff, &site, &e, None).await?,
        )
            .into_response()),
        Err(manage::Error::NotFound) => Err(AppError::NotFound),
        Err(manage::Error::Database(e)) => Err(e.into()),
    }
}

/// The edit form, whose `remove_alias` may repeat (serde_urlencoded reads
/// repeated keys only as a sequence of pairs).
fn edit_form(raw: &[u8]) -> Result<EditForm, AppError> {
    let bad = || AppError::BadRequest("Dữ liệu biểu mẫu không hợp lệ.".into());
    if !crate::web::middleware::input::urlencoded_is_clean(raw) {
        return Err(crate::web::middleware::input::refused());
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).map_err(|_| bad())?;
    let mut form = EditForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => form.csrf = v,
            "name" => form.name = v,
            "host" => form.host = v,
            "public_url" => form.public_url = v,
            "parent" => form.parent = v,
            "add_aliases" => form.add_aliases = v,
            "remove_alias" => form.remove_alias.push(v),
            "disabled" => form.disabled = Some(v),
            _ => {}
        }
    }
    Ok(form)
}
