//! Revisions: every save of an article's content keeps a copy (who, when),
//! written by `article::insert` and `article::apply`; here they are read,
//! numbered 1, 2, 3… per article (the article's version also moves with
//! status changes, so it skips), and two are compared word by word.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::with_db;

#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    pub id: i64,
    /// Its number among the article's revisions, from 1.
    pub number: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub user_name: Option<String>,
}

#[derive(Clone, Debug, FromRow)]
pub struct Revision {
    pub id: i64,
    pub number: i64,
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub byline: String,
    pub category_id: Option<i64>,
    pub featured_image: String,
    pub featured_alt: String,
    pub created_at: DateTime<Utc>,
    pub user_name: Option<String>,
}

pub async fn list(db: &Db, article_id: i64) -> sqlx::Result<Vec<Listed>> {
    const SQL: &str = "SELECT r.id, CAST(ROW_NUMBER() OVER (ORDER BY r.version) AS BIGINT) AS number, \
         r.version, r.created_at, u.display_name AS user_name \
         FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id \
         WHERE r.article_id = $1 ORDER BY r.version DESC";
    with_db!(db, pool => sqlx::query_as(SQL).bind(article_id).fetch_all(pool).await)
}

pub async fn find(db: &Db, article_id: i64, id: i64) -> sqlx::Result<Option<Revision>> {
    const SQL: &str = "SELECT r.id, (SELECT COUNT(*) FROM article_revisions x \
         WHERE x.article_id = r.article_id AND x.version <= r.version) AS number, \
         r.version, r.title, r.summary, r.body, r.byline, r.category_id, \
         r.featured_image, r.featured_alt, r.created_at, u.display_name AS user_name \
         FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id \
         WHERE r.article_id = $1 AND r.id = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(article_id).bind(id).fetch_optional(pool).await)
}

/// Two revisions compared word by word: the text with what was taken out
/// and put in marked, and how many words each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compared {
    /// (kind, text): kind is `=`, `-` (removed) or `+` (added).
    pub parts: Vec<(char, String)>,
    pub added: usize,
    pub removed: usize,
}

/// What a reader reads of a revision: title, summary, text, byline.
fn readable(r: &Revision) -> String {
    let body = crate::content::sanitize::plain_text(&r.body);
    [
        r.title.as_str(),
        r.summary.as_str(),
        body.as_str(),
        r.byline.as_str(),
    ]
    .iter()
    .filter(|s| !s.trim().is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join("\n")
}

pub fn compare(old: &Revision, new: &Revision) -> Compared {
    compare_text(&readable(old), &readable(new))
}

pub fn compare_text(old: &str, new: &str) -> Compared {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_secs(2))
        .diff_words(old, new);
    let mut out = Compared::default();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => '=',
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
        };
        let text = change.value();
        let words = text.split_whitespace().count();
        match kind {
            '+' => out.added += words,
            '-' => out.removed += words,
            _ => {}
        }
        match out.parts.last_mut() {
            Some((k, t)) if *k == kind => t.push_str(text),
            _ => out.parts.push((kind, text.to_owned())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_added_and_removed() {
        let c = compare_text(
            "Họp thôn lúc 8 giờ tại nhà văn hoá.",
            "Họp thôn lúc 14 giờ tại nhà văn hoá thôn.",
        );
        // Words as written, punctuation attached: "hoá." became "hoá thôn.".
        assert_eq!((c.added, c.removed), (3, 2), "{c:?}");
        assert!(c.parts.contains(&('-', "8".into())), "{c:?}");
        assert!(
            c.parts.iter().any(|(k, t)| *k == '+' && t.contains("14")),
            "{c:?}"
        );
        let same = compare_text("Không đổi gì.", "Không đổi gì.");
        assert_eq!((same.added, same.removed), (0, 0));
    }
}
