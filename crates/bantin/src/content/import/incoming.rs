//! An old site's items stored here: posts and pages with their images and
//! old addresses, categories, authors. The WordPress and NukeViet readers
//! turn their sources into these types; everything they store goes through
//! this module, each item whole (article, revision, images, redirects,
//! audit entry, ledger entry) in the transaction that stores it.
//!
//! Posts are stored [`BATCH`] to a transaction; should a batch fail, its
//! posts are stored one by one, so the failing one is named and stores
//! nothing while the others are kept. An item the ledger knows is left
//! alone, so a run that stopped half-way is finished by running it again.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::body::{self, Upload};
use super::ledger::{self, Kind};
use crate::accounts::{Role, password, secret, user};
use crate::audit;
use crate::content::article::{self, NewArticle, Status};
use crate::content::media::{self, Library, VARIANT_WIDTHS};
use crate::content::page::{self, public_path_of};
use crate::content::{redirect, sanitize};
use crate::db::{Db, Tx};
use crate::site::Site;
use crate::with_tx;

/// Posts stored in one transaction.
pub const BATCH: usize = 200;

/// Where the items come from and go to.
pub struct Context<'a> {
    pub db: &'a Db,
    pub site: &'a Site,
    /// The ledger's name for the source (`wordpress https://xa.example.vn`).
    pub source: &'a str,
    /// `wordpress` or `nukeviet`: what redirects and audit entries say.
    pub label: &'static str,
    /// The old site's address, whose own links become relative.
    pub old_base: Option<&'a str>,
    /// A copy of the old site's uploads folder.
    pub uploads: Option<&'a Path>,
    pub library: &'a Library,
    pub now: DateTime<Utc>,
}

/// What became of one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored now, at this public path.
    Added(String),
    /// Imported by an earlier run: left alone.
    Known,
    /// Not imported on purpose (a post in the bin, a menu entry), and why.
    Skipped(String),
    /// Could not be imported, and why: nothing of it was stored.
    Failed(String),
}

/// One item's outcome and what the operator should know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    pub kind: Kind,
    pub title: String,
    pub outcome: Outcome,
    /// Images that could not come, links left as they were.
    pub notes: Vec<String>,
    /// Images stored with it (not those an earlier item brought).
    pub images: usize,
    /// Old addresses that now lead to it.
    pub redirects: usize,
}

impl Done {
    pub fn new(kind: Kind, title: &str, outcome: Outcome) -> Done {
        Done {
            kind,
            title: title.to_owned(),
            outcome,
            notes: Vec::new(),
            images: 0,
            redirects: 0,
        }
    }
}

/// A post or page as the old site had it.
#[derive(Clone, Debug, Default)]
pub struct Post {
    /// `Kind::Post` (news) or `Kind::Page`.
    pub kind: Option<Kind>,
    pub source_id: String,
    pub title: String,
    /// The old slug (`post_name`, NukeViet's alias); empty: from the title.
    pub slug: String,
    /// HTML or text; stored as text.
    pub summary: String,
    /// HTML as the old site stored it.
    pub body: String,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    /// When the old site created it.
    pub created_at: Option<DateTime<Utc>>,
    pub category_id: Option<i64>,
    pub author_id: Option<i64>,
    pub byline: String,
    /// A page's parent: its id and slug here.
    pub parent: Option<(i64, String)>,
    pub position: i64,
    /// The featured image's address in the old site.
    pub featured: Option<String>,
    /// What the old site said the featured image shows.
    pub featured_alt: String,
    /// Addresses the old site answered for it.
    pub old_paths: Vec<String>,
}

impl Post {
    fn kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::Post)
    }
}

/// A post whose images are read and checked, ready to store.
pub struct Prepared {
    post: Post,
    images: Vec<(String, Upload, media::Checked)>,
    notes: Vec<String>,
}

/// Images of the old site stored in this run: ledger key → image id.
#[derive(Default)]
pub struct Images(HashMap<String, i64>);

fn is_image_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let lower = lower.split(['?', '#']).next().unwrap_or("");
    [".jpg", ".jpeg", ".png", ".webp", ".gif"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// What earlier runs stored of one kind, read once at the start so a
/// re-run skips its items without a query each (the transaction that
/// stores an item still checks the ledger, so nothing is stored twice).
pub struct Known(HashMap<String, i64>);

impl Known {
    pub async fn load(ctx: &Context<'_>, kind: Kind) -> sqlx::Result<Known> {
        Ok(Known(
            ledger::all(ctx.db, ctx.site.id, ctx.source, kind).await?,
        ))
    }

    pub fn has(&self, source_id: &str) -> bool {
        self.0.contains_key(source_id)
    }
}

/// Whether the ledger already has the item.
pub async fn known(ctx: &Context<'_>, kind: Kind, source_id: &str) -> sqlx::Result<bool> {
    let found = ledger::find(ctx.db, ctx.site.id, ctx.source, kind, source_id).await?;
    Ok(found.is_some())
}

/// [`prepare`] for a batch, two posts at a time, in order.
pub async fn prepare_all(ctx: &Context<'_>, posts: Vec<Post>) -> Vec<Prepared> {
    use futures_util::stream::{self, StreamExt};
    stream::iter(posts)
        .map(|post| prepare(ctx, post))
        .buffered(2)
        .collect()
        .await
}

/// The slug of a page an earlier run imported.
pub async fn page_of(ctx: &Context<'_>, source_id: &str) -> sqlx::Result<Option<String>> {
    let Some(id) = ledger::find(ctx.db, ctx.site.id, ctx.source, Kind::Page, source_id).await?
    else {
        return Ok(None);
    };
    let path = article::public_path_of_id(ctx.db, ctx.site.id, id).await?;
    Ok(path.map(|p| p.trim_start_matches('/').to_owned()))
}

/// Reads and checks the post's images (outside any transaction: decoding
/// is the slow part).
pub async fn prepare(ctx: &Context<'_>, post: Post) -> Prepared {
    let mut urls: Vec<String> = body::urls(&post.body)
        .into_iter()
        .filter(|u| is_image_file(u))
        .collect();
    urls.extend(post.featured.clone());
    urls.dedup();
    let mut images = Vec::new();
    let mut notes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for url in urls {
        if !seen.insert(url.clone()) {
            continue;
        }
        let Some(dir) = ctx.uploads else {
            if !url.starts_with("https://") && !url.starts_with("http://") || is_old(ctx, &url) {
                notes.push(format!("ảnh {url} không nhập: chưa chỉ thư mục --uploads"));
            }
            continue;
        };
        let Some(upload) = body::locate(dir, &url) else {
            if !url.contains("://") || is_old(ctx, &url) {
                notes.push(format!("ảnh {url} không có trong thư mục tải lên"));
            }
            continue;
        };
        let bytes = match tokio::fs::read(&upload.file).await {
            Ok(b) => b,
            Err(e) => {
                notes.push(format!("ảnh {}: không đọc được: {e}", upload.key));
                continue;
            }
        };
        let name = upload
            .key
            .rsplit('/')
            .next()
            .unwrap_or(&upload.key)
            .to_owned();
        let file_name = name.clone();
        match media::check(media::Upload { file_name, bytes }, ctx.library.max_bytes).await {
            Ok(checked) => images.push((url, upload, checked)),
            Err(e) => notes.push(format!("ảnh {name} không nhập: {e}")),
        }
    }
    Prepared {
        post,
        images,
        notes,
    }
}

fn is_old(ctx: &Context<'_>, url: &str) -> bool {
    ctx.old_base
        .is_some_and(|b| url.starts_with(b.trim_end_matches('/')))
}

/// Stores prepared posts, [`BATCH`] or fewer, in one transaction; on a
/// database error, one by one. One outcome per post, in order.
pub async fn store_posts(
    ctx: &Context<'_>,
    images: &mut Images,
    posts: Vec<Prepared>,
) -> Vec<Done> {
    match store_together(ctx, images, &posts).await {
        Ok(done) => done,
        Err(_) => {
            let mut done = Vec::with_capacity(posts.len());
            for post in &posts {
                match store_together(ctx, images, std::slice::from_ref(post)).await {
                    Ok(mut d) => done.append(&mut d),
                    Err(e) => done.push(Done {
                        notes: post.notes.clone(),
                        ..Done::new(
                            post.post.kind(),
                            &post.post.title,
                            Outcome::Failed(format!("lỗi khi lưu: {e}")),
                        )
                    }),
                }
            }
            done
        }
    }
}

async fn store_together(
    ctx: &Context<'_>,
    images: &mut Images,
    posts: &[Prepared],
) -> Result<Vec<Done>, media::StoreError> {
    let mut tx = ctx.db.begin().await?;
    let mut written = Vec::new();
    let mut stored_images = Vec::new();
    let mut done = Vec::with_capacity(posts.len());
    for post in posts {
        done.push(store_post(&mut tx, ctx, images, post, &mut written, &mut stored_images).await?);
    }
    tx.commit().await?;
    for w in written {
        w.keep();
    }
    images.0.extend(stored_images);
    Ok(done)
}

async fn store_post(
    tx: &mut Tx,
    ctx: &Context<'_>,
    images: &Images,
    prepared: &Prepared,
    written: &mut Vec<media::Written>,
    stored_images: &mut Vec<(String, i64)>,
) -> Result<Done, media::StoreError> {
    let post = &prepared.post;
    let kind = post.kind();
    let site_id = ctx.site.id;
    let done = |outcome| Done {
        notes: prepared.notes.clone(),
        ..Done::new(kind, &post.title, outcome)
    };
    let mut new_images = 0;
    if ledger::find_in(tx, site_id, ctx.source, kind, &post.source_id)
        .await?
        .is_some()
    {
        return Ok(done(Outcome::Known));
    }
    // Each image once: stored by this run, by an earlier one, or now.
    let mut map = HashMap::new();
    let mut featured = String::new();
    for (url, upload, checked) in &prepared.images {
        let earlier = stored_images
            .iter()
            .find(|(k, _)| *k == upload.key)
            .map(|(_, id)| *id)
            .or_else(|| images.0.get(&upload.key).copied());
        let earlier = match earlier {
            Some(id) => Some(id),
            None => ledger::find_in(tx, site_id, ctx.source, Kind::Image, &upload.key).await?,
        };
        let image = match earlier {
            Some(id) => media::find_in(tx, site_id, id).await?,
            None => None,
        };
        let image = match image {
            Some(image) => image,
            None => {
                let (image, files) =
                    media::store(tx, ctx.library, site_id, None, checked, ctx.now).await?;
                written.push(files);
                ledger::record(
                    tx,
                    site_id,
                    ctx.source,
                    Kind::Image,
                    &upload.key,
                    image.id,
                    ctx.now,
                )
                .await?;
                stored_images.push((upload.key.clone(), image.id));
                new_images += 1;
                image
            }
        };
        if post.featured.as_deref() == Some(url.as_str()) {
            featured = image.url();
        }
        map.insert(url.clone(), image.url_for_width(VARIANT_WIDTHS[0]));
    }
    let style = ctx.site.tone_style();
    let featured_alt = crate::content::text::clean(&post.featured_alt, style).replace('\n', " ");
    let featured_alt: String = featured_alt
        .chars()
        .take(crate::content::editorial::MAX_ALT)
        .collect();
    let body = body::clean(&post.body, &map, ctx.old_base, style);
    let summary = summary_text(&post.summary, style);
    let title = crate::content::text::clean(&sanitize::plain_text(&post.title), style);
    if title.is_empty() {
        return Ok(done(Outcome::Failed("không có tiêu đề".into())));
    }
    let own = if post.slug.trim().is_empty() {
        vntext::slugify(&title)
    } else {
        vntext::slugify(&percent_decoded(&post.slug))
    };
    let own = if own.is_empty() {
        vntext::slugify(&title)
    } else {
        own
    };
    let (article_kind, base_slug) = match (kind, &post.parent) {
        (Kind::Page, Some((_, parent))) => (article::Kind::Page, format!("{parent}/{own}")),
        (Kind::Page, None) if page::RESERVED.contains(&own.as_str()) => {
            (article::Kind::Page, format!("{own}-trang"))
        }
        (Kind::Page, None) => (article::Kind::Page, own),
        _ => (article::Kind::News, own),
    };
    let new = NewArticle {
        site_id,
        author_id: post.author_id,
        featured_image: &featured,
        featured_alt: if featured.is_empty() {
            ""
        } else {
            &featured_alt
        },
        category_id: post.category_id.filter(|_| kind == Kind::Post),
        title: &title,
        summary: &summary,
        body: &body,
        byline: post.byline.trim(),
        status: post.status,
        published_at: post.published_at,
        source_hash: None,
        kind: article_kind,
        parent_id: post.parent.as_ref().map(|(id, _)| *id),
        position: post.position,
        shows: "",
    };
    // Created when the old site created it (a draft keeps its date too).
    let created = post.created_at.unwrap_or(ctx.now);
    let Some((id, slug)) = article::insert(tx, &new, &base_slug, created).await? else {
        return Ok(done(Outcome::Known));
    };
    let path = public_path_of(article_kind.as_str(), &slug);
    let detail = format!("{}: {title}", ctx.label);
    let entry = audit::Record {
        site_id,
        user_id: None,
        action: audit::Action::ArticleImport,
        target: &format!("#{id}"),
        detail: &detail,
    };
    audit::record(tx, entry, ctx.now).await?;
    ledger::record(tx, site_id, ctx.source, kind, &post.source_id, id, ctx.now).await?;
    let own_key = redirect::key(&path);
    let mut keys: Vec<String> = post
        .old_paths
        .iter()
        .filter_map(|old| redirect::key(old))
        .filter(|k| k != "/" && Some(k) != own_key.as_ref())
        .collect();
    keys.sort();
    keys.dedup();
    let redirects = redirect::add_all(tx, site_id, &keys, id, ctx.label, ctx.now).await?;
    Ok(Done {
        images: new_images,
        redirects: redirects as usize,
        ..done(Outcome::Added(path))
    })
}

/// A summary as text: tags, shortcodes and spacing gone.
fn summary_text(html: &str, style: Option<vntext::ToneStyle>) -> String {
    let text = sanitize::plain_text(&body::strip_shortcodes(html));
    crate::content::text::clean(&text, style)
}

fn percent_decoded(s: &str) -> String {
    redirect::key(&format!("/{s}"))
        .map(|k| k.trim_start_matches('/').to_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// A category of the old site: one of this site's with the same slug, or
/// a new one; its old addresses lead to it.
pub async fn store_category(
    ctx: &Context<'_>,
    source_id: &str,
    name: &str,
    slug: &str,
    old_paths: &[String],
) -> sqlx::Result<(i64, Outcome)> {
    const FIND: &str = "SELECT id FROM categories WHERE site_id = $1 AND slug = $2";
    const INSERT: &str = "INSERT INTO categories (site_id, name, slug, position, created_at) \
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories WHERE site_id = $1), $4) \
         ON CONFLICT (site_id, slug) DO NOTHING RETURNING id";
    let site_id = ctx.site.id;
    if let Some(id) = ledger::find(ctx.db, site_id, ctx.source, Kind::Category, source_id).await? {
        return Ok((id, Outcome::Known));
    }
    let mut tx = ctx.db.begin().await?;
    let name = crate::content::text::clean(&sanitize::plain_text(name), ctx.site.tone_style());
    let slug = match vntext::slugify(&percent_decoded(slug)) {
        s if s.is_empty() => vntext::slugify(&name),
        s => s,
    };
    let existing: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(FIND)
        .bind(site_id).bind(&slug).fetch_optional(&mut *conn).await)?;
    let id = match existing {
        Some(id) => id,
        None => {
            let id: i64 = with_tx!(tx, conn => sqlx::query_scalar(INSERT)
                .bind(site_id).bind(&name).bind(&slug).bind(ctx.now).fetch_one(&mut *conn).await)?;
            let detail = format!("{}: {name}", ctx.label);
            let entry = audit::Record {
                site_id,
                user_id: None,
                action: audit::Action::CategoryCreate,
                target: &slug,
                detail: &detail,
            };
            audit::record(&mut tx, entry, ctx.now).await?;
            id
        }
    };
    ledger::record(
        &mut tx,
        site_id,
        ctx.source,
        Kind::Category,
        source_id,
        id,
        ctx.now,
    )
    .await?;
    let target = format!("/chuyen-muc/{slug}");
    for old in old_paths {
        if let Some(k) = redirect::key(old).filter(|k| k != "/" && *k != target) {
            redirect::add(
                &mut tx,
                site_id,
                &k,
                redirect::Target::Path(&target),
                ctx.label,
                ctx.now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok((id, Outcome::Added(target)))
}

/// An author of the old site: a staff account with their name, disabled
/// (an admin enables it and sets a password), under their login or, when
/// that is taken here, the login with a number.
pub async fn store_author(
    ctx: &Context<'_>,
    source_id: &str,
    login: &str,
    display_name: &str,
) -> anyhow::Result<(i64, Outcome)> {
    let site_id = ctx.site.id;
    if let Some(id) = ledger::find(ctx.db, site_id, ctx.source, Kind::Author, source_id).await? {
        return Ok((id, Outcome::Known));
    }
    let base = user::normalize_username(&vntext::slugify(login).replace('-', "."))
        .unwrap_or_else(|| format!("tacgia{source_id}"));
    let display =
        crate::accounts::manage::display_name(display_name).unwrap_or_else(|| base.clone());
    // Nobody knows this password: the account is disabled until an admin
    // sets one.
    let hash = password::hash(secret::random_hex(32)).await?;
    let mut tx = ctx.db.begin().await?;
    let mut n = 1;
    let (id, username) = loop {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        if let Some(id) = user::insert(
            &mut tx,
            site_id,
            &name,
            &display,
            &hash,
            Role::Author,
            ctx.now,
        )
        .await?
        {
            break (id, name);
        }
        n += 1;
        anyhow::ensure!(n < 100, "không đặt được tên đăng nhập cho tác giả {login}");
    };
    user::update_profile(&mut tx, id, &display, Role::Author, true, ctx.now).await?;
    let detail = format!("author, nhập từ {}, đang khoá", ctx.label);
    let entry = audit::Record {
        site_id,
        user_id: None,
        action: audit::Action::UserCreate,
        target: &username,
        detail: &detail,
    };
    audit::record(&mut tx, entry, ctx.now).await?;
    ledger::record(
        &mut tx,
        site_id,
        ctx.source,
        Kind::Author,
        source_id,
        id,
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, Outcome::Added(username)))
}
