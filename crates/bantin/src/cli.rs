//! The command line: `bantin serve | migrate | import-text`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::app::{self, AppState};
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
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "BANTIN_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Set the site's name (stored in the database).
    #[arg(long, env = "BANTIN_SITE_NAME", value_name = "NAME")]
    pub site_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Text files, UTF-8, one captured page each.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl Cli {
    fn overrides(&self) -> Overrides {
        let (listen, site_name) = match &self.command {
            Command::Serve(a) => (a.listen, a.site_name.clone()),
            _ => (None, None),
        };
        Overrides {
            config: self.config.clone(),
            listen,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            site_name,
        }
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
    }
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
    let state = AppState::new(db.clone(), Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    tracing::info!(
        database = %db::redact_url(&config.database_url),
        "bantin is serving on http://{address}"
    );
    axum::serve(
        listener,
        app::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")?;
    tracing::info!("shutting down");
    db.close().await;
    Ok(())
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
