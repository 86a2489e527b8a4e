//! Configuration: command-line flags > `BANTIN_*` environment variables >
//! an optional TOML file (`--config`) > defaults.
//!
//! Every setting is written once, as a field of [`Options`]: its doc comment
//! is the `--help` text, its `#[arg]` names the flag and the variable (clap
//! applies both), and the field's name is the TOML key (serde; unknown keys
//! are an error, so a typo never silently leaves a default in force).
//! [`Config`] is what the settings become once layered, defaulted and
//! checked.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::db;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 10;
pub const DEFAULT_MAX_DOCUMENT_MB: u64 = 20;
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
pub const DEFAULT_MAX_IN_FLIGHT: usize = 128;
pub const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: usize = 64;
pub const DEFAULT_MAX_IN_FLIGHT_PER_CLIENT: usize = 16;

/// Every setting, as given (each `None` when absent).
#[derive(Debug, Default, Clone, clap::Args, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Data folder: the SQLite database and uploaded files [default: ./data].
    #[arg(long, global = true, env = "BANTIN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL (sqlite://FILE or postgres://…) [default: SQLite in the data folder].
    #[arg(
        long,
        global = true,
        env = "BANTIN_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// (serve) Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "BANTIN_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// (serve) Set the site's name (stored in the database).
    #[arg(long, global = true, env = "BANTIN_SITE_NAME", value_name = "NAME")]
    pub site_name: Option<String>,
    /// (serve) How readers reach the site, e.g. https://sincheng.gov.vn (https: Secure cookies, HSTS).
    #[arg(long, global = true, env = "BANTIN_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// (serve) A reverse proxy whose X-Forwarded-For is believed (address or CIDR; repeatable).
    #[arg(
        long = "trusted-proxy",
        global = true,
        env = "BANTIN_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Option<Vec<String>>,
    /// (serve) Largest image upload, in MB [default: 10].
    #[arg(long, global = true, env = "BANTIN_MAX_UPLOAD_MB", value_name = "MB")]
    pub max_upload_mb: Option<u64>,
    /// (serve) Largest file attached to a document (PDF, Word…), in MB [default: 20].
    #[arg(long, global = true, env = "BANTIN_MAX_DOCUMENT_MB", value_name = "MB")]
    pub max_document_mb: Option<u64>,
    /// (serve) How often visitor counts are written to the database, in ms [default: 1000].
    #[arg(long, global = true, env = "BANTIN_STATS_FLUSH_MS", value_name = "MS")]
    pub stats_flush_ms: Option<u64>,
    /// (serve) Count visits (true/false) [default: true]; false only to measure what counting costs.
    #[arg(long, global = true, env = "BANTIN_COUNT_VISITS", value_name = "BOOL")]
    pub count_visits: Option<bool>,
    /// (serve) Serve /metrics (Prometheus) on this separate address, e.g. 127.0.0.1:9184.
    #[arg(
        long,
        global = true,
        env = "BANTIN_METRICS_LISTEN",
        value_name = "ADDR"
    )]
    pub metrics_listen: Option<SocketAddr>,
    /// (serve) Serve /metrics on the main address to `Authorization: Bearer TOKEN`.
    #[arg(
        long,
        global = true,
        env = "BANTIN_METRICS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// (serve) Log format [default: text].
    #[arg(long, global = true, env = "BANTIN_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// (serve) Log every request with the client's address (true/false) [default: false].
    #[arg(long, global = true, env = "BANTIN_ACCESS_LOG", value_name = "BOOL")]
    pub access_log: Option<bool>,
    /// (serve) Seconds in-flight requests get to finish after SIGTERM [default: 10].
    #[arg(
        long,
        global = true,
        env = "BANTIN_SHUTDOWN_TIMEOUT_SECS",
        value_name = "SECS"
    )]
    pub shutdown_timeout_secs: Option<u64>,
    /// (serve) Open connections at most; more are answered 503 and closed [default: 512].
    #[arg(long, global = true, env = "BANTIN_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// (serve) Requests handled at once; more wait up to a second, then get 503 [default: 128].
    #[arg(long, global = true, env = "BANTIN_MAX_IN_FLIGHT", value_name = "N")]
    pub max_in_flight: Option<usize>,
    /// (serve) Open connections from one client address [default: 64].
    #[arg(
        long,
        global = true,
        env = "BANTIN_MAX_CONNECTIONS_PER_CLIENT",
        value_name = "N"
    )]
    pub max_connections_per_client: Option<usize>,
    /// (serve) Requests of one client address handled at once; more get 429 [default: 16].
    #[arg(
        long,
        global = true,
        env = "BANTIN_MAX_IN_FLIGHT_PER_CLIENT",
        value_name = "N"
    )]
    pub max_in_flight_per_client: Option<usize>,
    /// (serve) Send mail (new questions, answers) through this SMTP server: smtp://[USER:PASSWORD@]HOST[:PORT][?tls=required] or smtps://….
    #[arg(
        long,
        global = true,
        env = "BANTIN_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// (serve) Who that mail is from, e.g. "Xã Sín Chéng <noreply@sincheng.gov.vn>" [default: noreply@ the public URL's host].
    #[arg(long, global = true, env = "BANTIN_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people reading a terminal or journalctl.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl Options {
    /// The settings of a TOML file.
    pub fn load(path: &Path) -> anyhow::Result<Options> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    /// These options where they are set, `under` where they are not.
    pub fn over(self, under: Options) -> anyhow::Result<Options> {
        // Absent options are not serialised, so the fields given here
        // replace those of `under` and nothing else does.
        let mut merged = toml::Table::try_from(under).context("cannot merge the settings")?;
        merged.extend(toml::Table::try_from(self).context("cannot merge the settings")?);
        merged.try_into().context("cannot merge the settings")
    }
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
    pub max_document_bytes: u64,
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
    /// Open connections from one client address.
    pub max_connections_per_client: usize,
    /// Requests of one client address handled at once; more get 429.
    pub max_in_flight_per_client: usize,
    /// The SMTP server mail goes through; without it no mail is sent.
    pub smtp_url: Option<crate::mail::SmtpUrl>,
    /// The sender of that mail.
    pub mail_from: String,
}

impl Config {
    /// Whether the site is served over https (per `public_url`).
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The flags and environment (`given`) over the file named by
    /// `config_file`, over the defaults.
    pub fn resolve(given: Options, config_file: Option<&Path>) -> anyhow::Result<Config> {
        let options = match config_file {
            Some(path) => given.over(Options::load(path)?)?,
            None => given,
        };
        Config::from_options(options)
    }

    /// Applies the defaults and checks every value.
    pub fn from_options(o: Options) -> anyhow::Result<Config> {
        let data_dir = o
            .data_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = o
            .database_url
            .unwrap_or_else(|| db::sqlite_url_in(&data_dir));
        let public_url = o.public_url.map(|u| u.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            anyhow::ensure!(
                url.starts_with("http://") || url.starts_with("https://"),
                "public_url must start with http:// or https:// (got {url})"
            );
        }
        let trusted_proxies = o
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|s| parse_cidr(s))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let max_upload_mb = o.max_upload_mb.unwrap_or(DEFAULT_MAX_UPLOAD_MB);
        anyhow::ensure!(max_upload_mb >= 1, "max_upload_mb must be at least 1");
        let max_document_mb = o.max_document_mb.unwrap_or(DEFAULT_MAX_DOCUMENT_MB);
        anyhow::ensure!(
            (1..=1024).contains(&max_document_mb),
            "max_document_mb must be between 1 and 1024"
        );
        let stats_flush_ms = o.stats_flush_ms.unwrap_or(1000);
        anyhow::ensure!(
            (50..=60_000).contains(&stats_flush_ms),
            "stats_flush_ms must be between 50 and 60000"
        );
        if let Some(t) = &o.metrics_token {
            anyhow::ensure!(
                t.len() >= 16 && t.bytes().all(|b| b.is_ascii_graphic()),
                "metrics_token must be at least 16 printable characters without spaces"
            );
        }
        let shutdown_secs = o.shutdown_timeout_secs.unwrap_or(10);
        anyhow::ensure!(
            (1..=300).contains(&shutdown_secs),
            "shutdown_timeout_secs must be between 1 and 300"
        );
        let max_connections = o.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        anyhow::ensure!(
            (1..=100_000).contains(&max_connections),
            "max_connections must be between 1 and 100000"
        );
        let max_in_flight = o.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT);
        anyhow::ensure!(
            (1..=100_000).contains(&max_in_flight),
            "max_in_flight must be between 1 and 100000"
        );
        let max_connections_per_client = o
            .max_connections_per_client
            .unwrap_or(DEFAULT_MAX_CONNECTIONS_PER_CLIENT.min(max_connections));
        anyhow::ensure!(
            (1..=max_connections).contains(&max_connections_per_client),
            "max_connections_per_client must be between 1 and max_connections"
        );
        let max_in_flight_per_client = o
            .max_in_flight_per_client
            .unwrap_or(DEFAULT_MAX_IN_FLIGHT_PER_CLIENT.min(max_in_flight));
        anyhow::ensure!(
            (1..=max_in_flight).contains(&max_in_flight_per_client),
            "max_in_flight_per_client must be between 1 and max_in_flight"
        );
        let smtp_url = o.smtp_url.filter(|u| !u.trim().is_empty());
        if let Some(url) = &smtp_url {
            anyhow::ensure!(
                url.starts_with("smtp://") || url.starts_with("smtps://"),
                "smtp_url must start with smtp:// or smtps://"
            );
        }
        let mail_from = match o.mail_from {
            Some(f) => f.trim().to_owned(),
            None => {
                let host = public_url
                    .as_deref()
                    .and_then(|u| u.split_once("://"))
                    .map(|(_, rest)| rest.split([':', '/']).next().unwrap_or("localhost"))
                    .filter(|h| !h.is_empty())
                    .unwrap_or("localhost");
                format!("noreply@{host}")
            }
        };
        anyhow::ensure!(
            crate::mail::is_mailbox(&mail_from),
            "mail_from must be an address, or a name and <address> (got {mail_from:?})"
        );
        Ok(Config {
            smtp_url: smtp_url.map(crate::mail::SmtpUrl),
            mail_from,
            max_connections,
            max_in_flight,
            max_connections_per_client,
            max_in_flight_per_client,
            metrics_listen: o.metrics_listen,
            metrics_token: o.metrics_token,
            log_format: o.log_format.unwrap_or(LogFormat::Text),
            access_log: o.access_log.unwrap_or(false),
            shutdown_timeout: std::time::Duration::from_secs(shutdown_secs),
            stats_flush: std::time::Duration::from_millis(stats_flush_ms),
            count_visits: o.count_visits.unwrap_or(true),
            listen: o
                .listen
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default address")),
            data_dir,
            database_url,
            site_name: o.site_name,
            public_url,
            trusted_proxies,
            max_upload_bytes: max_upload_mb * 1024 * 1024,
            max_document_bytes: max_document_mb * 1024 * 1024,
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

    fn layer(given: Options, file: Options) -> anyhow::Result<Config> {
        Config::from_options(given.over(file)?)
    }

    #[test]
    fn flags_and_env_win_over_the_file_which_wins_over_defaults() {
        let file: Options = toml::from_str(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/bantin\"\nsite_name = \"Xã Sín Chéng\"\n",
        )
        .unwrap();
        let o = Options {
            listen: Some("127.0.0.1:7000".parse().unwrap()),
            ..Default::default()
        };
        let c = layer(o, file).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(c.data_dir, PathBuf::from("/srv/bantin"));
        assert_eq!(c.database_url, "sqlite:///srv/bantin/bantin.db");
        assert_eq!(c.site_name.as_deref(), Some("Xã Sín Chéng"));
    }

    #[test]
    fn every_kind_of_value_layers() {
        let file: Options = toml::from_str(
            "trusted_proxies = [\"10.0.0.0/8\"]\nlog_format = \"json\"\ncount_visits = false\nmax_in_flight = 7\n",
        )
        .unwrap();
        let c = layer(Options::default(), file.clone()).unwrap();
        assert_eq!(c.trusted_proxies.len(), 1);
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(!c.count_visits);
        assert_eq!(c.max_in_flight, 7);
        let o = Options {
            log_format: Some(LogFormat::Text),
            count_visits: Some(true),
            ..Default::default()
        };
        let c = layer(o, file).unwrap();
        assert_eq!(c.log_format, LogFormat::Text);
        assert!(c.count_visits);
        assert_eq!(c.max_in_flight, 7);
    }

    #[test]
    fn defaults() {
        let c = layer(Options::default(), Options::default()).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.database_url, "sqlite://./data/bantin.db");
        assert!(!c.https() && c.trusted_proxies.is_empty());
        assert_eq!(c.max_upload_bytes, 10 * 1024 * 1024);
    }

    #[test]
    fn proxies_and_public_url() {
        let o = Options {
            trusted_proxies: Some(vec!["10.0.0.0/8".into(), "127.0.0.1".into(), "::1".into()]),
            public_url: Some("https://sincheng.gov.vn/".into()),
            ..Default::default()
        };
        let c = layer(o, Options::default()).unwrap();
        assert_eq!(c.trusted_proxies.len(), 3);
        assert!(c.trusted_proxies[1].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap()));
        assert!(c.https());
        assert_eq!(c.public_url.as_deref(), Some("https://sincheng.gov.vn"));
        let bad = Options {
            trusted_proxies: Some(vec!["10.0.0.0/99".into()]),
            ..Default::default()
        };
        assert!(layer(bad, Options::default()).is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<Options>("lisen = \"x\"").is_err());
    }
}
