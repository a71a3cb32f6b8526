//! The embedded default: one SQLite file, one writer.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Mutex;
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
}

impl SqliteStorage {
    pub fn open(path: &Path) -> Result<SqliteStorage, StorageError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        // The ledger batches many events per transaction; FULL keeps every
        // acknowledged batch through a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        // Beneficiary keys are random, so every batch dirties pages all over
        // the entitlement index; checkpointing less often writes each hot
        // page back once for many commits.
        conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Room for the batched inserts' statements (five tables, eight
        // sizes each) besides the rest: rusqlite keeps 16 by default.
        conn.set_prepared_statement_cache_capacity(128);
        embedded::migrations::runner().run(&mut conn)?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
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
        let columns = statement.column_count();
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
            out.push(Row(values));
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

    fn dialect(&self) -> &'static str {
        "sqlite"
    }
}
