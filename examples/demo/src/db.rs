//! The database: SQLite in a file by default, PostgreSQL when `DATABASE_URL` says so.
//!
//! One `sqlx::AnyPool` serves both, so every query is written once in SQL both accept
//! (`$1` placeholders, `RETURNING`, integers for ids, times and flags). Only the table
//! definitions differ (rowid vs `BIGSERIAL` ids): each backend has its own first migration,
//! and the seed data is shared.

use std::borrow::Cow;
use std::path::Path;

use futures::future::BoxFuture;
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

/// The app's connection pool, in the handlers' state.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Db {
    /// The SQLite file `demo.sqlite3` in `data_dir` (both created when missing).
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self, sqlx::Error> {
        std::fs::create_dir_all(data_dir)?;
        let file = data_dir.join("demo.sqlite3");
        Self::open(&format!("sqlite://{}?mode=rwc", file.display())).await
    }

    /// Connects to `url` (`sqlite://...` or `postgres://...`) and applies the migrations.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let pool = AnyPoolOptions::new()
            // SQLite serialises writers anyway; a few readers are plenty for a demo.
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .connect(url)
            .await?;
        Migrator::new(Embedded(backend)).await?.run(&pool).await?;
        Ok(Self { pool })
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// The migrations compiled into the binary, so it runs from any directory.
#[derive(Debug)]
struct Embedded(Backend);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        let (tables, users) = match self.0 {
            Backend::Sqlite => (
                include_str!("../migrations/sqlite/0001_board.sql"),
                include_str!("../migrations/sqlite/0003_users_audit.sql"),
            ),
            Backend::Postgres => (
                include_str!("../migrations/postgres/0001_board.sql"),
                include_str!("../migrations/postgres/0003_users_audit.sql"),
            ),
        };
        let seed = include_str!("../migrations/0002_seed.sql");
        let users_seed = include_str!("../migrations/0004_users_seed.sql");
        let migration = |version, description: &'static str, sql: &'static str| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        };
        let migrations = vec![
            migration(1, "board", tables),
            migration(2, "seed", seed),
            migration(3, "users and audit", users),
            migration(4, "users seed", users_seed),
        ];
        Box::pin(async move { Ok(migrations) })
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
