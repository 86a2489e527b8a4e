//! A one-second cache for what every public page reads: the article by its
//! slug and the latest-articles list. On SQLite each query costs a hand-off
//! to the connection's worker thread (most of an article page's time when
//! profiled), and popular pages are read many times a second.
//!
//! An entry is used only while all of these hold:
//! - no content was written by this process since it was read
//!   ([`changed`] is called by every write to articles, categories and
//!   images, so an editor sees a save at once);
//! - it is less than [`TTL`] old, so a write by another process (an import,
//!   a second server on the same PostgreSQL database) or a scheduled
//!   article coming due shows within a second;
//! - the site's clock has not moved past the TTL either (tests move it).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::content::{article, media};
use crate::db::Db;

/// How long an entry is good for.
pub const TTL: Duration = Duration::from_secs(1);

/// Entries kept at most per cache; past it the cache starts over.
const CAPACITY: usize = 512;

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Content was written: every cached read is stale.
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The content generation now; read it *before* querying, so a write that
/// lands during the query makes the result uncacheable.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

struct Entry<V> {
    value: V,
    generation: u64,
    read_at: Instant,
    clock: DateTime<Utc>,
}

pub struct Cache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash, V: Clone> Default for Cache<K, V> {
    fn default() -> Self {
        Cache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// The cached value for `key`, if still good at site time `now`.
    pub fn get(&self, key: &K, now: DateTime<Utc>) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let e = entries.get(key)?;
        let ttl = chrono::Duration::from_std(TTL).expect("small");
        let good = e.generation == generation()
            && e.read_at.elapsed() < TTL
            && now >= e.clock
            && now - e.clock < ttl;
        good.then(|| e.value.clone())
    }

    /// Keeps `value`, read at site time `now` under `generation`.
    pub fn put(&self, key: K, value: V, now: DateTime<Utc>, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                value,
                generation,
                read_at: Instant::now(),
                clock: now,
            },
        );
    }
}

/// An article page's data: the article and its featured image.
pub type PublicArticle = Option<Arc<(article::Article, media::Featured)>>;

/// The public reads, cached.
#[derive(Default)]
pub struct PublicReads {
    articles: Cache<(i64, String), PublicArticle>,
    latest: Cache<(i64, i64), Arc<Vec<article::Listed>>>,
    /// A province's portal: its communes' newest articles.
    from_sites: Cache<Vec<i64>, Arc<Vec<article::FromSite>>>,
    /// What every page's frame shows: the menu and a maintenance notice.
    chrome: Cache<i64, Arc<Chrome>>,
}

/// What every public page's frame shows besides the site's settings.
#[derive(Debug)]
pub struct Chrome {
    pub menu: Vec<super::menu::Entry>,
    pub notice: Option<super::notice::Notice>,
}

impl PublicReads {
    /// The public article at `slug` and its featured image, as
    /// [`article::find_public`].
    pub async fn article(
        &self,
        db: &Db,
        site_id: i64,
        slug: &str,
        now: DateTime<Utc>,
    ) -> sqlx::Result<PublicArticle> {
        let key = (site_id, slug.to_owned());
        if let Some(hit) = self.articles.get(&key, now) {
            return Ok(hit);
        }
        let generation = generation();
        let found = match article::find_public(db, site_id, slug, now).await? {
            None => None,
            Some(a) => {
                let image =
                    media::Featured::of(db, site_id, &a.featured_image, &a.featured_alt).await?;
                Some(Arc::new((a, image)))
            }
        };
        self.articles.put(key, found.clone(), now, generation);
        Ok(found)
    }

    /// The newest `limit` public articles, as [`article::list_public`].
    pub async fn latest(
        &self,
        db: &Db,
        site_id: i64,
        now: DateTime<Utc>,
        limit: i64,
    ) -> sqlx::Result<Arc<Vec<article::Listed>>> {
        let key = (site_id, limit);
        if let Some(hit) = self.latest.get(&key, now) {
            return Ok(hit);
        }
        let generation = generation();
        let list = Arc::new(article::list_public(db, site_id, now, limit, 0).await?);
        self.latest.put(key, list.clone(), now, generation);
        Ok(list)
    }
}

impl PublicReads {
    /// The menu and the maintenance notice of a site.
    pub async fn chrome(
        &self,
        db: &Db,
        site_id: i64,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Arc<Chrome>> {
        if let Some(hit) = self.chrome.get(&site_id, now) {
            return Ok(hit);
        }
        let generation = generation();
        let chrome = Arc::new(Chrome {
            menu: super::menu::public(db, site_id, now).await?,
            notice: super::notice::current(db, site_id, now).await?,
        });
        self.chrome.put(site_id, chrome.clone(), now, generation);
        Ok(chrome)
    }

    /// The newest `limit` public articles of these sites, as
    /// [`article::latest_of_sites`].
    pub async fn latest_of_sites(
        &self,
        db: &Db,
        site_ids: &[i64],
        now: DateTime<Utc>,
        limit: i64,
    ) -> sqlx::Result<Arc<Vec<article::FromSite>>> {
        let key = site_ids.to_vec();
        if let Some(hit) = self.from_sites.get(&key, now) {
            return Ok(hit);
        }
        let generation = generation();
        let list = Arc::new(article::latest_of_sites(db, site_ids, now, limit).await?);
        self.from_sites.put(key, list.clone(), now, generation);
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_go_stale_on_writes_and_with_time() {
        let cache: Cache<&str, i32> = Cache::default();
        let now = Utc::now();
        let g = generation();
        cache.put("a", 1, now, g);
        if generation() == g {
            assert_eq!(cache.get(&"a", now), Some(1));
        }
        assert_eq!(cache.get(&"a", now + chrono::Duration::seconds(2)), None);
        assert_eq!(cache.get(&"a", now - chrono::Duration::seconds(1)), None);
        changed();
        assert_eq!(cache.get(&"a", now), None);
        // A value read before a write is never kept as current.
        cache.put("b", 2, now, g);
        assert_eq!(cache.get(&"b", now), None);
    }
}
