//! What every handler shares: the database, the clock, the settings, the
//! visitor statistics, the metrics and the caches.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::clock::Clock;
use crate::config::Config;
use crate::content::media::Library;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::site::{self, Site};
use crate::stats::Stats;

/// What the server needs from its configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How readers reach the site, without a trailing slash.
    pub public_url: Option<String>,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where uploaded images live (`DATA_DIR/media`).
    pub media_dir: PathBuf,
    pub max_upload_bytes: u64,
    /// Count visits (on by default; off only to measure what counting costs).
    pub count_visits: bool,
    /// With a token, `/metrics` answers on the main address to
    /// `Authorization: Bearer TOKEN`; without, it is not there.
    pub metrics_token: Option<String>,
    /// Log every request with the client's address (off by default).
    pub access_log: bool,
    /// Requests handled at once (see `web::overload`).
    pub max_in_flight: usize,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            public_url: config.public_url.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            media_dir: config.data_dir.join("media"),
            max_upload_bytes: config.max_upload_bytes,
            count_visits: config.count_visits,
            metrics_token: config.metrics_token.clone(),
            access_log: config.access_log,
            max_in_flight: config.max_in_flight,
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    settings: Settings,
    stats: Stats,
    metrics: Metrics,
    in_flight: tokio::sync::Semaphore,
    public_reads: crate::content::cache::PublicReads,
    article_pages: super::public::page_cache::PageCache,
    /// The site's settings, loaded once: every page needs them.
    site: RwLock<Arc<Site>>,
}

impl AppState {
    pub async fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> anyhow::Result<AppState> {
        let site = site::load_default(&db).await?;
        std::fs::create_dir_all(&settings.media_dir)?;
        let stats = Stats::new(db.clone(), clock.clone(), site.id);
        Ok(AppState(Arc::new(Inner {
            db,
            clock,
            stats,
            metrics: Metrics::new(),
            in_flight: tokio::sync::Semaphore::new(settings.max_in_flight),
            public_reads: Default::default(),
            article_pages: Default::default(),
            site: RwLock::new(Arc::new(site)),
            settings,
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }

    pub fn stats(&self) -> &Stats {
        &self.0.stats
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// Public pages' reads, cached for a second.
    pub fn public_reads(&self) -> &crate::content::cache::PublicReads {
        &self.0.public_reads
    }

    /// Rendered article pages, kept as long as `public_reads`.
    pub fn article_pages(&self) -> &super::public::page_cache::PageCache {
        &self.0.article_pages
    }

    /// Slots for requests being handled (see `web::overload`).
    pub fn in_flight(&self) -> &tokio::sync::Semaphore {
        &self.0.in_flight
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// Where the site's uploaded images go.
    pub fn library(&self) -> Library {
        Library {
            dir: self.0.settings.media_dir.clone(),
            max_bytes: self.0.settings.max_upload_bytes,
        }
    }

    pub fn public_url(&self) -> Option<&str> {
        self.0.settings.public_url.as_deref()
    }

    /// Served over https: cookies are `Secure`, HSTS is sent.
    pub fn https(&self) -> bool {
        self.public_url().is_some_and(|u| u.starts_with("https://"))
    }

    pub fn site(&self) -> Arc<Site> {
        self.0
            .site
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Re-reads the site's settings after they changed.
    pub async fn reload_site(&self) -> sqlx::Result<()> {
        let site = site::load_default(&self.0.db).await?;
        *self.0.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
        Ok(())
    }
}
