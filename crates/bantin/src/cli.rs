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
use crate::config::{Config, Overrides};
use crate::content::{category, import};
use crate::db::{self, Backend, Db};
use crate::site;

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
        }
        o
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::resolve(cli.overrides())?;
    match cli.command {
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
    init_tracing();
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
    axum::serve(
        listener,
        app::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")?;
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

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BANTIN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
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
