//! The editorial actions on an article, in one place for the web editor and
//! the command line: create, save, submit, publish (now or at a set time),
//! return, unpublish and restore a revision. Each is one transaction with
//! its revision and audit entries, so a crash leaves either the whole
//! action or nothing; each checks the workflow's rules ([`workflow`]) and
//! the article's version, and answers with one [`Error`].
//!
//! What staff type is checked by pure functions first ([`clean`],
//! [`status_change`]); an uploaded image is decoded before anything is
//! written and stored only in the transaction of the action that keeps it,
//! so a preview stores nothing.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::article::{self, Change, Content, Editable, NewArticle, Status};
use super::media::{self, Checked, Library, Upload};
use super::workflow::{self, Action};
use super::{category, revision, sanitize, text};
use crate::accounts::Role;
use crate::audit;
use crate::db::Db;
use crate::localtime;
use crate::site::Site;

pub const MAX_TITLE: usize = 300;
pub const MAX_SUMMARY: usize = 600;
pub const MAX_BYLINE: usize = 120;
pub const MAX_ALT: usize = 300;

/// Who acts.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
}

/// What the editor's form holds, as typed.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub category_id: Option<i64>,
    /// `/media/…` of an image already in the library, or empty.
    pub featured_image: String,
    /// What the featured image shows, for those who cannot see it.
    pub featured_alt: String,
    /// `dd/mm/yyyy HH:mm` (or the `datetime-local` form), Vietnamese time.
    pub publish_at: String,
    pub review_comment: String,
    /// News or a page; a page's place in the tree and what it shows.
    pub kind: article::Kind,
    pub parent_id: Option<i64>,
    pub position: i64,
    pub shows: String,
    /// A document's register entry (number, type, dates…).
    pub document: super::document::Typed,
}

impl Input {
    pub fn of(a: &Editable) -> Input {
        Input {
            title: a.title.clone(),
            summary: a.summary.clone(),
            body: a.body.clone(),
            byline: a.byline.clone(),
            category_id: a.category_id,
            featured_image: a.featured_image.clone(),
            featured_alt: a.featured_alt.clone(),
            publish_at: a.published_at.map(schedule_value).unwrap_or_default(),
            review_comment: a.review_comment.clone(),
            kind: a.kind,
            parent_id: a.parent_id,
            position: a.position,
            shows: a.shows.clone(),
            document: super::document::Typed::default(),
        }
    }
}

/// Someone else saved first: who, when, and the version they left.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub who: Option<String>,
    pub at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What was typed cannot be stored; the message is for the form.
    #[error("{0}")]
    Invalid(String),
    #[error("not allowed")]
    Forbidden,
    #[error("no such article")]
    NotFound,
    #[error("saved by someone else first")]
    Conflict(Conflict),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot write the image: {0}")]
    Storage(#[from] std::io::Error),
}

impl From<media::StoreError> for Error {
    fn from(e: media::StoreError) -> Error {
        match e {
            media::StoreError::Rejected(r) => Error::Invalid(format!("Ảnh đại diện: {r}")),
            media::StoreError::Io(e) => Error::Storage(e),
            media::StoreError::Database(e) => Error::Database(e),
        }
    }
}

/// Cleans and checks the typed text (no database): the content to store,
/// or a message for the form. The featured image and category are checked
/// against the site by [`prepare`].
pub fn clean(input: &Input, style: Option<vntext::ToneStyle>) -> Result<Content, String> {
    let one_line = |s: &str| text::clean(s, style).replace('\n', " ");
    let title = one_line(&input.title);
    let summary = one_line(&input.summary);
    let byline = one_line(&input.byline);
    let featured_alt = one_line(&input.featured_alt);
    let body = sanitize::body(&input.body, style);
    if title.is_empty() {
        return Err("Bài viết cần có tiêu đề.".into());
    }
    if title.chars().count() > MAX_TITLE {
        return Err(format!("Tiêu đề dài quá {MAX_TITLE} ký tự."));
    }
    if summary.chars().count() > MAX_SUMMARY {
        return Err(format!("Tóm tắt dài quá {MAX_SUMMARY} ký tự."));
    }
    if byline.chars().count() > MAX_BYLINE {
        return Err(format!("Tên tác giả dài quá {MAX_BYLINE} ký tự."));
    }
    if featured_alt.chars().count() > MAX_ALT {
        return Err(format!("Mô tả ảnh đại diện dài quá {MAX_ALT} ký tự."));
    }
    // A document's text is optional: its abstract and files are the
    // document.
    if sanitize::plain_text(&body).is_empty() && input.kind != article::Kind::Document {
        return Err("Bài viết cần có nội dung.".into());
    }
    Ok(Content {
        title,
        summary,
        body,
        byline,
        category_id: input.category_id,
        featured_image: input.featured_image.clone(),
        featured_alt,
    })
}

/// `05/12/2026 07:30` in Vietnamese time: how the schedule field shows a
/// time whatever the browser's language.
pub fn schedule_value(at: DateTime<Utc>) -> String {
    at.with_timezone(&localtime::vietnam())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// A publication time as typed: `dd/mm/yyyy HH:mm` (also `dd/mm/yyyy`
/// for midnight), or the `yyyy-mm-ddTHH:mm` of a `datetime-local` field.
pub fn parse_schedule(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%d/%m/%Y %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(&format!("{s} 00:00"), "%d/%m/%Y %H:%M"))
        .ok()?;
    localtime::vietnam()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The status part of a workflow action on an article in `from`.
/// Publishing without a time publishes now.
pub fn status_change(
    action: Action,
    from: Status,
    input: &Input,
    now: DateTime<Utc>,
) -> Result<Change, String> {
    let mut change = Change {
        status: Some(action.target(from)),
        ..Change::default()
    };
    match action {
        Action::Edit => change.status = None,
        Action::Publish => {
            change.published_at = Some(match input.publish_at.trim() {
                "" => now,
                s => parse_schedule(s).ok_or(
                    "Thời gian xuất bản không hợp lệ: hãy ghi theo dạng ngày/tháng/năm giờ:phút, \
                     ví dụ 05/12/2026 07:30.",
                )?,
            });
            change.review_comment = Some(String::new());
        }
        Action::Return => {
            let comment = vntext::normalize(&input.review_comment);
            if comment.is_empty() {
                return Err("Hãy ghi nhận xét khi trả bài cho tác giả.".into());
            }
            change.review_comment = Some(comment);
        }
        Action::Submit | Action::Unpublish => {}
    }
    Ok(change)
}

/// The audit entry of an action (publishing at a later time is scheduling).
fn audit_action(action: Action, change: &Change, now: DateTime<Utc>) -> audit::Action {
    match action {
        Action::Edit => audit::Action::ArticleSave,
        Action::Submit => audit::Action::ArticleSubmit,
        Action::Publish if change.published_at.is_some_and(|t| t > now) => {
            audit::Action::ArticleSchedule
        }
        Action::Publish => audit::Action::ArticlePublish,
        Action::Return => audit::Action::ArticleReturn,
        Action::Unpublish => audit::Action::ArticleUnpublish,
    }
}

/// Where an editorial action happens.
pub struct Desk<'a> {
    pub db: &'a Db,
    pub site: &'a Site,
    pub library: Library,
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// Content checked against the site, with a new featured image decoded but
/// not stored.
pub struct Prepared {
    pub content: Content,
    pub new_image: Option<Checked>,
    /// A page's place: its parent (checked), position and what it shows.
    pub placement: Option<(Option<super::page::Node>, i64, String)>,
    /// A document's register entry, checked.
    pub register: Option<super::document::Entry>,
    /// Images of the body not stored yet (a Word file's), each standing in
    /// the body as `docx::PLACEHOLDER` + its number.
    pub body_images: Vec<(usize, Checked)>,
}

impl Prepared {
    /// The content as a preview shows it: a new image as a `data:` URL.
    pub fn preview(&self) -> Content {
        let mut content = self.content.clone();
        if let Some(image) = &self.new_image {
            content.featured_image = image.data_url();
        }
        content
    }

    /// Circular 32/2017 Art. 18: an image that is kept comes with a text
    /// alternative (a preview may go without, to see the image first).
    fn check_alt(&self) -> Result<(), Error> {
        let has_image = self.new_image.is_some() || !self.content.featured_image.is_empty();
        if has_image && self.content.featured_alt.is_empty() {
            return Err(Error::Invalid(
                "Hãy ghi mô tả ảnh đại diện (ảnh cho thấy gì), cho người không xem được ảnh."
                    .into(),
            ));
        }
        Ok(())
    }
}

impl Desk<'_> {
    /// The article, if the actor may open it (authors: their own only).
    pub async fn load(&self, id: i64) -> Result<Editable, Error> {
        let a = article::find_editable(self.db, self.site.id, id)
            .await?
            .ok_or(Error::NotFound)?;
        if !self.actor.role.can_review() && a.author_id != Some(self.actor.user_id) {
            return Err(Error::Forbidden);
        }
        Ok(a)
    }

    /// Whether the actor may do `action` to the article (`None`: a new one).
    pub fn allowed(&self, article: Option<&Editable>, action: Action) -> bool {
        let (status, is_author) = match article {
            Some(a) => (a.status, a.author_id == Some(self.actor.user_id)),
            None => (Status::Draft, true),
        };
        workflow::allowed(self.actor.role, is_author, status, action)
    }

    /// Cleans the typed content and checks it against the site (category,
    /// featured image); a new image is decoded, not stored.
    pub async fn prepare(&self, input: &Input, upload: Option<Upload>) -> Result<Prepared, Error> {
        let mut content = clean(input, self.site.tone_style()).map_err(Error::Invalid)?;
        content.body = media::responsive(self.db, self.site.id, &content.body).await?;
        if let Some(id) = content.category_id
            && category::find(self.db, self.site.id, id).await?.is_none()
        {
            return Err(Error::Invalid("Chuyên mục không tồn tại.".into()));
        }
        let new_image = match upload {
            Some(upload) => Some(media::check(upload, self.library.max_bytes).await?),
            None => None,
        };
        if new_image.is_none() && content.featured_image.is_empty() {
            content.featured_alt.clear();
        }
        if new_image.is_none() && !content.featured_image.is_empty() {
            content.featured_image =
                match media::find_by_url(self.db, self.site.id, &content.featured_image).await? {
                    Some(image) => image.url(),
                    None => return Err(Error::Invalid("Ảnh đại diện không hợp lệ.".into())),
                };
        }
        let register = match input.kind {
            article::Kind::Document => Some(
                super::document::check(self.db, self.site.id, &input.document, None)
                    .await?
                    .map_err(Error::Invalid)?,
            ),
            _ => None,
        };
        let placement = match input.kind {
            article::Kind::News | article::Kind::Document => None,
            article::Kind::Page => {
                let parent = match input.parent_id {
                    None => None,
                    Some(id) => {
                        let tree = super::page::tree(self.db, self.site.id).await?;
                        match tree
                            .into_iter()
                            .find(|n| n.id == id && n.parent_id.is_none())
                        {
                            Some(p) => Some(p),
                            None => {
                                return Err(Error::Invalid(
                                    "Trang cha phải là một trang cấp trên cùng (trang chỉ có hai cấp)."
                                        .into(),
                                ));
                            }
                        }
                    }
                };
                let shows = match input.shows.as_str() {
                    s @ ("" | "leaders" | "units") => s.to_owned(),
                    _ => return Err(Error::Invalid("Phần hiện thêm không hợp lệ.".into())),
                };
                Some((parent, input.position, shows))
            }
        };
        Ok(Prepared {
            content,
            new_image,
            placement,
            register,
            body_images: Vec::new(),
        })
    }

    /// A new article by the actor: a draft, then perhaps submitted or
    /// published at once. Returns its id.
    pub async fn create(
        &self,
        prepared: Prepared,
        action: Action,
        input: &Input,
    ) -> Result<i64, Error> {
        if !self.allowed(None, action) {
            return Err(Error::Forbidden);
        }
        prepared.check_alt()?;
        let status =
            status_change(action, Status::Draft, input, self.now).map_err(Error::Invalid)?;
        let (site_id, now) = (self.site.id, self.now);
        let user = Some(self.actor.user_id);
        let mut content = prepared.content;
        let mut tx = self.db.begin().await?;
        let written = match &prepared.new_image {
            Some(checked) => {
                let (image, written) =
                    media::store(&mut tx, &self.library, site_id, user, checked, now).await?;
                content.featured_image = image.url();
                Some(written)
            }
            None => None,
        };
        // The body's own images, stored with the article.
        let mut body_written = Vec::new();
        for (number, checked) in &prepared.body_images {
            let (image, w) =
                media::store(&mut tx, &self.library, site_id, user, checked, now).await?;
            // `<img src="/media/docx-N" alt="…">`: the stored image's own tag.
            let at = format!("<img src=\"{}{number}\"", super::docx::PLACEHOLDER);
            if let Some(start) = content.body.find(&at) {
                let end = content.body[start..]
                    .find('>')
                    .map_or(content.body.len(), |e| start + e + 1);
                let tag = content.body[start..end].to_owned();
                let alt = tag
                    .split_once(" alt=\"")
                    .and_then(|(_, r)| r.split_once('"'))
                    .map_or(String::new(), |(a, _)| {
                        a.replace("&quot;", "\"")
                            .replace("&lt;", "<")
                            .replace("&gt;", ">")
                            .replace("&amp;", "&")
                    });
                content
                    .body
                    .replace_range(start..end, &image.body_tag(&alt, ""));
            }
            body_written.push(w);
        }
        let (kind, parent, position, shows) = match (&prepared.placement, &prepared.register) {
            (Some((parent, position, shows)), _) => (
                article::Kind::Page,
                parent.as_ref(),
                *position,
                shows.as_str(),
            ),
            (None, Some(_)) => (article::Kind::Document, None, 0, ""),
            (None, None) => (article::Kind::News, None, 0, ""),
        };
        let slug = match (kind, &prepared.register) {
            (article::Kind::Page, _) => {
                super::page::slug_under(parent.map(|p| p.slug.as_str()), &content.title)
            }
            (article::Kind::Document, Some(e)) => {
                vntext::slugify(&format!("{} {}", e.number, content.title))
            }
            _ => vntext::slugify(&content.title),
        };
        let new = NewArticle {
            site_id,
            author_id: user,
            featured_image: &content.featured_image,
            featured_alt: &content.featured_alt,
            category_id: content.category_id.filter(|_| kind == article::Kind::News),
            title: &content.title,
            summary: &content.summary,
            body: &content.body,
            byline: &content.byline,
            status: Status::Draft,
            published_at: None,
            source_hash: None,
            kind,
            parent_id: parent.map(|p| p.id),
            position,
            shows,
        };
        let (id, _) = article::insert(&mut tx, &new, &slug, now)
            .await?
            .ok_or_else(|| {
                sqlx::Error::Protocol("an article without a source hash was refused".into())
            })?;
        if let Some(e) = &prepared.register {
            super::document::write(&mut tx, site_id, id, e).await?;
        }
        let target = format!("#{id}");
        let entry = |action| audit::Record {
            site_id,
            user_id: user,
            action,
            target: &target,
            detail: &content.title,
        };
        audit::record(&mut tx, entry(audit::Action::ArticleCreate), now).await?;
        if action != Action::Edit {
            article::apply(&mut tx, site_id, id, 1, &status, user, now)
                .await?
                .ok_or_else(|| sqlx::Error::Protocol("a new article changed under us".into()))?;
            audit::record(&mut tx, entry(audit_action(action, &status, now)), now).await?;
        }
        tx.commit().await?;
        if let Some(w) = written {
            w.keep();
        }
        for w in body_written {
            w.keep();
        }
        Ok(id)
    }

    /// Saves the article as it was at `expected_version` (new content when
    /// the actor may edit it) and/or moves it through the workflow.
    /// Returns the new version.
    pub async fn save(
        &self,
        article: &Editable,
        expected_version: i64,
        prepared: Option<Prepared>,
        action: Action,
        input: &Input,
    ) -> Result<i64, Error> {
        if !self.allowed(Some(article), action) {
            return Err(Error::Forbidden);
        }
        if let Some(prepared) = &prepared {
            prepared.check_alt()?;
        }
        let mut change =
            status_change(action, article.status, input, self.now).map_err(Error::Invalid)?;
        let (site_id, now) = (self.site.id, self.now);
        let user = Some(self.actor.user_id);
        let mut tx = self.db.begin().await?;
        let mut written = None;
        if let Some(prepared) = prepared {
            if let Some((parent, position, shows)) = &prepared.placement {
                let moved = parent.as_ref().map(|p| p.id) != article.parent_id
                    || *position != article.position
                    || *shows != article.shows;
                if parent.as_ref().is_some_and(|p| p.id == article.id) {
                    return Err(Error::Invalid(
                        "Một trang không thể là trang cha của chính nó.".into(),
                    ));
                }
                let has_children = super::page::tree(self.db, site_id)
                    .await?
                    .iter()
                    .any(|n| n.parent_id == Some(article.id));
                if parent.is_some() && has_children {
                    return Err(Error::Invalid(
                        "Trang này có trang con nên phải ở cấp trên cùng (trang chỉ có hai cấp)."
                            .into(),
                    ));
                }
                if moved {
                    super::page::place(
                        &mut tx,
                        site_id,
                        article.id,
                        parent.as_ref(),
                        *position,
                        shows,
                    )
                    .await?;
                }
            }
            if let Some(e) = &prepared.register {
                if e.replaces.contains(&article.id) || e.amends.contains(&article.id) {
                    return Err(Error::Invalid(
                        "Một văn bản không thể thay thế hay sửa đổi chính nó.".into(),
                    ));
                }
                super::document::write(&mut tx, site_id, article.id, e).await?;
            }
            let mut content = prepared.content;
            if let Some(checked) = &prepared.new_image {
                let (image, w) =
                    media::store(&mut tx, &self.library, site_id, user, checked, now).await?;
                content.featured_image = image.url();
                written = Some(w);
            }
            change.content = Some(content);
        }
        let done = audit_action(action, &change, now);
        self.finish(
            tx,
            article,
            expected_version,
            &change,
            done,
            &article.title,
            written,
        )
        .await
    }

    /// Brings back an older revision's content as a new revision.
    pub async fn restore(
        &self,
        article: &Editable,
        revision_id: i64,
        expected_version: i64,
    ) -> Result<i64, Error> {
        if !self.allowed(Some(article), Action::Edit) {
            return Err(Error::Forbidden);
        }
        let r = revision::find(self.db, article.id, revision_id)
            .await?
            .ok_or(Error::NotFound)?;
        let change = Change {
            content: Some(Content {
                title: r.title,
                summary: r.summary,
                body: r.body,
                byline: r.byline,
                category_id: r.category_id,
                featured_image: r.featured_image,
                featured_alt: r.featured_alt,
            }),
            ..Change::default()
        };
        let tx = self.db.begin().await?;
        let detail = format!("phiên bản {}", r.version);
        let done = audit::Action::ArticleRestore;
        self.finish(tx, article, expected_version, &change, done, &detail, None)
            .await
    }

    /// Applies a change to an article still at `expected_version`, with its
    /// audit entry, and commits; a conflict changes nothing.
    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        mut tx: crate::db::Tx,
        article: &Editable,
        expected_version: i64,
        change: &Change,
        action: audit::Action,
        detail: &str,
        written: Option<media::Written>,
    ) -> Result<i64, Error> {
        let (site_id, now) = (self.site.id, self.now);
        let user = Some(self.actor.user_id);
        let applied = article::apply(
            &mut tx,
            site_id,
            article.id,
            expected_version,
            change,
            user,
            now,
        )
        .await?;
        let Some(version) = applied else {
            drop(tx);
            return Err(self.conflict(article.id).await);
        };
        let entry = audit::Record {
            site_id,
            user_id: user,
            action,
            target: &format!("#{}", article.id),
            detail,
        };
        audit::record(&mut tx, entry, now).await?;
        // What they were typing is now saved: its autosave goes.
        if let Some(u) = user {
            super::autosave::drop_in(&mut tx, article.id, u).await?;
        }
        tx.commit().await?;
        if let Some(w) = written {
            w.keep();
        }
        Ok(version)
    }

    /// Who saved the article first, for the message.
    async fn conflict(&self, id: i64) -> Error {
        match article::find_editable(self.db, self.site.id, id).await {
            Ok(Some(current)) => Error::Conflict(Conflict {
                who: current.updated_by_name,
                at: current.updated_at,
                version: current.version,
            }),
            Ok(None) => Error::NotFound,
            Err(e) => Error::Database(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input(title: &str, body: &str) -> Input {
        Input {
            title: title.into(),
            body: body.into(),
            ..Input::default()
        }
    }

    #[test]
    fn content_is_cleaned_and_checked() {
        let c = clean(&input("  Hội  nghị\nxã ", "Một đoạn."), None).unwrap();
        assert_eq!(c.title, "Hội nghị xã");
        assert!(c.body.contains("Một đoạn."));
        assert!(
            clean(&input("", "x"), None)
                .unwrap_err()
                .contains("tiêu đề")
        );
        assert!(
            clean(&input("T", " "), None)
                .unwrap_err()
                .contains("nội dung")
        );
        let long = "a".repeat(MAX_TITLE + 1);
        assert!(clean(&input(&long, "x"), None).unwrap_err().contains("300"));
    }

    #[test]
    fn schedules_in_vietnamese_time() {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 0, 30, 0).unwrap();
        assert_eq!(schedule_value(at), "05/12/2026 07:30");
        assert_eq!(parse_schedule("05/12/2026 07:30"), Some(at));
        assert_eq!(parse_schedule("2026-12-05T07:30"), Some(at));
        assert_eq!(
            parse_schedule("05/12/2026"),
            Some(Utc.with_ymd_and_hms(2026, 12, 4, 17, 0, 0).unwrap())
        );
        assert_eq!(parse_schedule("12/05/2026, 07:30 AM"), None);
        assert_eq!(parse_schedule("31/02/2026 07:30"), None);
    }

    #[test]
    fn status_changes_follow_the_action() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap();
        let i = Input::default();
        assert_eq!(
            status_change(Action::Edit, Status::Draft, &i, now)
                .unwrap()
                .status,
            None
        );
        let p = status_change(Action::Publish, Status::Pending, &i, now).unwrap();
        assert_eq!(
            (p.status, p.published_at),
            (Some(Status::Published), Some(now))
        );
        assert!(status_change(Action::Return, Status::Pending, &i, now).is_err());
        let bad = Input {
            publish_at: "ngày mai".into(),
            ..Input::default()
        };
        assert!(status_change(Action::Publish, Status::Pending, &bad, now).is_err());
        let later = Input {
            publish_at: "05/03/2026 08:00".into(),
            ..Input::default()
        };
        let s = status_change(Action::Publish, Status::Pending, &later, now).unwrap();
        assert_eq!(
            audit_action(Action::Publish, &s, now),
            audit::Action::ArticleSchedule
        );
    }
}
