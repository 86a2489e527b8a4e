//! The command line: `bantin serve | migrate | import-text`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::accounts::{Role, password, session, user};
use crate::app::{self, AppState, Settings};
use crate::audit;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, LogFormat, Overrides};
use crate::content::{category, import};
use crate::db::{self, Backend, Db};
use crate::site;
use crate::web;

#[derive(Debug, Parser)]
#[command(
    name = "bantin",
    version,
    about = "Cổng thông tin điện tử cho xã, phường và cơ quan nhỏ"
)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, env = "BANTIN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrates the database first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Import pages captured as text as published articles.
    ImportText(ImportArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Rebuild the search index from the articles.
    Reindex,
    /// Write a backup archive (.tar.gz): the SQLite database, copied while
    /// the server keeps serving, and the uploaded images.
    Backup {
        /// The archive to create (must not exist).
        file: PathBuf,
    },
    /// Restore a backup archive into the data folder (stop the server first).
    Restore {
        file: PathBuf,
        /// Replace the database and images of a data folder that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Check the configuration, database, data folder and free disk.
    Doctor,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (a strong password is generated and printed once,
    /// unless --password-stdin).
    Add {
        /// Login name: 3-32 of a-z 0-9 . _ -
        name: String,
        #[arg(long, value_parser = ["admin", "editor", "author"])]
        role: String,
        /// The name shown in the admin pages [default: the login name].
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (generated and printed once, unless --password-stdin);
    /// ends the account's sessions.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable { name: String },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "BANTIN_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Set the site's name (stored in the database).
    #[arg(long, env = "BANTIN_SITE_NAME", value_name = "NAME")]
    pub site_name: Option<String>,
    /// How readers reach the site, e.g. https://sincheng.gov.vn (https: Secure cookies, HSTS).
    #[arg(long, env = "BANTIN_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// A reverse proxy whose X-Forwarded-For is believed (address or CIDR; repeatable).
    #[arg(
        long = "trusted-proxy",
        env = "BANTIN_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Option<Vec<String>>,
    /// Largest image upload, in MB [default: 10].
    #[arg(long, env = "BANTIN_MAX_UPLOAD_MB", value_name = "MB")]
    pub max_upload_mb: Option<u64>,
    /// How often visitor counts are written to the database, in ms [default: 1000].
    #[arg(long, env = "BANTIN_STATS_FLUSH_MS", value_name = "MS")]
    pub stats_flush_ms: Option<u64>,
    /// Count visits (true/false) [default: true]; false only to measure what counting costs.
    #[arg(long, env = "BANTIN_COUNT_VISITS", value_name = "BOOL")]
    pub count_visits: Option<bool>,
    /// Serve /metrics (Prometheus) on this separate address, e.g. 127.0.0.1:9184.
    #[arg(long, env = "BANTIN_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// Serve /metrics on the main address to `Authorization: Bearer TOKEN`.
    #[arg(
        long,
        env = "BANTIN_METRICS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Log format [default: text].
    #[arg(long, env = "BANTIN_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log every request with the client's address (true/false) [default: false].
    #[arg(long, env = "BANTIN_ACCESS_LOG", value_name = "BOOL")]
    pub access_log: Option<bool>,
    /// Seconds in-flight requests get to finish after SIGTERM [default: 10].
    #[arg(long, env = "BANTIN_SHUTDOWN_TIMEOUT_SECS", value_name = "SECS")]
    pub shutdown_timeout_secs: Option<u64>,
    /// Open connections at most; more are answered 503 and closed [default: 512].
    #[arg(long, env = "BANTIN_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Requests handled at once; more wait up to a second, then get 503 [default: 128].
    #[arg(long, env = "BANTIN_MAX_IN_FLIGHT", value_name = "N")]
    pub max_in_flight: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Text files, UTF-8, one captured page each.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl Cli {
    fn overrides(&self) -> Overrides {
        let mut o = Overrides {
            config: self.config.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            ..Overrides::default()
        };
        if let Command::Serve(a) = &self.command {
            o.listen = a.listen;
            o.site_name = a.site_name.clone();
            o.public_url = a.public_url.clone();
            o.trusted_proxies = a.trusted_proxies.clone();
            o.max_upload_mb = a.max_upload_mb;
            o.stats_flush_ms = a.stats_flush_ms;
            o.count_visits = a.count_visits;
            o.metrics_listen = a.metrics_listen;
            o.metrics_token = a.metrics_token.clone();
            o.log_format = a.log_format;
            o.access_log = a.access_log;
            o.shutdown_timeout_secs = a.shutdown_timeout_secs;
            o.max_connections = a.max_connections;
            o.max_in_flight = a.max_in_flight;
        }
        o
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Doctor = cli.command {
        return Ok(doctor(cli.overrides()).await);
    }
    let config = Config::resolve(cli.overrides())?;
    match cli.command {
        Command::Doctor => unreachable!("handled above"),
        Command::Backup { file } => backup(config, &file).await,
        Command::Restore { file, force } => restore(config, &file, force).await,
        Command::Serve(_) => serve(config).await.map(|()| ExitCode::SUCCESS),
        Command::Migrate => {
            let db = open(&config).await?;
            println!(
                "Cơ sở dữ liệu đã được cập nhật ({}).",
                db::redact_url(&config.database_url)
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportText(args) => import_text(config, args).await,
        Command::User(cmd) => user_command(config, cmd).await,
        Command::Reindex => {
            let db = open(&config).await?;
            let n = crate::search::store::reindex(&db, false).await?;
            println!("Đã lập lại chỉ mục tìm kiếm cho {n} bài viết.");
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn doctor(overrides: Overrides) -> ExitCode {
    let findings = crate::ops::doctor::run(overrides).await;
    for f in &findings {
        println!("{}", f.line());
    }
    let problems = findings
        .iter()
        .filter(|f| f.level == crate::ops::doctor::Level::Problem)
        .count();
    if problems == 0 {
        println!("Không thấy lỗi nào.");
        ExitCode::SUCCESS
    } else {
        println!("Có {problems} lỗi cần sửa.");
        ExitCode::FAILURE
    }
}

async fn backup(config: Config, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let db = open(&config).await?;
    let result =
        crate::ops::backup::create(&db, &config.data_dir.join("media"), file, SystemClock.now())
            .await;
    db.close().await;
    let m = result?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Đã sao lưu vào {} ({}): {} bài viết, {} tệp ảnh.",
        file.display(),
        crate::ops::doctor::human_bytes(size),
        m.articles,
        m.media_files
    );
    if !m.database_included {
        println!(
            "Cơ sở dữ liệu PostgreSQL KHÔNG có trong tệp này (chỉ có ảnh). Sao lưu nó bằng: \
             pg_dump --format=custom --file=bantin.dump \"{}\"",
            db::redact_url(&config.database_url)
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn restore(config: Config, file: &std::path::Path, force: bool) -> anyhow::Result<ExitCode> {
    let target = crate::ops::backup::Target {
        data_dir: config.data_dir.clone(),
        sqlite_file: db::sqlite_file(&config.database_url),
        media_dir: config.data_dir.join("media"),
    };
    let m = crate::ops::backup::restore(file, &target, force).await?;
    println!(
        "Đã khôi phục bản sao lưu ngày {} vào {}: {} tệp ảnh{}.",
        crate::localtime::format_datetime(m.created_at),
        config.data_dir.display(),
        m.media_files,
        if m.database_included {
            format!(", cơ sở dữ liệu với {} bài viết", m.articles)
        } else {
            String::new()
        }
    );
    if m.database_included {
        // A backup from an older version is brought up to date now.
        let db = open(&config).await?;
        db.close().await;
    } else {
        println!(
            "Bản sao lưu này không chứa cơ sở dữ liệu (PostgreSQL): khôi phục nó bằng \
             pg_restore --clean --if-exists --dbname=\"{}\" bantin.dump",
            db::redact_url(&config.database_url)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The password to set: from standard input (checked) or generated.
fn new_password(from_stdin: bool, username: &str) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((password::generate(), true));
    }
    let password = read_password_stdin()?;
    if let Some(problem) = password::policy_problem(&password, username) {
        anyhow::bail!("{problem}");
    }
    Ok((password, false))
}

async fn user_command(config: Config, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let db = open(&config).await?;
    let site = site::load_default(&db).await?;
    let now = SystemClock.now();
    let result = match cmd {
        UserCommand::Add {
            name,
            role,
            display_name,
            password_stdin,
        } => {
            let username = user::normalize_username(&name)
                .context("the login name must be 3-32 of a-z 0-9 . _ - (no diacritics)")?;
            let role = Role::parse(&role).context("role must be admin, editor or author")?;
            let (password, generated) = new_password(password_stdin, &username)?;
            let hash = password::hash(password.clone()).await?;
            let display = display_name
                .map(|d| vntext::normalize(&d))
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| username.clone());
            if user::insert(&db, site.id, &username, &display, &hash, role, now)
                .await?
                .is_none()
            {
                anyhow::bail!("tên đăng nhập {username} đã có");
            }
            audit::record(
                &db,
                site.id,
                None,
                "user_create",
                &username,
                role.as_str(),
                now,
            )
            .await?;
            println!("Đã tạo tài khoản {username} ({}).", role.label());
            if generated {
                println!("Mật khẩu (chỉ hiện một lần): {password}");
            }
            Ok(())
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let found = find_user(&db, site.id, &name).await?;
            let (password, generated) = new_password(password_stdin, &found.username)?;
            let hash = password::hash(password.clone()).await?;
            user::set_password(&db, found.id, &hash, now).await?;
            session::delete_for_user(&db, found.id).await?;
            audit::record(
                &db,
                site.id,
                None,
                "user_password",
                &found.username,
                "",
                now,
            )
            .await?;
            println!("Đã đổi mật khẩu của {}.", found.username);
            if generated {
                println!("Mật khẩu mới (chỉ hiện một lần): {password}");
            }
            Ok(())
        }
        UserCommand::List => {
            for u in user::list(&db, site.id).await? {
                let state = if u.disabled {
                    "đã khoá"
                } else {
                    "hoạt động"
                };
                println!(
                    "{}\t{}\t{}\t{}",
                    u.username,
                    u.role().as_str(),
                    state,
                    u.display_name
                );
            }
            Ok(())
        }
        UserCommand::Disable { name } => {
            let found = find_user(&db, site.id, &name).await?;
            user::update_profile(&db, found.id, &found.display_name, found.role(), true, now)
                .await?;
            session::delete_for_user(&db, found.id).await?;
            audit::record(
                &db,
                site.id,
                None,
                "user_update",
                &found.username,
                "khoá",
                now,
            )
            .await?;
            println!("Đã khoá tài khoản {}.", found.username);
            Ok(())
        }
    };
    db.close().await;
    result.map(|()| ExitCode::SUCCESS)
}

async fn find_user(db: &Db, site_id: i64, name: &str) -> anyhow::Result<crate::accounts::User> {
    let username =
        user::normalize_username(name).with_context(|| format!("không có tài khoản {name}"))?;
    user::find_by_username(db, site_id, &username)
        .await?
        .with_context(|| format!("không có tài khoản {username}"))
}

/// Connects (creating the data folder for SQLite) and migrates.
pub async fn open(config: &Config) -> anyhow::Result<Db> {
    if Backend::of_url(&config.database_url)? == Backend::Sqlite {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data folder {}",
                config.data_dir.display()
            )
        })?;
    }
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    // Articles stored before search existed get their folded text.
    crate::search::store::reindex(&db, true).await?;
    if let Some(name) = config.site_name.as_deref() {
        let name = vntext::normalize(name);
        anyhow::ensure!(!name.is_empty(), "the site name must not be empty");
        let site = site::load_default(&db).await?;
        site::rename(&db, site.id, &name, SystemClock.now()).await?;
    }
    Ok(db)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    init_tracing(config.log_format);
    let db = open(&config).await?;
    let state = AppState::new(
        db.clone(),
        Arc::new(SystemClock),
        Settings::from_config(&config),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let maintenance = tokio::spawn(maintain(db.clone()));
    let flusher = tokio::spawn(flush_stats(state.clone(), config.stats_flush));
    tracing::info!(
        database = %db::redact_url(&config.database_url),
        "bantin is serving on http://{address}"
    );
    // One signal stops both listeners; in-flight requests then get
    // `shutdown_timeout` to finish.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let metrics_server = match config.metrics_listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for metrics"))?;
            tracing::info!("metrics on http://{}/metrics", l.local_addr()?);
            let router = app::metrics_router(state.clone());
            let stop = stopped(stop_rx.clone());
            Some(tokio::spawn(async move {
                axum::serve(l, router).with_graceful_shutdown(stop).await
            }))
        }
        None => None,
    };
    let server = web::listener::serve(
        listener,
        app::router(state.clone()),
        config.max_connections,
        stopped(stop_rx.clone()),
    );
    let deadline = async {
        stopped(stop_rx.clone()).await;
        tracing::info!("stopping: no new connections; finishing requests in flight");
        tokio::time::sleep(config.shutdown_timeout).await;
    };
    tokio::select! {
        () = server => {}
        () = deadline => tracing::warn!(
            "requests still running after {}s were cut off",
            config.shutdown_timeout.as_secs()
        ),
    }
    if let Some(m) = metrics_server {
        m.abort();
    }
    tracing::info!("shutting down");
    maintenance.abort();
    flusher.abort();
    // Whatever was counted since the last flush is written before exit.
    if let Err(e) = state.stats().flush().await {
        tracing::error!(error = %e, "cannot write the last visitor counts");
    }
    db.close().await;
    Ok(())
}

/// Writes visitor counts every `interval`.
async fn flush_stats(state: AppState, interval: std::time::Duration) {
    let mut every = tokio::time::interval(interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = state.stats().flush().await {
            tracing::warn!(error = %e, "cannot write visitor counts; will retry");
        }
    }
}

/// Housekeeping while serving: expired sessions and old login failures.
async fn maintain(db: Db) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        let now = SystemClock.now();
        if let Err(e) = session::purge_expired(&db, now).await {
            tracing::warn!(error = %e, "cannot purge expired sessions");
        }
        if let Err(e) = crate::accounts::throttle::purge_old(&db, now).await {
            tracing::warn!(error = %e, "cannot purge old login attempts");
        }
    }
}

async fn import_text(config: Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let db = open(&config).await?;
    let site = site::load_default(&db).await?;
    let category = category::find_by_slug(&db, site.id, category::DEFAULT_SLUG).await?;
    let mut failed = 0;
    for file in &args.files {
        let category_id = category.as_ref().map(|c| c.id);
        match import::import_file(&db, &site, category_id, file, SystemClock.now()).await {
            Ok(done) => {
                let mut notes = Vec::new();
                if let Some(encoding) = done.legacy {
                    notes.push(format!(
                        "đã chuyển từ bảng mã {} sang Unicode",
                        encoding.name()
                    ));
                }
                if !done.created {
                    notes.push(format!("đã có, không nhập lại {}", file.display()));
                }
                if notes.is_empty() {
                    println!("{}", done.path);
                } else {
                    println!("{} ({})", done.path, notes.join("; "));
                }
            }
            Err(e) => {
                eprintln!("lỗi: {e}");
                failed += 1;
            }
        }
    }
    db.close().await;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Logs go to standard output (journald keeps them under systemd). What
/// they never hold: passwords, session tokens, query strings, and visitor
/// addresses unless access logging is on.
fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BANTIN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
