//! `bantin import-text FILE...`: captured pages become published articles.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{open, progress};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::content::{category, import};
use crate::site;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Text files, UTF-8, one captured page each.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The site they go to (host or number) [default: the default site].
    #[arg(long)]
    pub site: Option<String>,
}

pub async fn import_text(config: Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let db = open(&config).await?;
    let site = match site::lookup(&db, args.site.as_deref()).await {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let category = category::find_by_slug(&db, site.id, category::DEFAULT_SLUG).await?;
    let mut failed = 0;
    let category_id = category.as_ref().map(|c| c.id);
    let now = SystemClock.now();
    import::import_files(
        &db,
        &site,
        category_id,
        &args.files,
        now,
        |file, outcome| match outcome {
            Ok(done) => {
                let mut notes = Vec::new();
                if let Some(encoding) = done.legacy {
                    notes.push(format!(
                        "đã chuyển từ bảng mã {} sang Unicode",
                        encoding.name()
                    ));
                }
                if let Some(at) = done.shown_at {
                    notes.push(format!(
                        "ngày đăng theo trang: {}",
                        crate::localtime::format_datetime(at)
                    ));
                }
                if done.suspicious_title {
                    notes.push(
                        "cảnh báo: tiêu đề phần lớn không phải tiếng Việt, có thể sai bảng mã"
                            .into(),
                    );
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
        },
    )
    .await;
    db.close().await;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Debug, Args)]
pub struct DocumentsArgs {
    /// The register: a spreadsheet saved as CSV (UTF-8, Windows-1258, TCVN3
    /// or VNI), one row per document, with a header row naming the columns
    /// (Số ký hiệu, Loại văn bản, Cơ quan ban hành, Người ký, Lĩnh vực, Ngày
    /// ban hành, Ngày hiệu lực, Ngày hết hiệu lực, Trích yếu, Thay thế văn
    /// bản, Tệp).
    #[arg(value_name = "REGISTER.csv")]
    pub register: PathBuf,
    /// The folder the register's file names are in [default: the register's].
    #[arg(long, value_name = "DIR")]
    pub files: Option<PathBuf>,
    /// The site they go to (host or number) [default: the default site].
    #[arg(long)]
    pub site: Option<String>,
}

/// `bantin import-documents REGISTER.csv --files DIR`: each row becomes a
/// published document with its files, or nothing; rows already there are
/// left alone; exits 1 when any row failed.
pub async fn import_documents(config: Config, args: DocumentsArgs) -> anyhow::Result<ExitCode> {
    use crate::content::document::register::{self, Done, Places};
    let bytes = std::fs::read(&args.register)
        .map_err(|e| anyhow::anyhow!("không đọc được {}: {e}", args.register.display()))?;
    let read = match register::read(&bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lỗi: {}: {e}", args.register.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    if read.encoding != "UTF-8" {
        println!("đã chuyển từ bảng mã {} sang Unicode", read.encoding);
    }
    for c in &read.unknown_columns {
        eprintln!("cảnh báo: cột “{c}” không phải cột bantin đọc, bỏ qua");
    }
    let db = open(&config).await?;
    let site = match site::lookup(&db, args.site.as_deref()).await {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let source = args.files.clone().unwrap_or_else(|| {
        args.register
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."))
    });
    let store = config.data_dir.join("media");
    let places = Places {
        source: &source,
        store: &store,
        max_bytes: config.max_document_bytes,
    };
    let (mut rows, mut failed) = (Vec::new(), 0);
    for r in read.rows {
        match r {
            Ok(row) => rows.push(row),
            Err((line, e)) => {
                eprintln!("dòng {line}: lỗi: {e}");
                failed += 1;
            }
        }
    }
    register::in_order(&mut rows);
    let (mut created, mut known) = (0, 0);
    for row in &rows {
        match register::import_row(&db, site.id, &places, row, SystemClock.now()).await {
            Ok(Done::Created(path)) => {
                println!("dòng {}: {} → {path}", row.line, row.number);
                created += 1;
            }
            Ok(Done::Known(path)) => {
                println!(
                    "dòng {}: {} đã có ({path}), không nhập lại",
                    row.line, row.number
                );
                known += 1;
            }
            Err(e) => {
                eprintln!("dòng {}: lỗi: {e}; không nhập dòng này", row.line);
                failed += 1;
            }
        }
    }
    db.close().await;
    println!("Đã nhập {created} văn bản; {known} văn bản đã có; {failed} dòng lỗi.");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Debug, Args)]
pub struct WordpressArgs {
    /// The export WordPress writes (Công cụ → Xuất, "Tất cả nội dung").
    #[arg(value_name = "EXPORT.xml")]
    pub export: PathBuf,
    /// A copy of the old site's `wp-content/uploads` folder: featured and
    /// inline images are taken from it.
    #[arg(long, value_name = "DIR")]
    pub uploads: Option<PathBuf>,
    /// The site they go to (host or number) [default: the default site].
    #[arg(long)]
    pub site: Option<String>,
}

/// `bantin import-wordpress EXPORT.xml`: posts, pages, categories,
/// authors and images, each whole or not at all; re-running adds nothing
/// already there and finishes a run that stopped; exits 1 when an item
/// failed.
pub async fn import_wordpress(config: Config, args: WordpressArgs) -> anyhow::Result<ExitCode> {
    use crate::content::import::wordpress;
    let path = args.export.clone();
    let survey = match tokio::task::spawn_blocking(move || wordpress::survey(&path)).await? {
        Ok(s) => s,
        Err(e) => {
            eprintln!("lỗi: {}: {e}; chưa nhập gì", args.export.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(dir) = &args.uploads {
        anyhow::ensure!(dir.is_dir(), "không có thư mục {}", dir.display());
    }
    let db = open(&config).await?;
    let site = match site::lookup(&db, args.site.as_deref()).await {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let library = library(&config);
    let options = wordpress::Options {
        export: &args.export,
        uploads: args.uploads.as_deref(),
        library: &library,
        now: SystemClock.now(),
    };
    let mut progress = progress::Progress::new(survey.total());
    let result = wordpress::import(&db, &site, options, &survey, |done| {
        progress.item(done);
        std::ops::ControlFlow::Continue(())
    })
    .await;
    db.close().await;
    progress.finish("WordPress", result)
}

#[derive(Debug, Args)]
pub struct NukevietArgs {
    /// The NukeViet database: mysql://user:password@host:3306/database.
    #[arg(value_name = "mysql://…", env = "BANTIN_NUKEVIET_URL")]
    pub url: String,
    /// The tables' prefix ($db_config['prefix'] in config.php).
    #[arg(long, default_value = "nv4")]
    pub prefix: String,
    /// The language whose news are imported.
    #[arg(long, default_value = "vi")]
    pub lang: String,
    /// The news module's data name (tables `{prefix}_{lang}_{module}_rows`…).
    #[arg(long, default_value = "news")]
    pub module: String,
    /// A copy of the old site's `uploads` folder (with `news/2024_03/…`).
    #[arg(long, value_name = "DIR")]
    pub uploads: Option<PathBuf>,
    /// The site they go to (host or number) [default: the default site].
    #[arg(long)]
    pub site: Option<String>,
}

/// `bantin import-nukeviet mysql://…`: the news module's categories,
/// posters and articles, like `import-wordpress`.
pub async fn import_nukeviet(config: Config, args: NukevietArgs) -> anyhow::Result<ExitCode> {
    use crate::content::import::nukeviet;
    let tables = match nukeviet::Tables::checked(&args.prefix, &args.lang, &args.module) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lỗi: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(dir) = &args.uploads {
        anyhow::ensure!(dir.is_dir(), "không có thư mục {}", dir.display());
    }
    let source = nukeviet::connect(&args.url, tables).await?;
    let articles = match source.count().await {
        Ok(n) => n,
        Err(e) => {
            source.close().await;
            eprintln!("lỗi: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let db = open(&config).await?;
    let site = match site::lookup(&db, args.site.as_deref()).await {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            source.close().await;
            return Err(e);
        }
    };
    let library = library(&config);
    let options = nukeviet::Options {
        uploads: args.uploads.as_deref(),
        library: &library,
        now: SystemClock.now(),
    };
    let mut progress = progress::Progress::new(articles);
    let result = nukeviet::import(&db, &site, &source, options, |done| {
        progress.item(done);
        std::ops::ControlFlow::Continue(())
    })
    .await;
    db.close().await;
    source.close().await;
    progress.finish("NukeViet", result)
}

fn library(config: &Config) -> crate::content::media::Library {
    crate::content::media::Library {
        dir: config.data_dir.join("media"),
        max_bytes: config.max_upload_bytes,
    }
}
