//! The ledger's signing key and the admin tokens: who the ledger is, and
//! who may run it.

use crate::storage::{Db, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub fn signing_key(db: &mut dyn Db) -> Result<Option<Vec<u8>>> {
    db.query_opt("SELECT signing_key FROM ledger_key WHERE id = 1", &[])?
        .map(|r| r.bytes("signing_key"))
        .transpose()
}

pub fn insert_signing_key(db: &mut dyn Db, key: &[u8]) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO ledger_key (id, signing_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        &[key.into()],
    )? == 1)
}

pub fn insert_admin_token(db: &mut dyn Db, hash: &[u8], at: &str) -> Result<()> {
    db.exec(
        "INSERT INTO admin_token (token_hash, created_at) VALUES ($1, $2)",
        &[hash.into(), at.into()],
    )?;
    Ok(())
}

pub fn is_admin_token(db: &mut dyn Db, hash: &[u8]) -> Result<bool> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM admin_token WHERE token_hash = $1",
            &[hash.into()],
        )?
        .is_some())
}
