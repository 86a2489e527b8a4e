//! `GET /metrics` in Prometheus' text format: requests and latency by
//! route, visitor-count flushes, the database pool, published articles,
//! memory. Off the public site by default: served on a separate address
//! (`--metrics-listen`, e.g. 127.0.0.1:9184) or, with `--metrics-token`, on
//! the main one to requests carrying `Authorization: Bearer TOKEN`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::db::Db;
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
    routes: RwLock<HashMap<(String, String), RouteStats>>,
    started: std::sync::OnceLock<Instant>,
}

impl Metrics {
    pub fn new() -> Self {
        let m = Metrics::default();
        let _ = m.started.set(Instant::now());
        m
    }

    pub fn record(&self, method: &str, route: &str, status: StatusCode, elapsed: Duration) {
        let class = (status.as_u16() / 100).clamp(1, 5) as usize - 1;
        let key = (method.to_owned(), route.to_owned());
        {
            let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
            if let Some(r) = routes.get(&key) {
                r.by_class[class].fetch_add(1, Ordering::Relaxed);
                r.latency.observe(elapsed);
                return;
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(|e| e.into_inner());
        let r = routes.entry(key).or_default();
        r.by_class[class].fetch_add(1, Ordering::Relaxed);
        r.latency.observe(elapsed);
    }

    fn write_requests(&self, out: &mut String) {
        let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
        let mut keys: Vec<&(String, String)> = routes.keys().collect();
        keys.sort();
        out.push_str(
            "# HELP bantin_http_requests_total HTTP responses by route and status class.\n",
        );
        out.push_str("# TYPE bantin_http_requests_total counter\n");
        for key in &keys {
            for (i, n) in routes[*key].by_class.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "bantin_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}xx\"}} {n}",
                        key.0,
                        escape_label(&key.1),
                        i + 1
                    );
                }
            }
        }
        out.push_str("# HELP bantin_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE bantin_http_request_duration_seconds histogram\n");
        for key in &keys {
            let labels = format!("method=\"{}\",route=\"{}\"", key.0, escape_label(&key.1));
            routes[*key]
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

/// Middleware: times every request and counts its answer.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(không khớp)".to_owned(), |p| p.as_str().to_owned());
    // Visitor addresses are logged only when the operator asks for it.
    let client = state.settings().access_log.then(|| {
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        crate::web::client::resolve(peer, forwarded, &state.settings().trusted_proxies)
    });
    let path = client.is_some().then(|| request.uri().path().to_owned());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    state
        .metrics()
        .record(&method, &route, response.status(), elapsed);
    if let (Some(client), Some(path)) = (client, path) {
        tracing::info!(
            target: "bantin::access",
            client = %client.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
            method,
            path,
            status = response.status().as_u16(),
            ms = elapsed.as_secs_f64() * 1000.0,
        );
    }
    response
}

/// Compares in time independent of where the strings differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /metrics` on the main address: only with the configured token.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.settings().metrics_token.as_deref() else {
        return crate::web::error::AppError::NotFound.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(given.as_bytes(), token.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Cần mã truy cập để xem số liệu giám sát.\n",
        )
            .into_response();
    }
    render(State(state)).await
}

/// `GET /metrics` on the metrics address.
pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = String::with_capacity(8 * 1024);
    state.metrics().write_requests(&mut out);
    let stats = state.stats();
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
    write_pool(&mut out, state.db());
    let published: sqlx::Result<i64> = with_db!(state.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'published' AND published_at <= $1").bind(state.now()).fetch_one(pool).await);
    if let Ok(n) = published {
        out.push_str("# HELP bantin_articles_published Articles readers can see.\n");
        out.push_str("# TYPE bantin_articles_published gauge\n");
        let _ = writeln!(out, "bantin_articles_published {n}");
    }
    if let Some(rss) = resident_bytes() {
        out.push_str(
            "# HELP bantin_process_resident_memory_bytes Resident memory of the server.\n",
        );
        out.push_str("# TYPE bantin_process_resident_memory_bytes gauge\n");
        let _ = writeln!(out, "bantin_process_resident_memory_bytes {rss}");
    }
    if let Some(started) = state.metrics().started.get() {
        out.push_str("# HELP bantin_uptime_seconds Seconds since the server started.\n");
        out.push_str("# TYPE bantin_uptime_seconds gauge\n");
        let _ = writeln!(out, "bantin_uptime_seconds {}", started.elapsed().as_secs());
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
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

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
    }
}
