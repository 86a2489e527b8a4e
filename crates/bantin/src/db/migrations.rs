//! Migrations, embedded in the binary: one folder per backend, because DDL
//! is where SQLite and PostgreSQL truly differ. sqlx records what ran in
//! `_sqlx_migrations` (with checksums) and locks against concurrent runs.

use std::borrow::Cow;

use anyhow::Context;
use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::Db;

/// (version, description, SQLite script, PostgreSQL script). Append only.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "tone style",
        include_str!("../../migrations/sqlite/0002_tone_style.sql"),
        include_str!("../../migrations/postgres/0002_tone_style.sql"),
    ),
    (
        3,
        "accounts and workflow",
        include_str!("../../migrations/sqlite/0003_accounts_workflow.sql"),
        include_str!("../../migrations/postgres/0003_accounts_workflow.sql"),
    ),
    (
        4,
        "statistics",
        include_str!("../../migrations/sqlite/0004_stats.sql"),
        include_str!("../../migrations/postgres/0004_stats.sql"),
    ),
    (
        5,
        "search",
        include_str!("../../migrations/sqlite/0005_search.sql"),
        include_str!("../../migrations/postgres/0005_search.sql"),
    ),
    (
        6,
        "search count",
        include_str!("../../migrations/sqlite/0006_search_count.sql"),
        include_str!("../../migrations/postgres/0006_search_count.sql"),
    ),
    (
        7,
        "search terms",
        include_str!("../../migrations/sqlite/0007_search_terms.sql"),
        include_str!("../../migrations/postgres/0007_search_terms.sql"),
    ),
    (
        8,
        "sites",
        include_str!("../../migrations/sqlite/0008_sites.sql"),
        include_str!("../../migrations/postgres/0008_sites.sql"),
    ),
    (
        9,
        "security",
        include_str!("../../migrations/sqlite/0009_security.sql"),
        include_str!("../../migrations/postgres/0009_security.sql"),
    ),
    (
        10,
        "pages",
        include_str!("../../migrations/sqlite/0010_pages.sql"),
        include_str!("../../migrations/postgres/0010_pages.sql"),
    ),
    (
        11,
        "documents",
        include_str!("../../migrations/sqlite/0011_documents.sql"),
        include_str!("../../migrations/postgres/0011_documents.sql"),
    ),
    (
        12,
        "moving in",
        include_str!("../../migrations/sqlite/0012_moving_in.sql"),
        include_str!("../../migrations/postgres/0012_moving_in.sql"),
    ),
    (
        13,
        "questions",
        include_str!("../../migrations/sqlite/0013_questions.sql"),
        include_str!("../../migrations/postgres/0013_questions.sql"),
    ),
    (
        14,
        "autosave",
        include_str!("../../migrations/sqlite/0014_autosave.sql"),
        include_str!("../../migrations/postgres/0014_autosave.sql"),
    ),
    (
        15,
        "featured image alt",
        include_str!("../../migrations/sqlite/0015_featured_alt.sql"),
        include_str!("../../migrations/postgres/0015_featured_alt.sql"),
    ),
];

fn migrator(postgres: bool) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sqlite, pg)| {
            let sql = if postgres { pg } else { sqlite };
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

pub(super) async fn run(db: &Db) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(pool) => migrator(false).run(pool).await,
        Db::Postgres(pool) => migrator(true).run(pool).await,
    }
    .context("database migration failed")
}

/// The newest migration this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0)
}
