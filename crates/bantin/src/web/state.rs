//! What every handler shares: the database, the clock, the settings, the
//! visitor statistics, the metrics and the caches.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::clock::Clock;
use crate::config::Config;
use crate::content::media::Library;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::site::{Directory, Site};
use crate::stats::Stats;

/// What the server needs from its configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `--public-url`: how readers reach a site that has no address of its
    /// own stored (the default site of a one-site deployment).
    pub public_url: Option<String>,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where uploaded images live (`DATA_DIR/media`).
    pub media_dir: PathBuf,
    pub max_upload_bytes: u64,
    /// Largest file attached to a document.
    pub max_document_bytes: u64,
    /// Count visits (on by default; off only to measure what counting costs).
    pub count_visits: bool,
    /// With a token, `/metrics` answers on the main address to
    /// `Authorization: Bearer TOKEN`; without, it is not there.
    pub metrics_token: Option<String>,
    /// Log every request with the client's address (off by default).
    pub access_log: bool,
    /// Requests handled at once (see `web::middleware::overload`).
    pub max_in_flight: usize,
    /// Requests of one client address handled at once.
    pub max_in_flight_per_client: usize,
    /// Where mail goes (see `crate::mail`); none is sent without it.
    pub smtp_url: Option<crate::mail::SmtpUrl>,
    pub mail_from: String,
}

impl Settings {
    /// The largest file staff may send (an image or a document's file).
    pub fn largest_upload(&self) -> u64 {
        self.max_upload_bytes.max(self.max_document_bytes)
    }

    /// Where documents' files live (beside the images, so backups hold them).
    pub fn files_dir(&self) -> &std::path::Path {
        &self.media_dir
    }

    pub fn from_config(config: &Config) -> Settings {
        Settings {
            public_url: config.public_url.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            media_dir: config.data_dir.join("media"),
            max_upload_bytes: config.max_upload_bytes,
            max_document_bytes: config.max_document_bytes,
            count_visits: config.count_visits,
            metrics_token: config.metrics_token.clone(),
            access_log: config.access_log,
            max_in_flight: config.max_in_flight,
            max_in_flight_per_client: config.max_in_flight_per_client,
            smtp_url: config.smtp_url.clone(),
            mail_from: config.mail_from.clone(),
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
    home_pages: super::public::page_cache::HomeCache,
    media_owners: crate::content::media::Owners,
    thumbs: crate::content::media::Thumbs,
    upload_quota: crate::quota::Quota<i64>,
    sitemaps: super::public::sitemap::Sitemaps,
    /// Searches per client address.
    search_quota: crate::quota::Quota<std::net::IpAddr>,
    /// Ratings per client address.
    rating_quota: crate::quota::Quota<std::net::IpAddr>,
    /// Requests being handled, per client address.
    per_client: super::middleware::overload::PerClient,
    /// Every site and its hosts (see `site::Directory`).
    sites: RwLock<Arc<Directory>>,
    /// The mail sender, with `--smtp-url`.
    mailer: Option<Arc<crate::mail::Mailer>>,
    /// The key the question form's time stamp is signed with.
    question_form_secret: String,
}

/// How often the sites are read again, so that a change made through
/// another server (or the command line) is served within this long.
pub const SITES_RELOAD: std::time::Duration = std::time::Duration::from_secs(2);

impl AppState {
    pub async fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> anyhow::Result<AppState> {
        let directory = Directory::load(&db).await?;
        std::fs::create_dir_all(&settings.media_dir)?;
        let stats = Stats::new(db.clone(), clock.clone());
        let mailer = match &settings.smtp_url {
            Some(url) => {
                let m = Arc::new(crate::mail::Mailer::new(
                    db.clone(),
                    clock.clone(),
                    &url.0,
                    &settings.mail_from,
                )?);
                m.start();
                Some(m)
            }
            None => None,
        };
        let question_form_secret =
            crate::accounts::secret::server_secret(&db, "question_form").await?;
        let state = AppState(Arc::new(Inner {
            db,
            clock,
            stats,
            metrics: Metrics::new(),
            in_flight: tokio::sync::Semaphore::new(settings.max_in_flight),
            public_reads: Default::default(),
            article_pages: Default::default(),
            home_pages: Default::default(),
            media_owners: Default::default(),
            thumbs: Default::default(),
            upload_quota: crate::content::media::upload_quota(),
            sitemaps: Default::default(),
            search_quota: crate::search::client_quota(),
            rating_quota: crate::quota::Quota::new(30, std::time::Duration::from_secs(600)),
            per_client: Default::default(),
            sites: RwLock::new(Arc::new(directory)),
            mailer,
            question_form_secret,
            settings,
        }));
        tokio::spawn(keep_sites_fresh(Arc::downgrade(&state.0)));
        Ok(state)
    }

    /// The mail sender, when the deployment sends mail.
    pub fn mailer(&self) -> Option<&Arc<crate::mail::Mailer>> {
        self.0.mailer.as_ref()
    }

    /// Whether mail is sent (new questions, answers).
    pub fn sends_mail(&self) -> bool {
        self.0.mailer.is_some()
    }

    /// Tells the sender that mail was queued.
    pub fn mail_queued(&self) {
        if let Some(m) = &self.0.mailer {
            m.wake();
        }
    }

    pub fn question_form_secret(&self) -> &str {
        &self.0.question_form_secret
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

    /// Rendered home pages, kept as long as `public_reads`.
    pub fn home_pages(&self) -> &super::public::page_cache::HomeCache {
        &self.0.home_pages
    }

    /// Featured images' thumbnails for lists.
    pub fn thumbs(&self) -> &crate::content::media::Thumbs {
        &self.0.thumbs
    }

    /// Which site each uploaded image belongs to.
    pub fn media_owners(&self) -> &crate::content::media::Owners {
        &self.0.media_owners
    }

    /// How many images each staff member may still upload.
    pub fn upload_quota(&self) -> &crate::quota::Quota<i64> {
        &self.0.upload_quota
    }

    /// How many ratings each client address may still send.
    pub fn rating_quota(&self) -> &crate::quota::Quota<std::net::IpAddr> {
        &self.0.rating_quota
    }

    /// Built sitemaps.
    pub fn sitemaps(&self) -> &super::public::sitemap::Sitemaps {
        &self.0.sitemaps
    }

    /// How many searches each client address may still make.
    pub fn search_quota(&self) -> &crate::quota::Quota<std::net::IpAddr> {
        &self.0.search_quota
    }

    /// Requests being handled, per client address.
    pub fn per_client(&self) -> &super::middleware::overload::PerClient {
        &self.0.per_client
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

    /// The address readers reach a site at: its own, or for a site that
    /// has none, the configured `--public-url`.
    pub fn public_url(&self, site: &Site) -> Option<String> {
        site.public_url
            .clone()
            .or_else(|| self.0.settings.public_url.clone())
    }

    /// Whether a site is served over https: cookies are `Secure`, HSTS is sent.
    pub fn https(&self, site: &Site) -> bool {
        site.public_url
            .as_deref()
            .or(self.0.settings.public_url.as_deref())
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// Every site and its hosts, as last read.
    pub fn sites(&self) -> Arc<Directory> {
        self.0
            .sites
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One site, as last read.
    pub fn site(&self, id: i64) -> Option<Arc<Site>> {
        self.sites().get(id)
    }

    /// Reads the sites again (after a change, or every [`SITES_RELOAD`]).
    pub async fn reload_sites(&self) -> sqlx::Result<()> {
        reload(&self.0).await
    }
}

async fn reload(inner: &Inner) -> sqlx::Result<()> {
    let directory = Directory::load(&inner.db).await?;
    *inner.sites.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(directory);
    Ok(())
}

/// Re-reads the sites every [`SITES_RELOAD`] while the state lives.
async fn keep_sites_fresh(state: std::sync::Weak<Inner>) {
    let mut every = tokio::time::interval(SITES_RELOAD);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        let Some(inner) = state.upgrade() else { return };
        if let Err(e) = reload(&inner).await {
            tracing::warn!(error = %e, "cannot read the sites again; keeping the last ones");
        }
    }
}
