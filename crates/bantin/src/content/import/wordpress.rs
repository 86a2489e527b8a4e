//! `bantin import-wordpress`: a WordPress export (WXR) brought into a
//! site. The file is read twice, as a stream both times: first to learn
//! the authors, categories, attachments and the page tree (and to refuse
//! a damaged file before anything is stored), then to store the posts,
//! [`BATCH`](super::incoming::BATCH) to a transaction, and the pages,
//! parents first.

use std::collections::HashMap;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::incoming::{self, Context, Done, Images, Outcome, Post};
use super::ledger::Kind;
use super::wxr::{self, Entry, Item, WxrError};
use crate::content::article::Status;
use crate::content::{category, media::Library};
use crate::db::Db;
use crate::localtime;
use crate::site::Site;

/// What the first reading found.
#[derive(Debug, Default)]
pub struct Survey {
    pub base_url: String,
    pub authors: Vec<wxr::Author>,
    pub categories: Vec<wxr::Category>,
    /// Attachment post id → its file's address and alt text.
    attachments: HashMap<String, (String, String)>,
    /// Page post id → its parent's post id.
    page_parents: HashMap<String, String>,
    /// Posts and pages to import.
    pub items: u64,
}

impl Survey {
    /// Everything the run will report on: authors, categories, posts and
    /// pages.
    pub fn total(&self) -> u64 {
        self.items + self.authors.len() as u64 + self.categories.len() as u64
    }
}

fn open(path: &Path) -> Result<wxr::Reader<BufReader<std::fs::File>>, WxrError> {
    let file = std::fs::File::open(path).map_err(|e| WxrError {
        position: 0,
        message: format!("không mở được {}: {e}", path.display()),
    })?;
    Ok(wxr::Reader::new(BufReader::with_capacity(256 * 1024, file)))
}

/// Reads the whole export once (blocking): what it holds, or why it is
/// not a usable export.
pub fn survey(path: &Path) -> Result<Survey, WxrError> {
    let mut reader = open(path)?;
    let mut survey = Survey::default();
    while let Some(entry) = reader.next_entry()? {
        match entry {
            Entry::Author(a) => survey.authors.push(a),
            Entry::Category(c) => survey.categories.push(c),
            Entry::Item(item) => match item.post_type.as_str() {
                "attachment" => {
                    let url = if item.attachment_url.is_empty() {
                        item.meta("_wp_attached_file").unwrap_or("").to_owned()
                    } else {
                        item.attachment_url.clone()
                    };
                    let alt = item
                        .meta("_wp_attachment_image_alt")
                        .unwrap_or("")
                        .to_owned();
                    survey.attachments.insert(item.post_id.clone(), (url, alt));
                }
                "page" => {
                    survey
                        .page_parents
                        .insert(item.post_id.clone(), item.post_parent.clone());
                    survey.items += 1;
                }
                _ => survey.items += 1,
            },
        }
    }
    if reader.wxr_version.is_empty() {
        return Err(WxrError {
            position: 0,
            message: "không có wp:wxr_version: đây không phải tệp xuất của WordPress".into(),
        });
    }
    survey.base_url = if reader.base_blog_url.is_empty() {
        reader.base_site_url.clone()
    } else {
        reader.base_blog_url.clone()
    };
    Ok(survey)
}

/// Where the run stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Finish {
    Complete,
    /// The report asked to stop (as a kill would: the batch in hand is
    /// not stored).
    Stopped,
}

/// What the import is told.
pub struct Options<'a> {
    pub export: &'a Path,
    pub uploads: Option<&'a Path>,
    pub library: &'a Library,
    pub now: DateTime<Utc>,
}

/// Imports the export into `site`, reporting each item as it is done.
pub async fn import(
    db: &Db,
    site: &Site,
    options: Options<'_>,
    survey: &Survey,
    mut report: impl FnMut(&Done) -> ControlFlow<()>,
) -> anyhow::Result<Finish> {
    let source = format!("wordpress {}", survey.base_url.trim_end_matches('/'));
    let base = survey.base_url.trim_end_matches('/');
    let ctx = Context {
        db,
        site,
        source: &source,
        label: "wordpress",
        old_base: (!base.is_empty()).then_some(base),
        uploads: options.uploads,
        library: options.library,
        now: options.now,
    };
    macro_rules! tell {
        ($done:expr) => {
            if report(&$done).is_break() {
                return Ok(Finish::Stopped);
            }
        };
    }
    // Authors and categories first: posts point at them.
    let mut authors = HashMap::new();
    for a in &survey.authors {
        let display = if a.display_name.is_empty() {
            &a.login
        } else {
            &a.display_name
        };
        let key = if a.id.is_empty() { &a.login } else { &a.id };
        let done = match incoming::store_author(&ctx, key, &a.login, display).await {
            Ok((id, outcome)) => {
                authors.insert(a.login.clone(), (id, display.clone()));
                Done::new(Kind::Author, display, outcome)
            }
            Err(e) => Done::new(Kind::Author, display, Outcome::Failed(e.to_string())),
        };
        tell!(done);
    }
    let default_category = category::find_by_slug(db, site.id, category::DEFAULT_SLUG)
        .await?
        .map(|c| c.id);
    let mut categories = HashMap::new();
    for c in &survey.categories {
        if is_uncategorized(&c.nicename) {
            tell!(Done::new(
                Kind::Category,
                &c.name,
                Outcome::Skipped(
                    "chuyên mục mặc định của WordPress: bài vào chuyên mục Tin tức".into()
                )
            ));
            continue;
        }
        let old = [
            format!("/category/{}", c.nicename),
            format!("/?cat={}", c.term_id),
        ];
        let key = if c.term_id.is_empty() {
            &c.nicename
        } else {
            &c.term_id
        };
        let done = match incoming::store_category(&ctx, key, &c.name, &c.nicename, &old).await {
            Ok((id, outcome)) => {
                categories.insert(c.nicename.clone(), id);
                let redirects = if matches!(outcome, Outcome::Added(_)) {
                    old.len()
                } else {
                    0
                };
                Done {
                    redirects,
                    ..Done::new(Kind::Category, &c.name, outcome)
                }
            }
            Err(e) => Done::new(Kind::Category, &c.name, Outcome::Failed(e.to_string())),
        };
        tell!(done);
    }
    let lookup = Lookup {
        survey,
        authors: &authors,
        categories: &categories,
        default_category,
        base,
        now: options.now,
    };

    // The second reading, on a thread of its own, a batch ahead.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Box<Item>, WxrError>>(incoming::BATCH);
    let path = PathBuf::from(options.export);
    let reading = tokio::task::spawn_blocking(move || {
        let mut reader = match open(&path) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        loop {
            match reader.next_entry() {
                Ok(Some(Entry::Item(item))) => {
                    if tx.blocking_send(Ok(item)).is_err() {
                        return;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    let mut images = Images::default();
    let known = incoming::Known::load(&ctx, Kind::Post).await?;
    let mut batch = Vec::new();
    let mut pages = Vec::new();
    while let Some(item) = rx.recv().await {
        let item = item?;
        if item.post_type == "attachment" {
            continue;
        }
        let post = match lookup.post(&item) {
            Ok(post) => post,
            Err(skip) => {
                tell!(skip);
                continue;
            }
        };
        let kind = post.kind.unwrap_or(Kind::Post);
        if kind == Kind::Page {
            pages.push((item.post_id.clone(), item.post_parent.clone(), post));
            continue;
        }
        if known.has(&post.source_id) {
            tell!(Done::new(kind, &post.title, Outcome::Known));
            continue;
        }
        batch.push(post);
        if batch.len() >= incoming::BATCH {
            let prepared = incoming::prepare_all(&ctx, std::mem::take(&mut batch)).await;
            for done in incoming::store_posts(&ctx, &mut images, prepared).await {
                tell!(done);
            }
        }
    }
    drop(rx);
    let _ = reading.await;
    let prepared = incoming::prepare_all(&ctx, batch).await;
    for done in incoming::store_posts(&ctx, &mut images, prepared).await {
        tell!(done);
    }

    // Pages, parents first; a page deeper than bantin's two levels goes
    // under its top-level ancestor.
    let mut placed: HashMap<String, Option<(i64, String)>> = HashMap::new();
    let top_of = |id: &str| -> String {
        let mut at = id.to_owned();
        for _ in 0..50 {
            match survey.page_parents.get(&at) {
                Some(p) if p != "0" && !p.is_empty() && survey.page_parents.contains_key(p) => {
                    at = p.clone()
                }
                _ => break,
            }
        }
        at
    };
    let (tops, subs): (Vec<_>, Vec<_>) =
        pages.into_iter().partition(|(id, _, _)| top_of(id) == *id);
    for (id, _, post) in tops {
        let kind = Kind::Page;
        let done = store_page(&ctx, &mut images, post).await?;
        let slug = match &done.outcome {
            Outcome::Added(path) => Some(path.trim_start_matches('/').to_owned()),
            Outcome::Known => incoming::page_of(&ctx, &id).await?,
            _ => None,
        };
        let own = super::ledger::find(db, site.id, &source, kind, &id).await?;
        placed.insert(id, own.zip(slug));
        tell!(done);
    }
    for (id, parent, mut post) in subs {
        let top = top_of(&id);
        post.parent = placed.get(&top).cloned().flatten();
        let mut done = store_page(&ctx, &mut images, post).await?;
        if top != parent && matches!(done.outcome, Outcome::Added(_)) {
            done.notes
                .push("trang quá hai cấp: đặt dưới trang cấp trên cùng của nó".into());
        }
        tell!(done);
    }
    Ok(Finish::Complete)
}

async fn store_page(ctx: &Context<'_>, images: &mut Images, post: Post) -> anyhow::Result<Done> {
    if incoming::known(ctx, Kind::Page, &post.source_id).await? {
        return Ok(Done::new(Kind::Page, &post.title, Outcome::Known));
    }
    let prepared = incoming::prepare(ctx, post).await;
    let mut done = incoming::store_posts(ctx, images, vec![prepared]).await;
    Ok(done.pop().expect("one page, one outcome"))
}

fn is_uncategorized(nicename: &str) -> bool {
    matches!(
        nicename,
        "uncategorized" | "chua-phan-loai" | "khong-phan-loai"
    )
}

/// What the posts point at, as imported.
struct Lookup<'a> {
    survey: &'a Survey,
    authors: &'a HashMap<String, (i64, String)>,
    categories: &'a HashMap<String, i64>,
    default_category: Option<i64>,
    base: &'a str,
    now: DateTime<Utc>,
}

impl Lookup<'_> {
    /// The post an item becomes, or why it is passed over.
    fn post(&self, item: &Item) -> Result<Post, Done> {
        let kind = match item.post_type.as_str() {
            "post" => Kind::Post,
            "page" => Kind::Page,
            other => {
                return Err(Done::new(
                    Kind::Other,
                    &item.title,
                    Outcome::Skipped(format!("loại “{other}” không nhập")),
                ));
            }
        };
        let status = match item.status.as_str() {
            "publish" | "future" => Status::Published,
            "draft" => Status::Draft,
            "pending" => Status::Pending,
            "private" => Status::Unpublished,
            "trash" => return Err(skip(kind, item, "trong thùng rác")),
            "auto-draft" => return Err(skip(kind, item, "bản nháp tự động, chưa viết")),
            other => {
                return Err(skip(
                    kind,
                    item,
                    &format!("trạng thái “{other}” không nhập"),
                ));
            }
        };
        let date = wp_date(&item.post_date_gmt, true).or_else(|| wp_date(&item.post_date, false));
        let published_at = match status {
            Status::Published | Status::Unpublished => Some(date.unwrap_or(self.now)),
            _ => None,
        };
        let category = item
            .terms
            .iter()
            .filter(|(domain, _, _)| domain == "category")
            .find_map(|(_, nicename, _)| self.categories.get(nicename).copied())
            .or(self.default_category);
        let author = self.authors.get(&item.creator);
        let (featured, featured_alt) = match item
            .meta("_thumbnail_id")
            .and_then(|id| self.survey.attachments.get(id.trim()))
            .filter(|(u, _)| !u.is_empty())
        {
            Some((url, alt)) => (Some(url.clone()), alt.clone()),
            None => (None, String::new()),
        };
        let mut old_paths = Vec::new();
        for address in [&item.link, &item.guid] {
            if let Some(path) = self.own_path(address) {
                old_paths.push(path);
            }
        }
        old_paths.push(match kind {
            Kind::Page => format!("/?page_id={}", item.post_id),
            _ => format!("/?p={}", item.post_id),
        });
        Ok(Post {
            kind: Some(kind),
            source_id: item.post_id.clone(),
            title: item.title.clone(),
            slug: item.post_name.clone(),
            summary: item.excerpt.clone(),
            body: item.content.clone(),
            status,
            published_at,
            created_at: date,
            category_id: category,
            author_id: author.map(|(id, _)| *id),
            byline: author.map(|(_, name)| name.clone()).unwrap_or_default(),
            parent: None,
            position: item.menu_order.trim().parse().unwrap_or(0),
            featured,
            featured_alt,
            old_paths,
        })
    }

    /// The path of an address of the old site (`https://xa.example.vn/a/`
    /// → `/a/`); `None` for an address elsewhere.
    fn own_path(&self, address: &str) -> Option<String> {
        let address = address.trim();
        if address.starts_with('/') {
            return Some(address.to_owned());
        }
        if self.base.is_empty() {
            return None;
        }
        let strip = |a: &str| {
            a.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_start_matches("www.")
                .to_owned()
        };
        let (a, b) = (strip(address), strip(self.base));
        let rest = a.strip_prefix(&b)?;
        match rest.chars().next() {
            None => None,
            Some('/' | '?') => Some(rest.to_owned()),
            _ => None,
        }
    }
}

fn skip(kind: Kind, item: &Item, why: &str) -> Done {
    Done::new(kind, &item.title, Outcome::Skipped(why.to_owned()))
}

/// A WordPress date: `2023-05-01 08:00:00`, in UTC (`post_date_gmt`) or
/// the site's time, taken as Vietnam's; `None` for `0000-00-00 …`.
fn wp_date(s: &str, utc: bool) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    if utc {
        Some(Utc.from_utc_datetime(&naive))
    } else {
        localtime::vietnam()
            .from_local_datetime(&naive)
            .single()
            .map(|d| d.with_timezone(&Utc))
    }
}
