//! The command line: `bantin serve | migrate | import-text | user | reindex
//! | backup | restore | doctor`. Each command group has its file; the
//! settings they share are `config::Options`, flattened into [`Cli`].

mod backup;
mod import;
mod progress;
mod serve;
mod sites;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Options};
use crate::db::{self, Backend, Db};
use crate::site;

#[derive(Debug, Parser)]
#[command(
    name = "bantin",
    version,
    about = "Cổng thông tin điện tử cho xã, phường và cơ quan nhỏ"
)]
pub struct Cli {
    /// TOML configuration file (its keys are the settings' names: listen, data_dir…).
    #[arg(long, global = true, env = "BANTIN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub options: Options,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrates the database first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Import pages captured as text as published articles.
    ImportText(import::ImportArgs),
    /// Import a register of documents (CSV) with their files as published documents.
    ImportDocuments(import::DocumentsArgs),
    /// Import a WordPress export (WXR): posts, pages, categories, authors, images; old links redirect.
    ImportWordpress(import::WordpressArgs),
    /// Import a NukeViet 4 site's news from its MariaDB/MySQL database; old links redirect.
    ImportNukeviet(import::NukevietArgs),
    /// Manage staff accounts.
    User(user::UserArgs),
    /// Manage the sites of a deployment (a province's portal and its communes').
    #[command(subcommand)]
    Site(sites::SiteCommand),
    /// Rebuild the search index from the articles.
    Reindex {
        /// Only this site's articles (host or number) [default: every site].
        #[arg(long)]
        site: Option<String>,
    },
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

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config_file = cli.config.as_deref();
    if let Command::Doctor = cli.command {
        return Ok(backup::doctor(cli.options, config_file).await);
    }
    let config = Config::resolve(cli.options, config_file)?;
    match cli.command {
        Command::Doctor => unreachable!("handled above"),
        Command::Backup { file } => backup::backup(config, &file).await,
        Command::Restore { file, force } => backup::restore(config, &file, force).await,
        Command::Serve => serve::serve(config).await.map(|()| ExitCode::SUCCESS),
        Command::Migrate => {
            let db = open(&config).await?;
            println!(
                "Cơ sở dữ liệu đã được cập nhật ({}).",
                db::redact_url(&config.database_url)
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportText(args) => import::import_text(config, args).await,
        Command::ImportDocuments(args) => import::import_documents(config, args).await,
        Command::ImportWordpress(args) => import::import_wordpress(config, args).await,
        Command::ImportNukeviet(args) => import::import_nukeviet(config, args).await,
        Command::User(args) => user::run(config, args).await,
        Command::Site(cmd) => sites::run(config, cmd).await,
        Command::Reindex { site } => {
            let db = open(&config).await?;
            let only = match site {
                Some(s) => Some(site::lookup(&db, Some(&s)).await?.id),
                None => None,
            };
            let n = crate::search::store::reindex(&db, false, only).await?;
            println!("Đã lập lại chỉ mục tìm kiếm cho {n} bài viết.");
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Connects, creating the data folder for SQLite; changes nothing in the
/// database (a backup must copy it as it is). A data folder bantin creates
/// is its owner's only (0700), and so are the database's files (0600),
/// whoever's umask runs it: they hold password hashes and sessions.
pub async fn connect(config: &Config) -> anyhow::Result<Db> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if Backend::of_url(&config.database_url)? == Backend::Sqlite && !config.data_dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&config.data_dir)
            .with_context(|| {
                format!(
                    "cannot create the data folder {}",
                    config.data_dir.display()
                )
            })?;
    }
    let db = Db::connect(&config.database_url).await?;
    if let Some(file) = db::sqlite_file(&config.database_url) {
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            if let Ok(meta) = std::fs::metadata(&path)
                && meta.permissions().mode() & 0o077 != 0
            {
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    Ok(db)
}

/// Connects and brings the database up to date: migrations, the search
/// text of articles stored before search existed, the configured name.
pub async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = connect(config).await?;
    db.migrate().await?;
    crate::search::store::reindex(&db, true, None).await?;
    // Sites made before pages existed get their starting pages once.
    crate::content::page::furnish_all(&db, SystemClock.now()).await?;
    if let Some(name) = config.site_name.as_deref() {
        let name = vntext::normalize(name);
        anyhow::ensure!(!name.is_empty(), "the site name must not be empty");
        let site = site::load_default(&db).await?;
        site::rename(&db, site.id, &name, SystemClock.now()).await?;
    }
    Ok(db)
}
