//! `bantin backup`, `bantin restore` and `bantin doctor`: what an operator
//! runs to keep a deployment safe (see `ops::backup`, `ops::doctor`).

use std::path::Path;
use std::process::ExitCode;

use super::{connect, open};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Options};
use crate::db;

pub async fn doctor(given: Options, config_file: Option<&Path>) -> ExitCode {
    let findings = crate::ops::doctor::run(given, config_file).await;
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

pub async fn backup(config: Config, file: &Path) -> anyhow::Result<ExitCode> {
    // Copied as it is: no migration, no reindexing.
    let db = connect(&config).await?;
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

pub async fn restore(config: Config, file: &Path, force: bool) -> anyhow::Result<ExitCode> {
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
