//! The database: embedded SQLite or PostgreSQL, picked from the URL.
//!
//! Domain modules write their SQL once, in the dialect both databases share
//! (`$1` placeholders, `ON CONFLICT`, `RETURNING`), and run it through
//! [`with_db!`] (reads, on the pool) or [`with_tx!`] (writes, inside a
//! [`Tx`]), which compile the same query for each backend. Dialect
//! differences live in the migrations, one folder per backend.

mod migrations;
pub use migrations::latest_version;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// A connection pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool, so the same sqlx
/// query compiles once per backend.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// A write transaction on either database. Domain functions that change
/// something take `&mut Tx`, so that one transaction spans every row of an
/// action (an article, its revision and its audit entry) and a failure
/// anywhere leaves nothing behind.
///
/// On SQLite it starts with `BEGIN IMMEDIATE`: a deferred transaction that
/// must become a writer after another connection committed fails at once
/// with "database is locked" instead of waiting its turn; an immediate one
/// waits (busy timeout) from the start.
pub struct Tx {
    conn: TxConn,
    content_changed: bool,
}

/// The concrete transaction; reach it through [`with_tx!`].
pub enum TxConn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// The transaction itself, for [`with_tx!`].
    pub fn conn(&mut self) -> &mut TxConn {
        &mut self.conn
    }

    /// Says that public content changes with this transaction: cached
    /// public reads are dropped when it commits.
    pub fn content_changed(&mut self) {
        self.content_changed = true;
    }

    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        if self.content_changed {
            crate::content::cache::changed();
        }
        Ok(())
    }
}

/// Runs `$body` with `$conn` bound to the transaction's connection
/// (`&mut SqliteConnection` or `&mut PgConnection`), so the same sqlx query
/// compiles once per backend; use it as `&mut *$conn`.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx.conn() {
            $crate::db::TxConn::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::TxConn::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Lets an enum stored as text (`'draft'`, `'admin'`…) be read straight
/// into its type: an unknown value is a decoding error, never a silent
/// default. The enum needs `parse(&str) -> Option<Self>` and `as_str()`.
#[macro_export]
macro_rules! text_column {
    ($ty:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $ty
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $ty
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                <$ty>::parse(text).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($ty), " {:?}"), text).into()
                })
            }
        }
    };
}

/// The backend a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            anyhow::bail!(
                "database URL must start with sqlite: or postgres:// (got {})",
                redact_url(url)
            )
        }
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The SQLite URL for the database file inside a data folder.
pub fn sqlite_url_in(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("bantin.db").display())
}

/// The file a SQLite URL names (`sqlite://data/bantin.db?mode=rwc` →
/// `data/bantin.db`); `None` for PostgreSQL or an in-memory database.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

impl Db {
    /// Opens a pool; a SQLite file is created if it does not exist yet.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        match Backend::of_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .with_context(|| format!("invalid SQLite URL {url}"))?;
                Self::connect_sqlite(options).await
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .with_context(|| format!("invalid PostgreSQL URL {}", redact_url(url)))?;
                Self::connect_postgres(options).await
            }
        }
    }

    pub async fn connect_sqlite(options: SqliteConnectOptions) -> anyhow::Result<Db> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable in WAL mode except for the last transactions
            // before a power cut; a crash of the process loses nothing.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            // Reads map the file instead of copying pages into each
            // connection's small cache: the documents list filtered by
            // validity went from 11 to 6 ms over 20,000 documents. The
            // mapping is address space, shared with the OS page cache.
            .pragma("mmap_size", "268435456");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .context("cannot open the SQLite database")?;
        Ok(Db::Sqlite(pool))
    }

    pub async fn connect_postgres(options: PgConnectOptions) -> anyhow::Result<Db> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .context("cannot connect to PostgreSQL")?;
        Ok(Db::Postgres(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction (see [`Tx`]).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        let conn = match self {
            Db::Sqlite(pool) => TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            conn,
            content_changed: false,
        })
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        migrations::run(self).await
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        with_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }

    pub async fn close(&self) {
        with_db!(self, pool => pool.close().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_of_urls() {
        assert_eq!(
            sqlite_file("sqlite:///srv/bantin/bantin.db?mode=rwc"),
            Some(PathBuf::from("/srv/bantin/bantin.db"))
        );
        assert_eq!(
            sqlite_file("sqlite://./data/bantin.db"),
            Some(PathBuf::from("./data/bantin.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x@y/z"), None);
    }

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact_url("postgres://bantin:s3cret@db.local:5432/bantin"),
            "postgres://bantin:***@db.local:5432/bantin"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact_url("sqlite://data/bantin.db"),
            "sqlite://data/bantin.db"
        );
    }

    #[tokio::test]
    async fn text_columns_refuse_unknown_values() {
        use crate::content::article::Status;
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&sqlite_url_in(dir.path())).await.unwrap();
        let Db::Sqlite(pool) = &db else {
            unreachable!()
        };
        let known: Status = sqlx::query_scalar("SELECT 'pending'")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(known, Status::Pending);
        let unknown = sqlx::query_scalar::<_, Status>("SELECT 'archived'")
            .fetch_one(pool)
            .await;
        assert!(
            unknown.is_err(),
            "an unknown status is an error, not a draft"
        );
        let mut tx = db.begin().await.unwrap();
        assert_eq!(tx.backend(), Backend::Sqlite);
        with_tx!(tx, conn => sqlx::query("CREATE TABLE t (x INTEGER)").execute(&mut *conn).await.map(|_| ()).unwrap());
        drop(tx);
        let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 't'")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(tables, 0, "a dropped transaction leaves nothing");
    }

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgresql://h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::of_url("mysql://h/db").is_err());
    }
}
