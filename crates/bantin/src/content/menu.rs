//! The main menu, edited by the site's admin: entries to pages, categories,
//! the site's own sections (home, news, search, the site map, contact) or
//! other addresses; one level of sub-entries. An entry whose page is not
//! published is not shown to readers.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{category, page};
use crate::audit;
use crate::db::Db;
use crate::{with_db, with_tx};

/// What an entry opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Home,
    News,
    Search,
    Sitemap,
    /// `/lien-he`: the contacts from the settings.
    Contact,
    /// `/van-ban`: the documents library.
    Documents,
    Page(i64),
    Category(i64),
    /// Another address (`https://…`, or a path of the site).
    Url(String),
}

impl Target {
    /// The stored form (`page:12`), with the address kept apart.
    pub fn code(&self) -> String {
        match self {
            Target::Home => "home".into(),
            Target::News => "news".into(),
            Target::Search => "search".into(),
            Target::Sitemap => "sitemap".into(),
            Target::Contact => "contact".into(),
            Target::Documents => "documents".into(),
            Target::Page(id) => format!("page:{id}"),
            Target::Category(id) => format!("category:{id}"),
            Target::Url(_) => "url".into(),
        }
    }

    pub fn parse(code: &str, url: &str) -> Option<Target> {
        Some(match code {
            "home" => Target::Home,
            "news" => Target::News,
            "search" => Target::Search,
            "sitemap" => Target::Sitemap,
            "contact" => Target::Contact,
            "documents" => Target::Documents,
            "url" => Target::Url(url.to_owned()),
            c => match c.split_once(':')? {
                ("page", id) => Target::Page(id.parse().ok()?),
                ("category", id) => Target::Category(id.parse().ok()?),
                _ => return None,
            },
        })
    }
}

/// An entry as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Item {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub label: String,
    pub target: String,
    pub url: String,
    pub sort: i64,
}

/// An entry as readers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    pub href: String,
    pub children: Vec<Entry>,
}

pub async fn items(db: &Db, site_id: i64) -> sqlx::Result<Vec<Item>> {
    const SQL: &str = "SELECT id, parent_id, label, target, url, sort FROM menu_items \
         WHERE site_id = $1 ORDER BY sort, id";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)
}

/// The menu readers see: entries whose target exists and is public. A site
/// without a menu has the two entries every site has.
pub async fn public(db: &Db, site_id: i64, now: DateTime<Utc>) -> sqlx::Result<Vec<Entry>> {
    let items = items(db, site_id).await?;
    if items.is_empty() {
        return Ok(vec![
            Entry {
                label: "Trang chủ".into(),
                href: "/".into(),
                children: Vec::new(),
            },
            Entry {
                label: "Tin tức".into(),
                href: "/tin-tuc".into(),
                children: Vec::new(),
            },
        ]);
    }
    let pages = page::tree(db, site_id).await?;
    let categories = category::list(db, site_id).await?;
    let href = |item: &Item| -> Option<String> {
        match Target::parse(&item.target, &item.url)? {
            Target::Home => Some("/".into()),
            Target::News => Some("/tin-tuc".into()),
            Target::Search => Some("/tim-kiem".into()),
            Target::Sitemap => Some("/so-do".into()),
            Target::Contact => Some("/lien-he".into()),
            Target::Documents => Some("/van-ban".into()),
            Target::Page(id) => pages
                .iter()
                .find(|p| p.id == id && p.is_public(now))
                .map(page::Node::path),
            Target::Category(id) => categories
                .iter()
                .find(|c| c.id == id)
                .map(|c| format!("/chuyen-muc/{}", c.slug)),
            Target::Url(url) => Some(url),
        }
    };
    let entry = |item: &Item| {
        href(item).map(|href| Entry {
            label: item.label.clone(),
            href,
            children: Vec::new(),
        })
    };
    let mut out = Vec::new();
    for top in items.iter().filter(|i| i.parent_id.is_none()) {
        let children: Vec<Entry> = items
            .iter()
            .filter(|i| i.parent_id == Some(top.id))
            .filter_map(entry)
            .collect();
        // A heading whose own page is not out yet still leads to its
        // published sub-pages.
        match (entry(top), children.first()) {
            (Some(mut e), _) => {
                e.children = children;
                out.push(e);
            }
            (None, Some(first)) => out.push(Entry {
                label: top.label.clone(),
                href: first.href.clone(),
                children,
            }),
            (None, None) => {}
        }
    }
    Ok(out)
}

/// An entry as typed in the admin form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    pub label: String,
    /// `home`, `news`, `page:ID`…
    pub target: String,
    pub url: String,
    /// Empty: a top-level entry.
    pub parent: String,
    pub sort: String,
}

/// Checks a typed entry against the site (its page, category, parent).
pub async fn checked(
    db: &Db,
    site_id: i64,
    typed: &Typed,
    editing: Option<i64>,
) -> sqlx::Result<Result<(String, Target, Option<i64>, i64), String>> {
    let label = crate::site::one_line(&typed.label, 80);
    if label.is_empty() {
        return Ok(Err("Mục trình đơn cần có tên.".into()));
    }
    let url = typed.url.trim();
    let Some(target) = Target::parse(typed.target.trim(), url) else {
        return Ok(Err("Hãy chọn mục này dẫn đến đâu.".into()));
    };
    let wrong = match &target {
        Target::Url(u) => {
            let ok = (u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/'))
                && !u.starts_with("//")
                && u.len() <= 500
                && !u.contains(char::is_whitespace);
            (!ok).then_some(
                "Địa chỉ phải bắt đầu bằng https://, http:// hoặc / (một trang của trang này).",
            )
        }
        Target::Page(id) => {
            let known = page::tree(db, site_id).await?.iter().any(|p| p.id == *id);
            (!known).then_some("Không có trang này.")
        }
        Target::Category(id) => category::find(db, site_id, *id)
            .await?
            .is_none()
            .then_some("Không có chuyên mục này."),
        _ => None,
    };
    if let Some(wrong) = wrong {
        return Ok(Err(wrong.into()));
    }
    let parent = match typed.parent.trim() {
        "" => None,
        p => {
            let Ok(id) = p.parse::<i64>() else {
                return Ok(Err("Mục cha không hợp lệ.".into()));
            };
            let all = items(db, site_id).await?;
            // One level of sub-entries: a parent is a top-level entry.
            let ok = all.iter().any(|i| i.id == id && i.parent_id.is_none()) && Some(id) != editing;
            let has_children = editing.is_some_and(|e| all.iter().any(|i| i.parent_id == Some(e)));
            if !ok || has_children {
                return Ok(Err(
                    "Trình đơn chỉ có một cấp mục con: mục cha phải là mục cấp trên cùng.".into(),
                ));
            }
            Some(id)
        }
    };
    let sort = typed.sort.trim().parse().unwrap_or(0);
    Ok(Ok((label, target, parent, sort)))
}

/// Adds or changes an entry (with its audit entry); `Err` says why not.
pub async fn save(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: Option<i64>,
    typed: &Typed,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), String>> {
    const INSERT: &str = "INSERT INTO menu_items (site_id, parent_id, label, target, url, sort) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    const UPDATE: &str = "UPDATE menu_items SET parent_id = $1, label = $2, target = $3, url = $4, sort = $5 \
         WHERE site_id = $6 AND id = $7";
    let (label, target, parent, sort) = match checked(db, site_id, typed, id).await? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let url = match &target {
        Target::Url(u) => u.clone(),
        _ => String::new(),
    };
    let mut tx = db.begin().await?;
    let n = match id {
        None => with_tx!(tx, conn => sqlx::query(INSERT)
            .bind(site_id).bind(parent).bind(&label).bind(target.code()).bind(&url).bind(sort)
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?,
        Some(id) => with_tx!(tx, conn => sqlx::query(UPDATE)
            .bind(parent).bind(&label).bind(target.code()).bind(&url).bind(sort).bind(site_id).bind(id)
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?,
    };
    if n != 1 {
        return Ok(Err("Không có mục trình đơn này.".into()));
    }
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::MenuUpdate,
        target: &label,
        detail: &target.code(),
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes an entry (and its sub-entries).
pub async fn remove(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    const SQL: &str = "DELETE FROM menu_items WHERE site_id = $1 AND (id = $2 OR parent_id = $2)";
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => sqlx::query(SQL).bind(site_id).bind(id)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::MenuUpdate,
        target: &format!("#{id}"),
        detail: "xoá",
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip() {
        for t in [
            Target::Home,
            Target::News,
            Target::Search,
            Target::Sitemap,
            Target::Contact,
            Target::Documents,
            Target::Page(4),
            Target::Category(2),
        ] {
            assert_eq!(Target::parse(&t.code(), ""), Some(t));
        }
        assert_eq!(
            Target::parse("url", "https://laocai.gov.vn"),
            Some(Target::Url("https://laocai.gov.vn".into()))
        );
        assert_eq!(Target::parse("page:x", ""), None);
        assert_eq!(Target::parse("nonsense", ""), None);
    }
}
