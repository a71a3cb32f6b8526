//! Where the ledger keeps its records: one storage trait, two
//! implementations (SQLite, embedded, the default; PostgreSQL for a
//! province). The rules live in `service` and speak SQL through [`Db`],
//! written once with `$1` placeholders for both dialects.

pub mod batch;
pub mod persons;
mod postgres;
pub mod queries;
mod row;
mod sqlite;

use std::fmt;

pub use self::postgres::PostgresStorage;
pub use self::row::{FromRow, Row, Value, column_error};
pub use self::sqlite::SqliteStorage;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migration: {0}")]
    Migration(#[from] refinery::Error),
    /// A column missing from a row, or holding what its reader does not
    /// take: a statement and its reader out of step, or a corrupt row.
    #[error("저장된 열 {column}의 값이 올바르지 않습니다: {found}")]
    Column { column: String, found: String },
    /// A row that cannot be what the schema says.
    #[error("저장된 자료가 올바르지 않습니다: {0}")]
    Corrupt(String),
    /// Another writer changed what this transaction relied on: try again.
    #[error("동시에 바뀌었습니다: {0}")]
    Race(String),
    /// The operating system refused something the storage needs beside
    /// the database itself (a thread, a file's permissions).
    #[error("입출력 ({what}): {source}")]
    Io {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A `--db` the ledger cannot open: not a URL it knows, or a path it
    /// may not use.
    #[error("{0}")]
    Config(String),
}

impl StorageError {
    /// A row that a primary key or UNIQUE constraint would not take.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StorageError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    | rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            ),
            StorageError::Postgres(e) => {
                e.code() == Some(&::postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }
}

/// A value bound to a placeholder.
#[derive(Clone, Copy)]
pub enum Param<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
    Bytes(Option<&'a [u8]>),
}

impl<'a> From<i64> for Param<'a> {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}
impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(Some(v))
    }
}
impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(Some(v))
    }
}
impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Param::Text(v)
    }
}
impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(v: &'a [u8]) -> Self {
        Param::Bytes(Some(v))
    }
}
impl<'a> From<&'a Vec<u8>> for Param<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Param::Bytes(Some(v))
    }
}

/// SQL inside one transaction, whatever the database.
pub trait Db {
    /// Runs a statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Param]) -> Result<u64, StorageError>;
    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, StorageError>;

    fn query_opt(&mut self, sql: &str, params: &[Param]) -> Result<Option<Row>, StorageError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Called before a transaction writes to the feed. Terminals pull the
    /// feed after a cursor (its ids), so rows must become visible in id
    /// order: where several writers run at once, the transactions that
    /// write the feed take turns from here to their commit. A transaction
    /// locks the people it writes about first, in key order, and the feed
    /// last, so that none holds a lock another waits for while waiting
    /// itself. SQLite has one writer and needs nothing.
    fn lock_feed(&mut self) -> Result<(), StorageError> {
        Ok(())
    }

    /// What ends a `SELECT` that locks the rows it reads until the
    /// transaction ends, where several writers run at once (PostgreSQL's
    /// ` FOR UPDATE`); nothing where there is one writer.
    fn for_update(&self) -> &'static str {
        ""
    }

    /// An expression for 32 random bytes, evaluated afresh for each row.
    fn random_key(&self) -> &'static str {
        "randomblob(32)"
    }

    /// The end of a multi-row `INSERT INTO entitlement` that creates the
    /// people not there yet and, where there are several writers, locks
    /// those already there, in the order of the rows: it returns each
    /// person's key and `created`, 1 if this statement created them (SQLite returns
    /// only those, having one writer and nothing to lock).
    fn entitlement_upsert(&self) -> &'static str {
        "ON CONFLICT (campaign_id, beneficiary_key) DO NOTHING RETURNING beneficiary_key, 1 AS created"
    }
}

/// A database the ledger can run transactions on.
pub trait Storage: Send + Sync + 'static {
    /// Runs `work` in one transaction, committed if it returns `Ok`.
    fn transaction<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E>;

    /// Runs `work` in a transaction that only reads, on a snapshot, beside
    /// the writers: a pull or a sign-in never waits for a push or an import.
    fn read<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E>;

    /// `sqlite` or `postgres`, for logs and metrics.
    fn dialect(&self) -> &'static str;

    /// Called between the rounds of a large write (an import): whatever
    /// the database needs to keep a long run of commits from growing its
    /// files without bound. Nothing where it needs nothing.
    fn after_bulk_write(&self) -> Result<(), StorageError> {
        Ok(())
    }

    /// Rewrites `tables` so that no old copy of a row a purge changed or
    /// deleted is left in the database's files. Outside any transaction.
    fn reclaim(&self, tables: &[&str]) -> Result<(), StorageError>;
}

/// Either storage, chosen at start-up from the `--db` URL.
pub enum AnyStorage {
    Sqlite(SqliteStorage),
    Postgres(PostgresStorage),
}

impl AnyStorage {
    /// `sqlite:PATH` or `postgres://...`.
    pub fn open(url: &str) -> Result<AnyStorage, StorageError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(AnyStorage::Postgres(PostgresStorage::connect(url)?))
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            Ok(AnyStorage::Sqlite(SqliteStorage::open(path.as_ref())?))
        } else {
            Err(StorageError::Config(format!(
                "--db는 sqlite:경로 또는 postgres://... 입니다 (받은 값: {url:?})"
            )))
        }
    }
}

impl Storage for AnyStorage {
    fn transaction<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            AnyStorage::Sqlite(s) => s.transaction(work),
            AnyStorage::Postgres(s) => s.transaction(work),
        }
    }

    fn read<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            AnyStorage::Sqlite(s) => s.read(work),
            AnyStorage::Postgres(s) => s.read(work),
        }
    }

    fn dialect(&self) -> &'static str {
        match self {
            AnyStorage::Sqlite(s) => s.dialect(),
            AnyStorage::Postgres(s) => s.dialect(),
        }
    }

    fn after_bulk_write(&self) -> Result<(), StorageError> {
        match self {
            AnyStorage::Sqlite(s) => s.after_bulk_write(),
            AnyStorage::Postgres(s) => s.after_bulk_write(),
        }
    }

    fn reclaim(&self, tables: &[&str]) -> Result<(), StorageError> {
        match self {
            AnyStorage::Sqlite(s) => s.reclaim(tables),
            AnyStorage::Postgres(s) => s.reclaim(tables),
        }
    }
}

impl fmt::Debug for AnyStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnyStorage({})", self.dialect())
    }
}
