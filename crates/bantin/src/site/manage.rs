//! Adding and changing sites: what the province IT office does, from the
//! command line (`bantin site`) or its admin pages. Each change is one
//! transaction with its audit entry (in the changed site's log); the
//! database's unique key on hosts decides, so two sites can never claim
//! the same host.

use chrono::{DateTime, Utc};

use super::{Site, find, normalize_host, normalize_public_url};
use crate::audit;
use crate::content::category;
use crate::db::{Db, Tx};
use crate::with_tx;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused, with the reason (Vietnamese).
    #[error("{0}")]
    Invalid(String),
    #[error("no such site")]
    NotFound,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

fn invalid<T>(message: impl Into<String>) -> Result<T, Error> {
    Err(Error::Invalid(message.into()))
}

fn host(raw: &str) -> Result<String, Error> {
    normalize_host(raw).ok_or_else(|| {
        Error::Invalid(format!(
            "“{raw}” không phải tên miền (ví dụ: sincheng.laocai.gov.vn)."
        ))
    })
}

fn public_url(raw: &str) -> Result<String, Error> {
    normalize_public_url(raw).ok_or_else(|| {
        Error::Invalid(format!(
            "“{raw}” không phải địa chỉ trang (ví dụ: https://sincheng.laocai.gov.vn)."
        ))
    })
}

/// Claims a host for a site; refused when any site has it already.
async fn claim(tx: &mut Tx, site_id: i64, host: &str) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO site_hosts (host, site_id) VALUES ($1, $2) \
         ON CONFLICT (host) DO NOTHING RETURNING site_id";
    let claimed: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(SQL)
        .bind(host).bind(site_id).fetch_optional(&mut *conn).await)?;
    match claimed {
        Some(_) => Ok(()),
        None => invalid(format!("Tên miền {host} đã thuộc một trang khác.")),
    }
}

async fn check_parent(db: &Db, parent: Option<i64>, site: Option<i64>) -> Result<(), Error> {
    let Some(parent) = parent else { return Ok(()) };
    let Some(p) = find(db, parent).await? else {
        return invalid("Không có trang cấp trên này.");
    };
    if Some(p.id) == site || p.parent_id.is_some() {
        // Two levels, as local government has: a province and its communes.
        return invalid("Trang cấp trên phải là cổng của tỉnh (không có cấp trên).");
    }
    Ok(())
}

pub struct NewSite<'a> {
    pub host: &'a str,
    pub name: &'a str,
    /// The province's portal.
    pub parent: Option<i64>,
    pub aliases: &'a [String],
    /// Default: `https://HOST`.
    pub public_url: Option<&'a str>,
}

/// Creates a site with its hosts and the category every site starts with.
pub async fn create(
    db: &Db,
    actor: Option<i64>,
    new: NewSite<'_>,
    now: DateTime<Utc>,
) -> Result<Site, Error> {
    const INSERT: &str = "INSERT INTO sites (host, name, description, created_at, updated_at, \
         public_url, parent_id) VALUES ($1, $2, '', $3, $3, $4, $5) RETURNING id";
    const CATEGORY: &str = "INSERT INTO categories (site_id, name, slug, position, created_at) \
         VALUES ($1, 'Tin tức', $2, 0, $3)";
    let host = host(new.host)?;
    let name = super::one_line(new.name, 200);
    if name.is_empty() {
        return invalid("Trang cần có tên.");
    }
    let url = match new.public_url {
        Some(u) => public_url(u)?,
        None => format!("https://{host}"),
    };
    let aliases = new
        .aliases
        .iter()
        .map(|a| self::host(a))
        .collect::<Result<Vec<_>, _>>()?;
    check_parent(db, new.parent, None).await?;
    let mut tx = db.begin().await?;
    let id: i64 = with_tx!(tx, conn => sqlx::query_scalar(INSERT)
        .bind(&host).bind(&name).bind(now).bind(&url).bind(new.parent)
        .fetch_one(&mut *conn).await)
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::Invalid(format!("Tên miền {host} đã thuộc một trang khác."))
        }
        e => e.into(),
    })?;
    claim(&mut tx, id, &host).await?;
    for alias in &aliases {
        claim(&mut tx, id, alias).await?;
    }
    with_tx!(tx, conn => sqlx::query(CATEGORY)
        .bind(id).bind(category::DEFAULT_SLUG).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    // Its starting pages (empty drafts) and main menu.
    crate::content::page::furnish(&mut tx, id, now).await?;
    let entry = audit::Record {
        site_id: id,
        user_id: actor,
        action: audit::Action::SiteCreate,
        target: &host,
        detail: &name,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    find(db, id).await?.ok_or(Error::NotFound)
}

/// What an operator may change about a site; `None` keeps a value.
#[derive(Debug, Default)]
pub struct Change {
    pub name: Option<String>,
    pub host: Option<String>,
    pub public_url: Option<String>,
    /// `Some(None)`: no longer part of a province's portal.
    pub parent: Option<Option<i64>>,
    pub add_aliases: Vec<String>,
    pub remove_aliases: Vec<String>,
    pub disabled: Option<bool>,
}

/// Changes a site: its name, host, address, parent, aliases, or whether it
/// is served at all.
pub async fn update(
    db: &Db,
    actor: Option<i64>,
    site_id: i64,
    change: Change,
    now: DateTime<Utc>,
) -> Result<Site, Error> {
    const SET: &str = "UPDATE sites SET name = $1, host = $2, public_url = $3, parent_id = $4, \
         disabled = $5, updated_at = $6 WHERE id = $7";
    const UNCLAIM: &str = "DELETE FROM site_hosts WHERE host = $1 AND site_id = $2";
    let site = find(db, site_id).await?.ok_or(Error::NotFound)?;
    let name = match &change.name {
        Some(n) => super::one_line(n, 200),
        None => site.name.clone(),
    };
    if name.is_empty() {
        return invalid("Trang cần có tên.");
    }
    let new_host = change.host.as_deref().map(host).transpose()?;
    let url = match change.public_url.as_deref() {
        Some(u) => Some(public_url(u)?),
        None => site.public_url.clone(),
    };
    let parent = change.parent.unwrap_or(site.parent_id);
    check_parent(db, parent, Some(site_id)).await?;
    let disabled = change.disabled.unwrap_or(site.disabled);
    let mut tx = db.begin().await?;
    let mut details = Vec::new();
    if let Some(h) = &new_host
        && site.host.as_deref() != Some(h.as_str())
    {
        if let Some(old) = &site.host {
            with_tx!(tx, conn => sqlx::query(UNCLAIM).bind(old).bind(site_id).execute(&mut *conn).await.map(|_| ()))?;
        }
        claim(&mut tx, site_id, h).await?;
        details.push(format!("tên miền {h}"));
    }
    for alias in &change.remove_aliases {
        let alias = host(alias)?;
        with_tx!(tx, conn => sqlx::query(UNCLAIM).bind(&alias).bind(site_id).execute(&mut *conn).await.map(|_| ()))?;
        details.push(format!("bỏ {alias}"));
    }
    for alias in &change.add_aliases {
        let alias = host(alias)?;
        claim(&mut tx, site_id, &alias).await?;
        details.push(format!("thêm {alias}"));
    }
    let host_now = new_host.or(site.host.clone());
    with_tx!(tx, conn => sqlx::query(SET)
        .bind(&name).bind(&host_now).bind(&url).bind(parent).bind(disabled).bind(now).bind(site_id)
        .execute(&mut *conn).await.map(|_| ()))?;
    if name != site.name {
        details.push(format!("tên “{name}”"));
    }
    if url != site.public_url {
        details.push(format!("địa chỉ {}", url.as_deref().unwrap_or("-")));
    }
    if parent != site.parent_id {
        details.push("đổi trang cấp trên".into());
    }
    if disabled != site.disabled {
        details.push(if disabled { "ngừng" } else { "mở lại" }.into());
    }
    let entry = audit::Record {
        site_id,
        user_id: actor,
        action: audit::Action::SiteUpdate,
        target: host_now.as_deref().unwrap_or(""),
        detail: &details.join(", "),
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    find(db, site_id).await?.ok_or(Error::NotFound)
}
