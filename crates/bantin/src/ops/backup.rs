//! `bantin backup` and `bantin restore`: one `.tar.gz` archive holding a
//! manifest, a consistent copy of the SQLite database (`VACUUM INTO`, taken
//! while the server keeps serving) and the uploaded media.
//!
//! With PostgreSQL the database is backed up with `pg_dump` (see the
//! README); the archive then holds the media only and its manifest says so.
//!
//! Nothing is ever half done: the archive is written to a temporary name
//! and renamed when complete; a restore unpacks into a staging folder,
//! checks the database, and only then moves it into place.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::content::media::is_media_file_name;

/// Images and documents' files share the media folder and the backup.
fn is_kept_file(name: &str) -> bool {
    is_media_file_name(name) || crate::content::document::files::is_file_name(name)
}
use crate::db::{Backend, Db};
use crate::with_db;

const FORMAT: &str = "bantin-backup";
const VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "bantin.db";
const MEDIA: &str = "media";
/// Largest manifest accepted when reading an archive.
const MANIFEST_MAX: u64 = 64 * 1024;

/// What an archive holds, written first in it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// `sqlite` or `postgres`: where the data came from.
    pub database: String,
    /// Whether the database itself is in the archive (SQLite only).
    pub database_included: bool,
    /// The last migration applied to the database copied.
    pub schema_version: i64,
    pub articles: i64,
    pub media_files: usize,
}

/// Removes a path when dropped, unless disarmed: no temporary file or
/// folder outlives a failure.
struct Cleanup(Option<PathBuf>);

impl Cleanup {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// The media files worth keeping: generated names only, sorted.
fn media_files(media_dir: &Path) -> anyhow::Result<Vec<String>> {
    let entries = match fs::read_dir(media_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", media_dir.display()));
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        if let Some(name) = entry.file_name().to_str()
            && is_kept_file(name)
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

async fn schema_version(db: &Db) -> anyhow::Result<i64> {
    let v: Option<i64> = with_db!(db, pool => sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(pool).await)?;
    Ok(v.unwrap_or(0))
}

/// Writes the archive `out` (which must not exist yet) while the server may
/// keep serving.
pub async fn create(
    db: &Db,
    media_dir: &Path,
    out: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<Manifest> {
    ensure!(
        !out.exists(),
        "tệp {} đã có; hãy chọn tên khác (bản sao lưu cũ không bị ghi đè)",
        out.display()
    );
    // News articles; a database older than pages (migration 0010) has
    // no `kind`, and a backup never migrates.
    let news: sqlx::Result<i64> = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE kind = 'news'").fetch_one(pool).await);
    let articles: i64 = match news {
        Ok(n) => n,
        Err(_) => {
            with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(pool).await)?
        }
    };
    let schema_version = schema_version(db).await?;
    let mut db_copy = Cleanup(None);
    let database_included = match db {
        Db::Sqlite(pool) => {
            // VACUUM INTO reads one snapshot: a consistent copy while writers
            // carry on (WAL), without the WAL file.
            let copy = sibling(out, ".db-partial");
            let _ = fs::remove_file(&copy);
            db_copy = Cleanup(Some(copy.clone()));
            let target = copy
                .to_str()
                .context("the backup path must be valid UTF-8")?
                .to_owned();
            sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(pool)
                .await
                .context("cannot copy the SQLite database")?;
            true
        }
        Db::Postgres(_) => false,
    };
    let media = media_files(media_dir)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        created_at: now,
        database: match db.backend() {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        database_included,
        schema_version,
        articles,
        media_files: media.len(),
    };
    let partial = sibling(out, ".partial");
    let mut partial_guard = Cleanup(Some(partial.clone()));
    let (m, dir, db_path) = (manifest.clone(), media_dir.to_owned(), db_copy.0.clone());
    let archive = partial.clone();
    tokio::task::spawn_blocking(move || {
        write_archive(&archive, &m, db_path.as_deref(), &dir, &media)
    })
    .await
    .context("backup task failed")??;
    fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    partial_guard.disarm();
    Ok(manifest)
}

fn append_bytes<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
    mtime: u64,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, bytes)
}

fn write_archive(
    out: &Path,
    manifest: &Manifest,
    database: Option<&Path>,
    media_dir: &Path,
    media: &[String],
) -> anyhow::Result<()> {
    // A backup holds everything, password hashes included: its owner only.
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(out)
            .with_context(|| format!("cannot create {}", out.display()))?
    };
    let gz = flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mtime = manifest.created_at.timestamp().max(0) as u64;
    append_bytes(
        &mut tar,
        MANIFEST,
        &serde_json::to_vec_pretty(manifest)?,
        mtime,
    )?;
    if let Some(db) = database {
        let mut f = File::open(db)?;
        tar.append_file(DATABASE, &mut f)?;
    }
    for name in media {
        let mut f = File::open(media_dir.join(name))
            .with_context(|| format!("cannot read media file {name}"))?;
        tar.append_file(format!("{MEDIA}/{name}"), &mut f)?;
    }
    let gz = tar.into_inner()?;
    let mut writer = gz.finish()?;
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    Ok(())
}

/// Where a restore puts things.
#[derive(Debug, Clone)]
pub struct Target {
    pub data_dir: PathBuf,
    /// The SQLite database file, or `None` with PostgreSQL.
    pub sqlite_file: Option<PathBuf>,
    pub media_dir: PathBuf,
}

fn is_empty_dir(dir: &Path) -> anyhow::Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", dir.display())),
    }
}

/// Unpacks `archive` into `target`. Refuses a data folder that already
/// holds anything unless `force`; then the database and the media are
/// replaced (other files are left alone).
pub async fn restore(archive: &Path, target: &Target, force: bool) -> anyhow::Result<Manifest> {
    let occupied = !is_empty_dir(&target.data_dir)?
        || target.sqlite_file.as_deref().is_some_and(Path::exists)
        || !is_empty_dir(&target.media_dir)?;
    if occupied && !force {
        bail!(
            "thư mục dữ liệu {} không trống: không khôi phục đè lên dữ liệu đang có. \
             Dừng máy chủ, rồi chạy lại với --force nếu thật sự muốn thay thế",
            target.data_dir.display()
        );
    }
    fs::create_dir_all(&target.data_dir)
        .with_context(|| format!("cannot create {}", target.data_dir.display()))?;
    let staging = target
        .data_dir
        .join(format!(".restore-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let _staging_guard = Cleanup(Some(staging.clone()));
    fs::create_dir_all(staging.join(MEDIA))?;
    let (a, s) = (archive.to_owned(), staging.clone());
    let manifest = tokio::task::spawn_blocking(move || unpack(&a, &s))
        .await
        .context("restore task failed")??;
    let staged_db = staging.join(DATABASE);
    match (&target.sqlite_file, manifest.database_included) {
        (Some(_), true) => check_database(&staged_db).await?,
        (Some(_), false) => bail!(
            "bản sao lưu này không chứa cơ sở dữ liệu (nguồn: {}); cấu hình hiện tại dùng SQLite",
            manifest.database
        ),
        (None, true) => bail!(
            "bản sao lưu chứa cơ sở dữ liệu SQLite nhưng cấu hình hiện tại dùng PostgreSQL; \
             hãy khôi phục vào một thư mục dữ liệu dùng SQLite"
        ),
        (None, false) => {}
    }
    // Everything is checked: move it into place.
    if let Some(file) = &target.sqlite_file {
        for suffix in ["", "-wal", "-shm"] {
            let path = sibling(file, suffix);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot replace {}", path.display()));
                }
            }
        }
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)?;
        }
        move_file(&staged_db, file)?;
    }
    if target.media_dir.exists() {
        fs::remove_dir_all(&target.media_dir)
            .with_context(|| format!("cannot replace {}", target.media_dir.display()))?;
    }
    move_file(&staging.join(MEDIA), &target.media_dir)?;
    Ok(manifest)
}

/// Rename, or copy and delete when the target is on another file system.
fn move_file(from: &Path, to: &Path) -> anyhow::Result<()> {
    if fs::rename(from, to).is_ok() {
        return Ok(());
    }
    if from.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            move_file(&entry.path(), &to.join(entry.file_name()))?;
        }
        fs::remove_dir_all(from)?;
    } else {
        fs::copy(from, to).with_context(|| format!("cannot write {}", to.display()))?;
        fs::remove_file(from)?;
    }
    Ok(())
}

fn unpack(archive: &Path, staging: &Path) -> anyhow::Result<Manifest> {
    let file =
        File::open(archive).with_context(|| format!("không mở được {}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let mut entries = tar
        .entries()
        .context("tệp này không phải bản sao lưu của bantin")?;
    let manifest: Manifest = {
        let mut first = entries
            .next()
            .context("bản sao lưu rỗng")?
            .context("tệp này không phải bản sao lưu của bantin")?;
        ensure!(
            first.path()?.as_ref() == Path::new(MANIFEST),
            "tệp này không phải bản sao lưu của bantin (thiếu {MANIFEST} ở đầu)"
        );
        let mut text = String::new();
        (&mut first).take(MANIFEST_MAX).read_to_string(&mut text)?;
        serde_json::from_str(&text).context("manifest.json của bản sao lưu bị hỏng")?
    };
    ensure!(
        manifest.format == FORMAT && manifest.version <= VERSION,
        "bản sao lưu định dạng {} phiên bản {} không được hỗ trợ",
        manifest.format,
        manifest.version
    );
    let mut media = 0;
    let mut database = false;
    for entry in entries {
        let mut entry = entry.context("bản sao lưu bị hỏng hoặc không đầy đủ")?;
        ensure!(
            entry.header().entry_type() == tar::EntryType::Regular,
            "bản sao lưu chứa mục không phải tệp thường"
        );
        let path = entry.path()?.into_owned();
        let name = path.to_str().unwrap_or_default();
        // Only the names a backup writes; nothing can land outside staging.
        let dest = if name == DATABASE && manifest.database_included && !database {
            database = true;
            staging.join(DATABASE)
        } else if let Some(file) = name.strip_prefix("media/")
            && is_kept_file(file)
        {
            media += 1;
            staging.join(MEDIA).join(file)
        } else {
            bail!("bản sao lưu chứa mục lạ: {}", path.display());
        };
        let mut out = File::create(&dest)?;
        std::io::copy(&mut entry, &mut out).context("bản sao lưu bị hỏng hoặc không đầy đủ")?;
        out.sync_all()?;
    }
    ensure!(
        database == manifest.database_included && media == manifest.media_files,
        "bản sao lưu không đầy đủ: thiếu {} so với manifest",
        if database == manifest.database_included {
            "tệp ảnh"
        } else {
            "cơ sở dữ liệu"
        }
    );
    Ok(manifest)
}

async fn check_database(path: &Path) -> anyhow::Result<()> {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .context("cơ sở dữ liệu trong bản sao lưu không mở được")?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    ensure!(
        check == "ok",
        "cơ sở dữ liệu trong bản sao lưu bị hỏng: {check}"
    );
    use sqlx::Connection;
    conn.close().await?;
    Ok(())
}
