//! PostgreSQL, for a province: many writers, replicas for reading.

use std::collections::HashMap;
use std::sync::Arc;

use postgres::types::{ToSql, Type};
use postgres::{Client, Config, GenericClient, NoTls, Statement};
use r2d2::ManageConnection;
use r2d2_postgres::PostgresConnectionManager;

use super::{Db, Param, Row, Storage, StorageError, Value, column_error};

mod embedded {
    refinery::embed_migrations!("../../migrations/ledger/postgres");
}

/// A pooled connection with the statements it has prepared: each is parsed
/// and planned once per connection, not once per row.
pub struct Prepared {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// r2d2_postgres's manager, with a statement cache on each connection.
pub struct Manager(PostgresConnectionManager<NoTls>);

impl ManageConnection for Manager {
    type Connection = Prepared;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Prepared, postgres::Error> {
        Ok(Prepared {
            client: self.0.connect()?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Prepared) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Prepared) -> bool {
        self.0.has_broken(&mut conn.client)
    }
}

pub struct PostgresStorage {
    pool: Option<r2d2::Pool<Manager>>,
}

impl PostgresStorage {
    pub fn connect(url: &str) -> Result<PostgresStorage, StorageError> {
        let config: Config = url.parse()?;
        let manager = Manager(PostgresConnectionManager::new(config, NoTls));
        let pool = r2d2::Pool::builder()
            .max_size(16)
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)?;
        let mut conn = pool.get()?;
        embedded::migrations::runner().run(&mut conn.client)?;
        drop(conn);
        Ok(PostgresStorage { pool: Some(pool) })
    }

    fn pool(&self) -> &r2d2::Pool<Manager> {
        self.pool.as_ref().expect("present until dropped")
    }
}

/// The `postgres` client runs a small runtime of its own, which may not be
/// dropped inside an async one: the server's state is dropped there when it
/// shuts down. The pool goes away on a thread of its own.
impl Drop for PostgresStorage {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// SQL on a connection: inside a transaction (`C` is a
/// `postgres::Transaction`), or statement by statement for reads.
struct PgTx<'c, C: GenericClient> {
    tx: &'c mut C,
    statements: &'c mut HashMap<String, Statement>,
    feed_locked: bool,
}

/// The advisory lock that feed writers take in turn (any number will do,
/// as long as nothing else in the database uses it).
const FEED_LOCK: i64 = 0x7265_6c69_6566; // "relief"

impl<C: GenericClient> PgTx<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<Statement, StorageError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

fn bind<'p>(params: &'p [Param<'p>]) -> Vec<Box<dyn ToSql + Sync + 'p>> {
    params
        .iter()
        .map(|p| -> Box<dyn ToSql + Sync + 'p> {
            match *p {
                Param::Int(v) => Box::new(v),
                Param::Text(v) => Box::new(v),
                Param::Bytes(v) => Box::new(v),
            }
        })
        .collect()
}

impl<C: GenericClient> Db for PgTx<'_, C> {
    /// Feed ids come from a sequence when the row is inserted, but rows
    /// become visible when their transaction commits: without taking turns
    /// a terminal could read id 101 while 100 is uncommitted, move its
    /// cursor past 100 and never see it. Held until commit or rollback.
    fn lock_feed(&mut self) -> Result<(), StorageError> {
        if !self.feed_locked {
            self.exec("SELECT pg_advisory_xact_lock($1)", &[FEED_LOCK.into()])?;
            self.feed_locked = true;
        }
        Ok(())
    }

    fn for_update(&self) -> &'static str {
        " FOR UPDATE"
    }

    /// PostgreSQL 13 and later make UUIDs from a strong random source.
    fn random_key(&self) -> &'static str {
        "uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())"
    }

    /// `xmax = 0` marks a row this statement inserted rather than updated.
    fn entitlement_upsert(&self) -> &'static str {
        "ON CONFLICT (campaign_id, beneficiary_key) DO UPDATE SET changed_at = entitlement.changed_at
         RETURNING beneficiary_key, CASE WHEN xmax = 0 THEN 1 ELSE 0 END AS created"
    }

    fn exec(&mut self, sql: &str, params: &[Param]) -> Result<u64, StorageError> {
        let boxed = bind(params);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let statement = self.statement(sql)?;
        Ok(self.tx.execute(&statement, &refs)?)
    }

    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, StorageError> {
        let boxed = bind(params);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let statement = self.statement(sql)?;
        let rows = self.tx.query(&statement, &refs)?;
        let columns = statement.columns();
        let names: Arc<[String]> = columns.iter().map(|c| c.name().to_owned()).collect();
        rows.iter()
            .map(|row| {
                let values = columns
                    .iter()
                    .enumerate()
                    .map(|(i, column)| {
                        Ok(match *column.type_() {
                            Type::INT8 => {
                                row.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int)
                            }
                            Type::INT4 => row
                                .get::<_, Option<i32>>(i)
                                .map_or(Value::Null, |v| Value::Int(v.into())),
                            Type::TEXT | Type::VARCHAR => row
                                .get::<_, Option<String>>(i)
                                .map_or(Value::Null, Value::Text),
                            Type::BYTEA => row
                                .get::<_, Option<Vec<u8>>>(i)
                                .map_or(Value::Null, Value::Bytes),
                            ref other => return Err(column_error(column.name(), other.name())),
                        })
                    })
                    .collect::<Result<Vec<_>, StorageError>>()?;
                Ok(Row::new(names.clone(), values))
            })
            .collect()
    }
}

impl Storage for PostgresStorage {
    fn transaction<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.pool().get().map_err(StorageError::from)?;
        let Prepared { client, statements } = &mut *conn;
        let mut tx = client.transaction().map_err(StorageError::from)?;
        let mut db = PgTx {
            tx: &mut tx,
            statements,
            feed_locked: false,
        };
        let value = work(&mut db)?;
        tx.commit().map_err(StorageError::from)?;
        Ok(value)
    }

    /// Statement by statement, without a transaction: at PostgreSQL's READ
    /// COMMITTED each statement sees what was committed when it began
    /// either way, and a sign-in is one round trip instead of three.
    /// Readers never wait for writers.
    fn read<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.pool().get().map_err(StorageError::from)?;
        let Prepared { client, statements } = &mut *conn;
        let mut db = PgTx {
            tx: client,
            statements,
            feed_locked: false,
        };
        work(&mut db)
    }

    fn dialect(&self) -> &'static str {
        "postgres"
    }

    /// VACUUM FULL writes each table anew, without the dead row versions
    /// an UPDATE or DELETE leaves behind (plain VACUUM only marks them
    /// free). Its WAL segments are the server's to recycle.
    fn reclaim(&self, tables: &[&str]) -> Result<(), StorageError> {
        let mut conn = self.pool().get()?;
        conn.client
            .batch_execute(&format!("VACUUM FULL {}", tables.join(", ")))?;
        Ok(())
    }
}
