//! `bantin doctor`: checks what an operator would check by hand — the
//! configuration, the database, the data folder's permissions and free
//! disk — and says in plain words what is wrong and what to do.

use std::path::Path;
use std::time::Duration;

use crate::config::{Config, Options};
use crate::db::{self, Backend, Db};
use crate::with_db;

/// Below this much free space the data folder is a problem.
const MIN_FREE_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warning,
    Problem,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub level: Level,
    pub text: String,
}

impl Finding {
    fn ok(text: impl Into<String>) -> Self {
        Finding {
            level: Level::Ok,
            text: text.into(),
        }
    }
    fn warning(text: impl Into<String>) -> Self {
        Finding {
            level: Level::Warning,
            text: text.into(),
        }
    }
    fn problem(text: impl Into<String>) -> Self {
        Finding {
            level: Level::Problem,
            text: text.into(),
        }
    }

    pub fn line(&self) -> String {
        let mark = match self.level {
            Level::Ok => "[ổn]     ",
            Level::Warning => "[lưu ý]  ",
            Level::Problem => "[LỖI]    ",
        };
        format!("{mark}{}", self.text)
    }
}

/// Every check, in order. A configuration that cannot be read stops there.
pub async fn run(given: Options, config_file: Option<&Path>) -> Vec<Finding> {
    let config = match Config::resolve(given, config_file) {
        Ok(c) => c,
        Err(e) => return vec![Finding::problem(format!("cấu hình không đọc được: {e:#}"))],
    };
    let mut out = vec![Finding::ok(format!(
        "cấu hình đọc được; nghe tại {}, cơ sở dữ liệu {}",
        config.listen,
        db::redact_url(&config.database_url)
    ))];
    out.extend(configuration(&config));
    out.extend(data_dir(&config.data_dir));
    out.extend(database(&config).await);
    out
}

fn configuration(config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    match config.public_url.as_deref() {
        None => out.push(Finding::warning(
            "chưa đặt public_url (địa chỉ công khai của trang): liên kết trong RSS, sitemap và khi chia sẻ sẽ thiếu tên miền",
        )),
        Some(u) if u.starts_with("http://") => out.push(Finding::warning(format!(
            "public_url {u} không dùng https: mật khẩu cán bộ đi qua mạng không mã hoá"
        ))),
        Some(_) => {}
    }
    if !config.listen.ip().is_loopback() && config.trusted_proxies.is_empty() {
        out.push(Finding::warning(format!(
            "máy chủ nghe trực tiếp tại {} mà không có reverse proxy tin cậy (--trusted-proxy): \
             nên đặt sau nginx để có TLS",
            config.listen
        )));
    }
    out
}

fn data_dir(dir: &Path) -> Vec<Finding> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return vec![Finding::warning(format!(
                "thư mục dữ liệu {} chưa có; `bantin serve` sẽ tạo",
                dir.display()
            ))];
        }
        Err(e) => {
            return vec![Finding::problem(format!(
                "không đọc được thư mục dữ liệu {}: {e}",
                dir.display()
            ))];
        }
    };
    if !meta.is_dir() {
        return vec![Finding::problem(format!(
            "{} không phải thư mục",
            dir.display()
        ))];
    }
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    match std::fs::write(&probe, b"bantin") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            out.push(Finding::ok(format!(
                "thư mục dữ liệu {} ghi được",
                dir.display()
            )));
        }
        Err(e) => out.push(Finding::problem(format!(
            "không ghi được vào thư mục dữ liệu {}: {e} (kiểm tra chủ sở hữu và quyền)",
            dir.display()
        ))),
    }
    let mode = meta.permissions().mode();
    if mode & 0o002 != 0 {
        out.push(Finding::problem(format!(
            "ai trên máy cũng ghi được vào {} (quyền {:o}): chạy `chmod o-w {}`",
            dir.display(),
            mode & 0o777,
            dir.display()
        )));
    } else if mode & 0o007 != 0 {
        out.push(Finding::warning(format!(
            "người dùng khác trên máy đọc được {} (quyền {:o}); nên đặt 750 hoặc 700",
            dir.display(),
            mode & 0o777
        )));
    }
    match rustix::fs::statvfs(dir) {
        Ok(s) => {
            let free = s.f_bavail.saturating_mul(s.f_frsize);
            let total = s.f_blocks.saturating_mul(s.f_frsize).max(1);
            let text = format!(
                "còn trống {} trên {} ({}%)",
                human_bytes(free),
                human_bytes(total),
                free * 100 / total
            );
            out.push(if free < MIN_FREE_BYTES {
                Finding::problem(format!("ổ đĩa sắp đầy: {text}"))
            } else if free * 100 / total < 5 {
                Finding::warning(format!("ổ đĩa gần đầy: {text}"))
            } else {
                Finding::ok(format!("ổ đĩa {text}"))
            });
        }
        Err(e) => out.push(Finding::warning(format!(
            "không đọc được dung lượng trống: {e}"
        ))),
    }
    out
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit]).replace('.', ",")
    }
}

async fn database(config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let backend = match Backend::of_url(&config.database_url) {
        Ok(b) => b,
        Err(e) => return vec![Finding::problem(format!("{e:#}"))],
    };
    if backend == Backend::Sqlite
        && let Some(file) = db::sqlite_file(&config.database_url)
        && !file.exists()
    {
        return vec![Finding::warning(format!(
            "chưa có cơ sở dữ liệu {}; `bantin serve` hoặc `bantin migrate` sẽ tạo",
            file.display()
        ))];
    }
    let connected =
        tokio::time::timeout(Duration::from_secs(10), Db::connect(&config.database_url)).await;
    let db = match connected {
        Ok(Ok(db)) => db,
        Ok(Err(e)) => {
            return vec![Finding::problem(format!(
                "không kết nối được cơ sở dữ liệu: {e:#}"
            ))];
        }
        Err(_) => {
            return vec![Finding::problem("cơ sở dữ liệu không trả lời sau 10 giây")];
        }
    };
    let version: sqlx::Result<Option<i64>> = with_db!(&db, pool => sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(pool).await);
    let latest = db::latest_version();
    match version {
        Ok(Some(v)) if v == latest => {
            out.push(Finding::ok(format!("cơ sở dữ liệu kết nối được, lược đồ mới nhất ({v})")));
        }
        Ok(Some(v)) if v < latest => out.push(Finding::problem(format!(
            "lược đồ cơ sở dữ liệu cũ ({v}, bản này cần {latest}): chạy `bantin migrate`"
        ))),
        Ok(Some(v)) => out.push(Finding::problem(format!(
            "cơ sở dữ liệu thuộc một phiên bản bantin mới hơn (lược đồ {v}, bản này biết đến {latest}): hãy dùng bản mới hơn"
        ))),
        Ok(None) | Err(_) => out.push(Finding::problem(
            "cơ sở dữ liệu chưa được khởi tạo: chạy `bantin migrate`",
        )),
    }
    if let Db::Sqlite(pool) = &db {
        match sqlx::query_scalar::<_, String>("PRAGMA quick_check")
            .fetch_one(pool)
            .await
        {
            Ok(s) if s == "ok" => out.push(Finding::ok("tệp SQLite nguyên vẹn (quick_check)")),
            Ok(s) => out.push(Finding::problem(format!(
                "tệp SQLite bị hỏng: {s}; khôi phục từ bản sao lưu (`bantin restore`)"
            ))),
            Err(e) => out.push(Finding::problem(format!(
                "không kiểm tra được tệp SQLite: {e}"
            ))),
        }
    }
    let admins: sqlx::Result<i64> = with_db!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = $1").bind(false).fetch_one(pool).await);
    match admins {
        Ok(0) => out.push(Finding::problem(
            "chưa có tài khoản quản trị nào đang hoạt động: tạo bằng `bantin user add TEN --role admin`",
        )),
        Ok(n) => out.push(Finding::ok(format!("{n} tài khoản quản trị đang hoạt động"))),
        Err(_) => {}
    }
    if matches!(version, Ok(Some(v)) if v == latest) {
        out.extend(sites(&db, config).await);
    }
    db.close().await;
    out
}

/// Each site: reachable (a host, once sites have hosts), an address for
/// links and feeds, an admin.
async fn sites(db: &Db, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let (Ok(directory), Ok(without_admin)) = (
        crate::site::Directory::load(db).await,
        crate::accounts::user::sites_without_admin(db).await,
    ) else {
        return vec![Finding::problem("không đọc được danh sách trang")];
    };
    let all = directory.all();
    let many = all.len() > 1;
    for s in all.iter().filter(|s| !s.disabled) {
        let name = format!("trang số {} “{}” ({})", s.id, s.name, s.label());
        if directory.by_host() && s.host.is_none() {
            out.push(Finding::problem(format!(
                "{name} chưa có tên miền nên không được phục vụ: `bantin site set {} --host TEN-MIEN`",
                s.id
            )));
        }
        let address = s.public_url.is_some() || (s.host.is_none() && config.public_url.is_some());
        if !address && many {
            out.push(Finding::warning(format!(
                "{name} chưa có địa chỉ công khai: `bantin site set {} --public-url https://…`",
                s.id
            )));
        }
        if without_admin.contains(&s.id) && many {
            out.push(Finding::warning(format!(
                "{name} chưa có quản trị viên: `bantin user add TEN --role admin --site {}`",
                s.id
            )));
        }
    }
    if many {
        out.push(Finding::ok(format!("{} trang trong hệ thống", all.len())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_vietnamese_numbers() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1,5 KB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3,0 GB");
    }

    #[test]
    fn a_world_writable_data_folder_is_a_problem() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("bantin-doctor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let findings = data_dir(&dir);
        assert!(
            findings
                .iter()
                .any(|f| f.level == Level::Problem && f.text.contains("chmod o-w")),
            "{findings:?}"
        );
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o750)).unwrap();
        let findings = data_dir(&dir);
        assert!(
            findings.iter().all(|f| f.level != Level::Problem),
            "{findings:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
