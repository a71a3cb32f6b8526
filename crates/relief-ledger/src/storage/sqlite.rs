//! The embedded default: one SQLite file, one writer, and readers beside
//! it (WAL mode), so that a pull or a sign-in never waits for a push or an
//! import.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use super::{Db, Param, Row, Storage, StorageError, Value};

mod embedded {
    refinery::embed_migrations!("../../migrations/ledger/sqlite");
}

pub struct SqliteStorage {
    conn: Mutex<Connection>,
    wal: PathBuf,
    readers: r2d2::Pool<Readers>,
    /// Held for its `Drop`: the thread stops with the storage.
    _checkpoints: Checkpointer,
}

/// Copies the WAL back into the database beside the writer. Done at a
/// commit (SQLite's own way), a checkpoint holds up every request queued
/// behind that commit: a claim waited 150 ms behind one.
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often the WAL's size is looked at...
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// ...and how large it may grow before it is copied back: pages dirtied
/// all over the key indexes are then written once for many commits.
const CHECKPOINT_AT: u64 = 16 << 20;

impl Checkpointer {
    fn start(path: &Path) -> Result<Checkpointer, StorageError> {
        let conn = Connection::open(path)?;
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        conn.busy_timeout(Duration::from_secs(10))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    if std::fs::metadata(&wal).map_or(0, |m| m.len()) < CHECKPOINT_AT {
                        continue;
                    }
                    // PASSIVE: copies what it can without waiting for, or
                    // holding up, the writer and the readers.
                    if let Err(error) =
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(%error, "WAL checkpoint");
                    }
                }
            })
            .map_err(|source| StorageError::Io {
                what: "checkpoint thread",
                source,
            })?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

/// The file is closed when the storage is: its last connection with it.
impl Drop for Checkpointer {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Read-only connections to the file, for the pool.
struct Readers(PathBuf);

impl r2d2::ManageConnection for Readers {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let conn = Connection::open_with_flags(
            &self.0,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "cache_size", -16384)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("")
    }

    fn has_broken(&self, _: &mut Connection) -> bool {
        false
    }
}

/// The signing key and the campaign secrets are in this file: its owner
/// alone may read it, and SQLite gives its WAL the same permissions.
#[cfg(unix)]
fn create_for_owner(path: &Path) -> Result<(), StorageError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .and_then(|_| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)))
        .map_err(|e| StorageError::Config(format!("{}: {e}", path.display())))
}

#[cfg(not(unix))]
fn create_for_owner(_: &Path) -> Result<(), StorageError> {
    Ok(())
}

impl SqliteStorage {
    pub fn open(path: &Path) -> Result<SqliteStorage, StorageError> {
        create_for_owner(path)?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        // The ledger batches many events per transaction; FULL keeps every
        // acknowledged batch through a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        // Checkpoints run on a thread of their own (see `Checkpointer`);
        // the WAL is cut back to 64 MiB after each.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", 64 << 20)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Room for the batched inserts' statements (five tables, eight
        // sizes each) besides the rest: rusqlite keeps 16 by default.
        conn.set_prepared_statement_cache_capacity(128);
        embedded::migrations::runner().run(&mut conn)?;
        let readers = r2d2::Pool::builder()
            .max_size(8)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Readers(path.to_owned()))?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            wal: PathBuf::from(format!("{}-wal", path.display())),
            readers,
            _checkpoints: Checkpointer::start(path)?,
        })
    }
}

/// `$1` placeholders become SQLite's numbered `?1`.
fn dialect(sql: &str) -> Cow<'_, str> {
    if sql.contains('$') {
        Cow::Owned(sql.replace('$', "?"))
    } else {
        Cow::Borrowed(sql)
    }
}

/// Binds without copying: text and bytes are lent to SQLite.
impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Int(Some(v)) => ValueRef::Integer(v),
            Param::Text(Some(v)) => ValueRef::Text(v.as_bytes()),
            Param::Bytes(Some(v)) => ValueRef::Blob(v),
            Param::Int(None) | Param::Text(None) | Param::Bytes(None) => ValueRef::Null,
        }))
    }
}

struct SqliteTx<'c>(rusqlite::Transaction<'c>);

impl Db for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Param]) -> Result<u64, StorageError> {
        let mut statement = self.0.prepare_cached(&dialect(sql))?;
        Ok(statement.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, StorageError> {
        let mut statement = self.0.prepare_cached(&dialect(sql))?;
        let names: Arc<[String]> = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let columns = names.len();
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Int(v as i64),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            out.push(Row::new(names.clone(), values));
        }
        Ok(out)
    }
}

impl Storage for SqliteStorage {
    fn transaction<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StorageError::from)?;
        let mut db = SqliteTx(tx);
        let value = work(&mut db)?;
        db.0.commit().map_err(StorageError::from)?;
        Ok(value)
    }

    fn read<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.readers.get().map_err(StorageError::from)?;
        let tx = conn.transaction().map_err(StorageError::from)?;
        let mut db = SqliteTx(tx);
        let value = work(&mut db)?;
        db.0.commit().map_err(StorageError::from)?;
        Ok(value)
    }

    fn dialect(&self) -> &'static str {
        "sqlite"
    }

    /// A writer that never pauses starves the background checkpointer: a
    /// PASSIVE checkpoint never catches up, the WAL never restarts, and a
    /// 시군's roll grew it to 14 GB. Between rounds, once it is past four
    /// times the checkpointer's mark, the writer copies it back and empties
    /// it itself (claims wait that long, as behind a round).
    fn after_bulk_write(&self) -> Result<(), StorageError> {
        if std::fs::metadata(&self.wal).map_or(0, |m| m.len()) < 4 * CHECKPOINT_AT {
            return Ok(());
        }
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The whole file is rebuilt (a table at a time gains nothing in
    /// SQLite) and the WAL, which held the old pages, emptied.
    fn reclaim(&self, _tables: &[&str]) -> Result<(), StorageError> {
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        conn.execute_batch("VACUUM")?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_ledgers_file_is_its_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        // Even a file that was there, readable by all, before.
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let storage = SqliteStorage::open(&path).unwrap();
        storage
            .transaction(|db| {
                db.exec(
                    "INSERT INTO admin_token (token_hash, created_at) VALUES (x'01', 'now')",
                    &[],
                )
            })
            .unwrap();
        for file in [path.clone(), dir.path().join("ledger.sqlite3-wal")] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }
}
