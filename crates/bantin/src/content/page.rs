//! Pages: what a commune publishes besides news — Giới thiệu and its
//! sub-pages, Liên hệ… They are articles of kind `page` (the same editor,
//! workflow, revisions, sanitising and search), arranged in a tree two
//! levels deep and read at their whole path (`/gioi-thieu/lich-su`). A new
//! site starts with an empty skeleton of them and a main menu
//! ([`furnish`]): drafts without text, which its admin fills and publishes
//! or deletes; nothing is made up.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::article::{self, Kind, NewArticle, Status};
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// Where a published item is read.
pub fn public_path_of(kind: &str, slug: &str) -> String {
    match kind {
        "page" => format!("/{slug}"),
        "document" => format!("/van-ban/{slug}"),
        _ => format!("/tin-tuc/{slug}"),
    }
}

/// Paths a page may not take: the site's own addresses.
pub const RESERVED: &[&str] = &[
    "tin-tuc",
    "tim-kiem",
    "dang-nhap",
    "dang-xuat",
    "chuyen-muc",
    "admin",
    "api",
    "media",
    "static",
    "so-do",
    "sitemap",
    "danh-gia",
    "hoi-dap",
    "van-ban",
    "healthz",
    "metrics",
    "rss.xml",
    "sitemap.xml",
    "robots.txt",
];

/// A page as a reader sees it.
#[derive(Clone, Debug, FromRow)]
pub struct Page {
    pub id: i64,
    pub title: String,
    /// Its path without the leading slash.
    pub slug: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub parent_id: Option<i64>,
    pub shows: String,
}

/// The public page at this path (`gioi-thieu/lich-su`).
pub async fn find_public(
    db: &Db,
    site_id: i64,
    path: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Page>> {
    const SQL: &str = "SELECT id, title, slug, summary, body, byline, published_at, updated_at, parent_id, shows \
         FROM articles WHERE site_id = $1 AND kind = 'page' AND slug = $2 \
         AND status = 'published' AND published_at <= $3";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(path).bind(now).fetch_optional(pool).await)
}

/// A page in the site's tree.
#[derive(Clone, Debug, FromRow)]
pub struct Node {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub position: i64,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
}

impl Node {
    pub fn is_public(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Published && self.published_at.is_some_and(|p| p <= now)
    }

    pub fn path(&self) -> String {
        format!("/{}", self.slug)
    }
}

/// Every page of a site, parents before their children, in order.
pub async fn tree(db: &Db, site_id: i64) -> sqlx::Result<Vec<Node>> {
    const SQL: &str = "SELECT id, title, slug, parent_id, position, status, published_at \
         FROM articles WHERE site_id = $1 AND kind = 'page' ORDER BY position, title";
    let all: Vec<Node> =
        with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)?;
    let mut out = Vec::with_capacity(all.len());
    for top in all.iter().filter(|n| n.parent_id.is_none()) {
        out.push(top.clone());
        out.extend(all.iter().filter(|n| n.parent_id == Some(top.id)).cloned());
    }
    Ok(out)
}

/// A page's published children, in order (a parent page lists them).
pub async fn public_children(
    db: &Db,
    site_id: i64,
    parent_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Node>> {
    const SQL: &str = "SELECT id, title, slug, parent_id, position, status, published_at \
         FROM articles WHERE site_id = $1 AND kind = 'page' AND parent_id = $2 \
         AND status = 'published' AND published_at <= $3 ORDER BY position, title";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(parent_id).bind(now).fetch_all(pool).await)
}

/// The slug a page under `parent` with this title gets: the parent's path
/// and the title's own slug; a top-level page may not take one of the
/// site's own addresses.
pub fn slug_under(parent: Option<&str>, title: &str) -> String {
    let own = vntext::slugify(title);
    match parent {
        Some(p) => format!("{p}/{own}"),
        None if RESERVED.contains(&own.as_str()) => format!("{own}-trang"),
        None => own,
    }
}

/// Moves a page under another parent (or to the top), at a position;
/// its path follows its parent's (and its children's follow it).
pub async fn place(
    tx: &mut Tx,
    site_id: i64,
    id: i64,
    parent: Option<&Node>,
    position: i64,
    shows: &str,
) -> sqlx::Result<()> {
    const GET: &str = "SELECT slug FROM articles WHERE site_id = $1 AND id = $2 AND kind = 'page'";
    const SET: &str = "UPDATE articles SET parent_id = $1, position = $2, shows = $3, slug = $4 \
         WHERE site_id = $5 AND id = $6";
    const TAKEN: &str =
        "SELECT COUNT(*) FROM articles WHERE site_id = $1 AND slug = $2 AND id <> $3";
    const CHILDREN: &str = "SELECT id, slug FROM articles WHERE site_id = $1 AND parent_id = $2";
    const SLUG: &str = "UPDATE articles SET slug = $1 WHERE id = $2";
    let old: String = with_tx!(tx, conn => sqlx::query_scalar(GET).bind(site_id).bind(id).fetch_one(&mut *conn).await)?;
    let own = old.rsplit('/').next().unwrap_or(&old).to_owned();
    let base = match parent {
        Some(p) => format!("{}/{own}", p.slug),
        None => own,
    };
    let mut slug = base.clone();
    for n in 2.. {
        let taken: i64 = with_tx!(tx, conn => sqlx::query_scalar(TAKEN).bind(site_id).bind(&slug).bind(id).fetch_one(&mut *conn).await)?;
        if taken == 0 {
            break;
        }
        slug = format!("{base}-{n}");
    }
    with_tx!(tx, conn => sqlx::query(SET)
        .bind(parent.map(|p| p.id)).bind(position).bind(shows).bind(&slug).bind(site_id).bind(id)
        .execute(&mut *conn).await.map(|_| ()))?;
    if slug != old {
        let children: Vec<(i64, String)> = with_tx!(tx, conn => sqlx::query_as(CHILDREN)
            .bind(site_id).bind(id).fetch_all(&mut *conn).await)?;
        for (child, child_slug) in children {
            let tail = child_slug.rsplit('/').next().unwrap_or(&child_slug);
            with_tx!(tx, conn => sqlx::query(SLUG).bind(format!("{slug}/{tail}")).bind(child)
                .execute(&mut *conn).await.map(|_| ()))?;
        }
    }
    tx.content_changed();
    Ok(())
}

/// Deletes a page that has no children (its revisions and ratings go with
/// it, its menu entries too; their sub-entries move up a level).
async fn delete(tx: &mut Tx, site_id: i64, id: i64) -> sqlx::Result<bool> {
    const CHILDREN: &str = "SELECT COUNT(*) FROM articles WHERE site_id = $1 AND parent_id = $2";
    const UP: &str = "UPDATE menu_items SET parent_id = NULL WHERE parent_id IN \
         (SELECT id FROM menu_items WHERE site_id = $1 AND target = $2)";
    const MENU: &str = "DELETE FROM menu_items WHERE site_id = $1 AND target = $2";
    const SQL: &str = "DELETE FROM articles WHERE site_id = $1 AND id = $2 AND kind = 'page'";
    let children: i64 = with_tx!(tx, conn => sqlx::query_scalar(CHILDREN).bind(site_id).bind(id).fetch_one(&mut *conn).await)?;
    if children > 0 {
        return Ok(false);
    }
    let target = format!("page:{id}");
    with_tx!(tx, conn => sqlx::query(UP).bind(site_id).bind(&target).execute(&mut *conn).await.map(|_| ()))?;
    with_tx!(tx, conn => sqlx::query(MENU).bind(site_id).bind(&target).execute(&mut *conn).await.map(|_| ()))?;
    let n = with_tx!(tx, conn => sqlx::query(SQL).bind(site_id).bind(id).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    tx.content_changed();
    Ok(n == 1)
}

/// Why a page could not be deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    HasChildren,
}

/// Deletes a page with its audit entry; one with sub-pages stays.
pub async fn remove(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), Refusal>> {
    const TITLE: &str =
        "SELECT title FROM articles WHERE site_id = $1 AND id = $2 AND kind = 'page'";
    let mut tx = db.begin().await?;
    let title: Option<String> = with_tx!(tx, conn => sqlx::query_scalar(TITLE).bind(site_id).bind(id).fetch_optional(&mut *conn).await)?;
    let Some(title) = title else {
        return Ok(Err(Refusal::NotFound));
    };
    if !delete(&mut tx, site_id, id).await? {
        return Ok(Err(Refusal::HasChildren));
    }
    let entry = crate::audit::Record {
        site_id,
        user_id,
        action: crate::audit::Action::PageDelete,
        target: &title,
        detail: "",
    };
    crate::audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A starting page: its title and what it shows below its text.
type Start = (&'static str, &'static str);

/// The skeleton: top-level pages with their children.
const SKELETON: &[(Start, &[Start])] = &[
    (
        ("Giới thiệu", ""),
        &[
            ("Lịch sử", ""),
            ("Điều kiện tự nhiên", ""),
            ("Cơ cấu tổ chức", "units"),
            ("Lãnh đạo", "leaders"),
        ],
    ),
    (("Liên hệ", ""), &[]),
];

/// Gives a site its starting pages (empty drafts) and main menu, once.
pub async fn furnish(tx: &mut Tx, site_id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    const DONE: &str = "UPDATE sites SET furnished = TRUE WHERE id = $1 AND NOT furnished";
    const MENU: &str = "INSERT INTO menu_items (site_id, parent_id, label, target, sort) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let first = with_tx!(tx, conn => sqlx::query(DONE).bind(site_id).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if first == 0 {
        return Ok(());
    }
    let insert = async |tx: &mut Tx,
                        title: &str,
                        parent: Option<(i64, &str)>,
                        position: i64,
                        shows: &str| {
        let new = NewArticle {
            site_id,
            title,
            body: "",
            status: Status::Draft,
            kind: Kind::Page,
            parent_id: parent.map(|p| p.0),
            position,
            shows,
            ..NewArticle::default()
        };
        let slug = slug_under(parent.map(|p| p.1), title);
        article::insert(tx, &new, &slug, now)
            .await
            .map(|r| r.expect("a page without a source hash is never refused"))
    };
    let menu = async |tx: &mut Tx,
                      parent: Option<i64>,
                      label: &str,
                      target: &str,
                      sort: i64|
           -> sqlx::Result<i64> {
        with_tx!(tx, conn => sqlx::query_scalar(MENU)
            .bind(site_id).bind(parent).bind(label).bind(target).bind(sort)
            .fetch_one(&mut *conn).await)
    };
    menu(tx, None, "Trang chủ", "home", 0).await?;
    let mut sort = 1;
    for (i, ((title, shows), children)) in SKELETON.iter().enumerate() {
        if *title == "Liên hệ" {
            menu(tx, None, "Tin tức", "news", sort).await?;
            menu(tx, None, "Văn bản", "documents", sort + 1).await?;
            sort += 2;
        }
        let (id, slug) = insert(tx, title, None, i as i64, shows).await?;
        // Liên hệ is always there: the contacts come from the settings.
        let target = if *title == "Liên hệ" {
            "contact".to_owned()
        } else {
            format!("page:{id}")
        };
        let entry = menu(tx, None, title, &target, sort).await?;
        sort += 1;
        for (j, (child, child_shows)) in children.iter().enumerate() {
            let (child_id, _) = insert(tx, child, Some((id, &slug)), j as i64, child_shows).await?;
            menu(
                tx,
                Some(entry),
                child,
                &format!("page:{child_id}"),
                j as i64,
            )
            .await?;
        }
    }
    menu(tx, None, "Sơ đồ cổng", "sitemap", sort).await?;
    super::document::terms::furnish(tx, site_id).await?;
    Ok(())
}

/// Furnishes every site that never was (sites older than pages).
pub async fn furnish_all(db: &Db, now: DateTime<Utc>) -> sqlx::Result<()> {
    const SQL: &str = "SELECT id FROM sites WHERE NOT furnished";
    let ids: Vec<i64> = with_db!(db, pool => sqlx::query_scalar(SQL).fetch_all(pool).await)?;
    for id in ids {
        let mut tx = db.begin().await?;
        furnish(&mut tx, id, now).await?;
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_pages() {
        assert_eq!(slug_under(None, "Giới thiệu"), "gioi-thieu");
        assert_eq!(
            slug_under(Some("gioi-thieu"), "Lịch sử"),
            "gioi-thieu/lich-su"
        );
        assert_eq!(
            slug_under(None, "Tin tức"),
            "tin-tuc-trang",
            "not the news list's address"
        );
        assert_eq!(
            public_path_of("page", "gioi-thieu/lich-su"),
            "/gioi-thieu/lich-su"
        );
        assert_eq!(public_path_of("news", "hop-dan"), "/tin-tuc/hop-dan");
    }
}
