//! Visitor statistics ("Thống kê truy cập"). The definitions:
//!
//! - a *countable view* is a successful (200) GET of a public page by a
//!   person: not a bot (a maintained list, or no user-agent), not a
//!   prefetch, not a logged-in staff member (`web::middleware::visits`
//!   decides, with [`visitor::is_human_view`]); static files, feeds, the
//!   API, admin pages, errors and HEAD requests never count;
//! - a *visitor* is a keyed hash of the day's random salt, the site, the
//!   client address (IPv6: its /64) and the user-agent ([`visitor::key`]);
//!   salts and per-visitor rows are deleted after 48 hours, and no address
//!   is stored;
//! - *Hôm nay*: distinct visitors since 00:00 local time; *Trong tuần*: the
//!   sum of each day's visitors since Monday 00:00; *Tất cả*: the sum of
//!   all days plus the site's starting total; *Đang online*: distinct
//!   visitors with a view in the last [`ONLINE_WINDOW`].
//!
//! Days and weeks are local (Asia/Ho_Chi_Minh); weeks start on Monday.
//! This module batches views per server in memory and writes them at least
//! every second and on shutdown, in one transaction in which the
//! database's unique key decides who is new, so counts are exact on one
//! server or many; [`store`] holds the SQL.

pub mod store;
pub mod visitor;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};

use crate::clock::Clock;
use crate::db::Db;
use crate::localtime;

/// "Đang online": a countable view within this long.
pub const ONLINE_WINDOW: Duration = Duration::minutes(5);
/// How long the widget's numbers are reused before asking the database.
const CACHE_FOR: StdDuration = StdDuration::from_secs(1);
/// How many days "Đọc nhiều" looks back.
pub const MOST_READ_DAYS: i64 = 30;

/// One countable view, being served.
#[derive(Clone, Debug)]
pub struct Visit {
    pub site_id: i64,
    /// Shared: a visit is copied a few times per request.
    pub key: Arc<str>,
    pub day: NaiveDate,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub online: i64,
    pub today: i64,
    pub week: i64,
    pub total: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct VisitorAgg {
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    first_hour: i64,
    views: i64,
}

/// A visitor of a site on a local day: (site, day, key).
pub(crate) type VisitorDay = (i64, NaiveDate, Arc<str>);

/// What a server has seen since its last flush, of every site.
#[derive(Default, Debug)]
pub struct Batch {
    pub(crate) visitors: BTreeMap<VisitorDay, VisitorAgg>,
    /// (site, day, hour) → page views
    pub(crate) views: BTreeMap<(i64, NaiveDate, i64), i64>,
    /// (article, day) → views
    pub(crate) articles: BTreeMap<(i64, NaiveDate), i64>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.visitors.is_empty() && self.views.is_empty() && self.articles.is_empty()
    }

    fn merge(&mut self, other: Batch) {
        for (k, v) in other.visitors {
            match self.visitors.get_mut(&k) {
                Some(mine) => {
                    mine.first = mine.first.min(v.first);
                    mine.last = mine.last.max(v.last);
                    mine.views += v.views;
                }
                None => {
                    self.visitors.insert(k, v);
                }
            }
        }
        for (k, n) in other.views {
            *self.views.entry(k).or_default() += n;
        }
        for (k, n) in other.articles {
            *self.articles.entry(k).or_default() += n;
        }
    }
}

struct Snapshot {
    /// When it was read; none once a flush made its numbers stale.
    at: Option<Instant>,
    /// Changes when "Đọc nhiều" reads differently: pages built from one
    /// snapshot can be kept exactly as long as its id is current (their
    /// numbers are filled in per reader).
    id: u64,
    counts: Counts,
    most_read: Arc<Vec<store::MostRead>>,
}

/// The widget's numbers, this viewer counted, and the most read articles.
pub struct Widget {
    pub counts: Counts,
    /// Shared, not copied: every page view asks for it. Its view numbers
    /// are those of when the list last read differently.
    pub most_read: Arc<Vec<store::MostRead>>,
    /// Which "Đọc nhiều" this is: the same while the list reads the same
    /// (the numbers of its views may move), so kept pages stay good.
    pub snapshot: u64,
}

pub struct Stats {
    db: Db,
    clock: Arc<dyn Clock>,
    pending: Mutex<Batch>,
    /// (site, day) → the day's salt.
    salts: Mutex<HashMap<(i64, NaiveDate), Arc<str>>>,
    /// Keys this server has flushed, with the last view flushed: the
    /// current viewer is in the database's numbers exactly when theirs is here.
    known: Mutex<HashMap<VisitorDay, DateTime<Utc>>>,
    /// Each site's widget numbers, as last read.
    cache: Mutex<HashMap<i64, Snapshot>>,
    /// One request per site refreshes its widget's numbers; the others wait
    /// for it rather than all asking the database at once.
    refreshing: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    snapshots: std::sync::atomic::AtomicU64,
    flush_lock: tokio::sync::Mutex<()>,
    /// How long writing a batch takes (for /metrics).
    pub flush_timing: crate::metrics::Histogram,
    /// Batches that could not be written (kept, retried).
    pub flush_failures: std::sync::atomic::AtomicU64,
    last_purge: Mutex<Option<NaiveDate>>,
}

/// The local date of an instant.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&localtime::vietnam()).date_naive()
}

fn local_hour(at: DateTime<Utc>) -> i64 {
    i64::from(at.with_timezone(&localtime::vietnam()).hour())
}

/// The Monday of the local week containing `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Stats {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Stats {
        Stats {
            db,
            clock,
            pending: Mutex::new(Batch::default()),
            salts: Mutex::new(HashMap::new()),
            known: Mutex::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
            refreshing: Mutex::new(HashMap::new()),
            snapshots: Default::default(),
            flush_lock: tokio::sync::Mutex::new(()),
            flush_timing: Default::default(),
            flush_failures: Default::default(),
            last_purge: Mutex::new(None),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The visit a request to a site would be, given its client address
    /// and user-agent (the day's salt comes from the database once a day).
    pub async fn visit(
        &self,
        site_id: i64,
        ip: std::net::IpAddr,
        user_agent: &str,
    ) -> sqlx::Result<Visit> {
        let at = self.now();
        let day = local_day(at);
        let cached = lock(&self.salts).get(&(site_id, day)).cloned();
        let salt = match cached {
            Some(s) => s,
            None => {
                let s: Arc<str> = store::salt(&self.db, site_id, day, at).await?.into();
                let mut salts = lock(&self.salts);
                salts.retain(|(_, d), _| *d >= day - Duration::days(1));
                salts.insert((site_id, day), s.clone());
                s
            }
        };
        Ok(Visit {
            site_id,
            key: visitor::key(&salt, site_id, ip, user_agent).into(),
            day,
            at,
        })
    }

    /// Counts a view (in memory; [`Stats::flush`] writes it).
    pub fn record(&self, visit: &Visit, article_id: Option<i64>) {
        let hour = local_hour(visit.at);
        let mut p = lock(&self.pending);
        p.visitors
            .entry((visit.site_id, visit.day, visit.key.clone()))
            .and_modify(|v| {
                v.last = v.last.max(visit.at);
                v.views += 1;
            })
            .or_insert(VisitorAgg {
                first: visit.at,
                last: visit.at,
                first_hour: hour,
                views: 1,
            });
        *p.views.entry((visit.site_id, visit.day, hour)).or_default() += 1;
        if let Some(id) = article_id {
            *p.articles.entry((id, visit.day)).or_default() += 1;
        }
    }

    /// Writes what this server has seen, in one transaction. On failure
    /// the batch is kept for the next try.
    pub async fn flush(&self) -> sqlx::Result<()> {
        let _one_at_a_time = self.flush_lock.lock().await;
        let batch = std::mem::take(&mut *lock(&self.pending));
        if !batch.is_empty() {
            let started = std::time::Instant::now();
            if let Err(e) = store::write(&self.db, &batch).await {
                lock(&self.pending).merge(batch);
                self.flush_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Err(e);
            }
            self.flush_timing.observe(started.elapsed());
            let mut known = lock(&self.known);
            for ((site, day, key), v) in &batch.visitors {
                let last = known.entry((*site, *day, key.clone())).or_insert(v.last);
                *last = (*last).max(v.last);
            }
            // The numbers are read again (a viewer now flushed is in
            // them); the last "Đọc nhiều" is kept to compare with.
            self.expire();
        }
        self.purge_old().await
    }

    /// Once a day: salts and per-visitor rows older than yesterday go.
    async fn purge_old(&self) -> sqlx::Result<()> {
        let today = local_day(self.now());
        if *lock(&self.last_purge) == Some(today) {
            return Ok(());
        }
        let yesterday = today - Duration::days(1);
        store::purge(&self.db, yesterday).await?;
        lock(&self.known).retain(|(_, day, _), _| *day >= yesterday);
        *lock(&self.last_purge) = Some(today);
        Ok(())
    }

    /// A site's numbers in the database (flushed views), plus its
    /// starting total.
    pub async fn counts(&self, site_id: i64, start_total: i64) -> sqlx::Result<Counts> {
        let now = self.now();
        let today = local_day(now);
        let [online, today_n, week, total] = store::counts(
            &self.db,
            site_id,
            today,
            monday_of(today),
            now - ONLINE_WINDOW,
        )
        .await?;
        Ok(Counts {
            online,
            today: today_n,
            week,
            total: total.saturating_add(start_total),
        })
    }

    /// A site's widget numbers and "Đọc nhiều", reused for a second; the
    /// current viewer is counted even before their view is flushed.
    pub async fn widget(
        &self,
        site_id: i64,
        start_total: i64,
        viewer: Option<&Visit>,
    ) -> sqlx::Result<Widget> {
        let fresh = || {
            lock(&self.cache)
                .get(&site_id)
                .filter(|s| s.at.is_some_and(|at| at.elapsed() < CACHE_FOR))
                .map(|s| (s.counts, s.most_read.clone(), s.id))
        };
        let (mut counts, most_read, snapshot) = match fresh() {
            Some(c) => c,
            None => {
                let refreshing = lock(&self.refreshing).entry(site_id).or_default().clone();
                let _one = refreshing.lock().await;
                match fresh() {
                    Some(c) => c,
                    None => {
                        let now = self.now();
                        let counts = self.counts(site_id, start_total).await?;
                        let since = local_day(now) - Duration::days(MOST_READ_DAYS - 1);
                        let most_read = store::most_read(&self.db, site_id, since, now, 5).await?;
                        let mut cache = lock(&self.cache);
                        // The pages kept with the last list stay good while
                        // it reads the same: the visitor numbers change every
                        // second, "Đọc nhiều" seldom.
                        let (id, most_read) = match cache.get(&site_id) {
                            Some(last) if reads_the_same(&last.most_read, &most_read) => {
                                (last.id, last.most_read.clone())
                            }
                            _ => (
                                self.snapshots
                                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                                    + 1,
                                Arc::new(most_read),
                            ),
                        };
                        cache.insert(
                            site_id,
                            Snapshot {
                                at: Some(Instant::now()),
                                id,
                                counts,
                                most_read: most_read.clone(),
                            },
                        );
                        (counts, most_read, id)
                    }
                }
            }
        };
        if let Some(v) = viewer.filter(|v| v.site_id == site_id) {
            let flushed = lock(&self.known)
                .get(&(v.site_id, v.day, v.key.clone()))
                .copied();
            if flushed.is_none() {
                counts.today = counts.today.saturating_add(1);
                counts.week = counts.week.saturating_add(1);
                counts.total = counts.total.saturating_add(1);
            }
            if flushed.is_none_or(|last| last < v.at - ONLINE_WINDOW) {
                counts.online = counts.online.saturating_add(1);
            }
        }
        Ok(Widget {
            counts,
            most_read,
            snapshot,
        })
    }

    /// For tests and the admin page: forget the cached widget numbers.
    pub fn invalidate(&self) {
        lock(&self.cache).clear();
    }

    /// The widget's numbers are read again on the next request (after a
    /// flush; in tests, as a second later), the last ones still known.
    pub fn expire(&self) {
        for s in lock(&self.cache).values_mut() {
            s.at = None;
        }
    }
}

/// Whether two "Đọc nhiều" lists show the same: the same articles under the
/// same titles, in the same order (what a page shows of them).
fn reads_the_same(a: &[store::MostRead], b: &[store::MostRead]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| a.slug == b.slug && a.title == b.title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_and_weeks_are_local() {
        // 16:59 UTC Sunday 01/03/2026 is 23:59 Sunday in Vietnam; 17:01 is Monday.
        let sunday = Utc.with_ymd_and_hms(2026, 3, 1, 16, 59, 0).unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 3, 1, 17, 1, 0).unwrap();
        assert_eq!(
            local_day(sunday),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            local_day(monday),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
        assert_eq!(
            monday_of(local_day(sunday)),
            NaiveDate::from_ymd_opt(2026, 2, 23).unwrap()
        );
        assert_eq!(monday_of(local_day(monday)), local_day(monday));
        assert_eq!(local_hour(monday), 0);
    }
}
