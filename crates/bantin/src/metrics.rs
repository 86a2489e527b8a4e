//! The server's metrics and their Prometheus text format: requests and
//! latency by route, visitor-count flushes, the database pool, published
//! articles, memory. Counted by `web::middleware::front`, served by
//! `web::monitoring` (off the public site by default).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::stats::Stats;
use crate::with_db;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// A latency histogram, lock-free.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Per bucket (not cumulative); the last slot is +Inf.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.counts[slot].fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.counts[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.counts[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {cumulative}"
        );
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

#[derive(Default)]
struct RouteStats {
    /// Responses by status class: 1xx..5xx.
    by_class: [AtomicU64; 5],
    latency: Histogram,
}

/// Request metrics. Routes are the router's patterns (`/tin-tuc/{slug}`),
/// never raw paths, so the number of series stays small.
#[derive(Default)]
pub struct Metrics {
    /// Method → route → its counts (two levels, so that counting looks a
    /// route up by `&str` without building a key).
    routes: RwLock<HashMap<String, HashMap<String, RouteStats>>>,
    started: std::sync::OnceLock<Instant>,
}

impl Metrics {
    pub fn new() -> Self {
        let m = Metrics::default();
        let _ = m.started.set(Instant::now());
        m
    }

    /// Counts one answer (`status`: its HTTP status code).
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        {
            let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
            if let Some(r) = routes.get(method).and_then(|m| m.get(route)) {
                r.by_class[class].fetch_add(1, Ordering::Relaxed);
                r.latency.observe(elapsed);
                return;
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(|e| e.into_inner());
        let r = routes
            .entry(method.to_owned())
            .or_default()
            .entry(route.to_owned())
            .or_default();
        r.by_class[class].fetch_add(1, Ordering::Relaxed);
        r.latency.observe(elapsed);
    }

    fn write_requests(&self, out: &mut String) {
        let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
        let mut keys: Vec<(&String, &String, &RouteStats)> = routes
            .iter()
            .flat_map(|(m, rs)| rs.iter().map(move |(r, stats)| (m, r, stats)))
            .collect();
        keys.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out.push_str(
            "# HELP bantin_http_requests_total HTTP responses by route and status class.\n",
        );
        out.push_str("# TYPE bantin_http_requests_total counter\n");
        for key in &keys {
            for (i, n) in key.2.by_class.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "bantin_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}xx\"}} {n}",
                        key.0,
                        escape_label(key.1),
                        i + 1
                    );
                }
            }
        }
        out.push_str("# HELP bantin_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE bantin_http_request_duration_seconds histogram\n");
        for key in &keys {
            let labels = format!("method=\"{}\",route=\"{}\"", key.0, escape_label(key.1));
            key.2
                .latency
                .write(out, "bantin_http_request_duration_seconds", &labels);
        }
    }
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Every metric, in Prometheus' text format (version 0.0.4).
pub async fn render(db: &Db, metrics: &Metrics, stats: &Stats, now: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(8 * 1024);
    metrics.write_requests(&mut out);
    out.push_str(
        "# HELP bantin_stats_flush_duration_seconds Time to write a batch of visitor counts.\n",
    );
    out.push_str("# TYPE bantin_stats_flush_duration_seconds histogram\n");
    stats
        .flush_timing
        .write(&mut out, "bantin_stats_flush_duration_seconds", "");
    out.push_str("# HELP bantin_stats_flush_failures_total Batches that could not be written (kept and retried).\n");
    out.push_str("# TYPE bantin_stats_flush_failures_total counter\n");
    let _ = writeln!(
        out,
        "bantin_stats_flush_failures_total {}",
        stats.flush_failures.load(Ordering::Relaxed)
    );
    write_pool(&mut out, db);
    let published: sqlx::Result<i64> = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'published' AND published_at <= $1").bind(now).fetch_one(pool).await);
    if let Ok(n) = published {
        out.push_str("# HELP bantin_articles_published Articles readers can see.\n");
        out.push_str("# TYPE bantin_articles_published gauge\n");
        let _ = writeln!(out, "bantin_articles_published {n}");
    }
    // One series per site: bounded by the sites a province has (a few
    // hundred at most), never by anything a reader sends.
    if let (Ok(sites), Ok(counts)) = (
        crate::site::load_all(db).await,
        crate::content::article::public_by_site(db, now).await,
    ) {
        let disabled = sites.iter().filter(|s| s.disabled).count();
        out.push_str("# HELP bantin_sites Sites in the deployment, by state.\n");
        out.push_str("# TYPE bantin_sites gauge\n");
        let _ = writeln!(
            out,
            "bantin_sites{{state=\"active\"}} {}",
            sites.len() - disabled
        );
        let _ = writeln!(out, "bantin_sites{{state=\"disabled\"}} {disabled}");
        out.push_str("# HELP bantin_site_articles_published Articles readers can see, by site.\n");
        out.push_str("# TYPE bantin_site_articles_published gauge\n");
        for s in &sites {
            let n = counts
                .iter()
                .find(|c| c.site_id == s.id)
                .map_or(0, |c| c.articles);
            let _ = writeln!(
                out,
                "bantin_site_articles_published{{site=\"{}\"}} {n}",
                escape_label(&s.label())
            );
        }
    }
    if let Some(rss) = resident_bytes() {
        out.push_str(
            "# HELP bantin_process_resident_memory_bytes Resident memory of the server.\n",
        );
        out.push_str("# TYPE bantin_process_resident_memory_bytes gauge\n");
        let _ = writeln!(out, "bantin_process_resident_memory_bytes {rss}");
    }
    if let Some(started) = metrics.started.get() {
        out.push_str("# HELP bantin_uptime_seconds Seconds since the server started.\n");
        out.push_str("# TYPE bantin_uptime_seconds gauge\n");
        let _ = writeln!(out, "bantin_uptime_seconds {}", started.elapsed().as_secs());
    }
    out
}

fn write_pool(out: &mut String, db: &Db) {
    let (size, idle, max) = match db {
        Db::Sqlite(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        Db::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
    };
    out.push_str("# HELP bantin_db_connections Database pool connections by state.\n");
    out.push_str("# TYPE bantin_db_connections gauge\n");
    let idle = idle as u32;
    let _ = writeln!(out, "bantin_db_connections{{state=\"idle\"}} {idle}");
    let _ = writeln!(
        out,
        "bantin_db_connections{{state=\"in_use\"}} {}",
        size.saturating_sub(idle)
    );
    let _ = writeln!(out, "bantin_db_connections{{state=\"max\"}} {max}");
}

/// Resident set size, from /proc (Linux).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(500));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(10));
        let mut out = String::new();
        h.write(&mut out, "x", "route=\"/\"");
        assert!(
            out.contains("x_bucket{route=\"/\",le=\"0.001\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("x_bucket{route=\"/\",le=\"0.005\"} 2\n"),
            "{out}"
        );
        assert!(out.contains("x_bucket{route=\"/\",le=\"5\"} 2\n"), "{out}");
        assert!(
            out.contains("x_bucket{route=\"/\",le=\"+Inf\"} 3\n"),
            "{out}"
        );
        assert!(out.contains("x_count{route=\"/\"} 3\n"), "{out}");
        assert_eq!(h.count(), 3);
    }
}
