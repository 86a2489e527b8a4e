//! `bantin import-text FILE...`: captured pages become published articles.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::open;
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
