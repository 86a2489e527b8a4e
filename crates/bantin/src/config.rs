//! Configuration: command-line flags > `BANTIN_*` environment variables >
//! an optional TOML file (`--config`) > defaults. Clap applies the first two
//! (each flag declares its variable); this module layers the file and the
//! defaults underneath.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::db;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 10;
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
pub const DEFAULT_MAX_IN_FLIGHT: usize = 128;

/// Keys accepted in the TOML file. Unknown keys are an error, so a typo
/// does not silently leave a setting at its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub site_name: Option<String>,
    pub public_url: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub max_upload_mb: Option<u64>,
    pub stats_flush_ms: Option<u64>,
    pub count_visits: Option<bool>,
    pub metrics_listen: Option<SocketAddr>,
    pub metrics_token: Option<String>,
    pub log_format: Option<LogFormat>,
    pub access_log: Option<bool>,
    pub shutdown_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_in_flight: Option<usize>,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people reading a terminal or journalctl.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl FileConfig {
    pub fn load(path: &Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }
}

/// What the command line and environment gave (each `None` when absent).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub site_name: Option<String>,
    pub public_url: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub max_upload_mb: Option<u64>,
    pub stats_flush_ms: Option<u64>,
    pub count_visits: Option<bool>,
    pub metrics_listen: Option<SocketAddr>,
    pub metrics_token: Option<String>,
    pub log_format: Option<LogFormat>,
    pub access_log: Option<bool>,
    pub shutdown_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_in_flight: Option<usize>,
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub site_name: Option<String>,
    /// How readers reach the site (`https://xa.gov.vn`); `https` turns on
    /// `Secure` cookies and HSTS.
    pub public_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub max_upload_bytes: u64,
    /// How often visitor counts are written to the database; a crash loses
    /// at most this much.
    pub stats_flush: std::time::Duration,
    pub count_visits: bool,
    /// A separate address serving only `/metrics`.
    pub metrics_listen: Option<SocketAddr>,
    /// Lets `/metrics` answer on the main address to this bearer token.
    pub metrics_token: Option<String>,
    pub log_format: LogFormat,
    /// Log each request with the client's address.
    pub access_log: bool,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_timeout: std::time::Duration,
    /// Open connections at most; more are answered 503 and closed.
    pub max_connections: usize,
    /// Requests handled at once; more wait briefly, then get 503.
    pub max_in_flight: usize,
}

impl Config {
    /// Whether the site is served over https (per `public_url`).
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

impl Config {
    pub fn resolve(overrides: Overrides) -> anyhow::Result<Config> {
        let file = match &overrides.config {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        Config::layer(overrides, file)
    }

    fn layer(o: Overrides, file: FileConfig) -> anyhow::Result<Config> {
        let data_dir = o
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = o
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| db::sqlite_url_in(&data_dir));
        let public_url = o
            .public_url
            .or(file.public_url)
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            anyhow::ensure!(
                url.starts_with("http://") || url.starts_with("https://"),
                "public_url must start with http:// or https:// (got {url})"
            );
        }
        let trusted_proxies = o
            .trusted_proxies
            .or(file.trusted_proxies)
            .unwrap_or_default()
            .iter()
            .map(|s| parse_cidr(s))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let max_upload_mb = o
            .max_upload_mb
            .or(file.max_upload_mb)
            .unwrap_or(DEFAULT_MAX_UPLOAD_MB);
        anyhow::ensure!(max_upload_mb >= 1, "max_upload_mb must be at least 1");
        let stats_flush_ms = o.stats_flush_ms.or(file.stats_flush_ms).unwrap_or(1000);
        anyhow::ensure!(
            (50..=60_000).contains(&stats_flush_ms),
            "stats_flush_ms must be between 50 and 60000"
        );
        let metrics_token = o.metrics_token.or(file.metrics_token);
        if let Some(t) = &metrics_token {
            anyhow::ensure!(
                t.len() >= 16 && t.bytes().all(|b| b.is_ascii_graphic()),
                "metrics_token must be at least 16 printable characters without spaces"
            );
        }
        let shutdown_secs = o
            .shutdown_timeout_secs
            .or(file.shutdown_timeout_secs)
            .unwrap_or(10);
        anyhow::ensure!(
            (1..=300).contains(&shutdown_secs),
            "shutdown_timeout_secs must be between 1 and 300"
        );
        let max_connections = o
            .max_connections
            .or(file.max_connections)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS);
        anyhow::ensure!(
            (1..=100_000).contains(&max_connections),
            "max_connections must be between 1 and 100000"
        );
        let max_in_flight = o
            .max_in_flight
            .or(file.max_in_flight)
            .unwrap_or(DEFAULT_MAX_IN_FLIGHT);
        anyhow::ensure!(
            (1..=100_000).contains(&max_in_flight),
            "max_in_flight must be between 1 and 100000"
        );
        Ok(Config {
            max_connections,
            max_in_flight,
            metrics_listen: o.metrics_listen.or(file.metrics_listen),
            metrics_token,
            log_format: o.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            access_log: o.access_log.or(file.access_log).unwrap_or(false),
            shutdown_timeout: std::time::Duration::from_secs(shutdown_secs),
            stats_flush: std::time::Duration::from_millis(stats_flush_ms),
            count_visits: o.count_visits.or(file.count_visits).unwrap_or(true),
            listen: o
                .listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default address")),
            data_dir,
            database_url,
            site_name: o.site_name.or(file.site_name),
            public_url,
            trusted_proxies,
            max_upload_bytes: max_upload_mb * 1024 * 1024,
        })
    }
}

/// `10.0.0.0/8`, `::1/128`, or a bare address (a single host).
pub fn parse_cidr(s: &str) -> anyhow::Result<ipnet::IpNet> {
    let s = s.trim();
    if let Ok(net) = s.parse::<ipnet::IpNet>() {
        return Ok(net);
    }
    s.parse::<std::net::IpAddr>()
        .map(ipnet::IpNet::from)
        .map_err(|_| anyhow::anyhow!("invalid trusted proxy {s:?}: expected an address or CIDR"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_env_win_over_the_file_which_wins_over_defaults() {
        let file: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/bantin\"\nsite_name = \"Xã Sín Chéng\"\n",
        )
        .unwrap();
        let o = Overrides {
            listen: Some("127.0.0.1:7000".parse().unwrap()),
            ..Default::default()
        };
        let c = Config::layer(o, file).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(c.data_dir, PathBuf::from("/srv/bantin"));
        assert_eq!(c.database_url, "sqlite:///srv/bantin/bantin.db");
        assert_eq!(c.site_name.as_deref(), Some("Xã Sín Chéng"));
    }

    #[test]
    fn defaults() {
        let c = Config::layer(Overrides::default(), FileConfig::default()).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.database_url, "sqlite://./data/bantin.db");
        assert!(!c.https() && c.trusted_proxies.is_empty());
        assert_eq!(c.max_upload_bytes, 10 * 1024 * 1024);
    }

    #[test]
    fn proxies_and_public_url() {
        let o = Overrides {
            trusted_proxies: Some(vec!["10.0.0.0/8".into(), "127.0.0.1".into(), "::1".into()]),
            public_url: Some("https://sincheng.gov.vn/".into()),
            ..Default::default()
        };
        let c = Config::layer(o, FileConfig::default()).unwrap();
        assert_eq!(c.trusted_proxies.len(), 3);
        assert!(c.trusted_proxies[1].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap()));
        assert!(c.https());
        assert_eq!(c.public_url.as_deref(), Some("https://sincheng.gov.vn"));
        let bad = Overrides {
            trusted_proxies: Some(vec!["10.0.0.0/99".into()]),
            ..Default::default()
        };
        assert!(Config::layer(bad, FileConfig::default()).is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
    }
}
